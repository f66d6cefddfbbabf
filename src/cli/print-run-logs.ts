import { open, stat } from 'node:fs/promises';
import type { StoredRun } from '../ports/run-store.js';
import { isWorkflowDone, type NodeStatus } from '../engine/workflow-status.js';
import { formatRfc3339Nano, LogTimes } from '../state/log-times.js';
import type { CliIO } from './cli-io.js';
import type { LocalTarget } from './local-target.js';
import { podNameOfNode } from '../report/node-tree.js';
import { requireRun } from './read-run.js';
import { describeRun } from './describe-run.js';
import { leaseOwner } from './run-lease.js';
import { splitRunKey, type RunKey } from '../ports/run-key.js';

export interface LogOptions {
  /** Only this step: its name, display name, node id or pod name. */
  node?: string | undefined;
  /** Which container of each pod (default main; every container of a containerSet). */
  container?: string | undefined;
  follow?: boolean;
  /** Only lines written at or after this time (ms since the epoch). */
  since?: number | undefined;
  /** --since as given, in seconds (a cluster's pods/log takes it as sinceSeconds); `since` is then now less these. */
  sinceSeconds?: number | undefined;
  /** Only the last N lines of each step's log. */
  tail?: number | undefined;
  grep?: RegExp | undefined;
  timestamps?: boolean;
  color?: boolean;
  /** Only the attempts before the last of retried steps (`-p`, as kubectl's previous container). */
  previous?: boolean;
  pollMs?: number;
}

interface PodLog {
  label: string;
  color: number;
  path: string;
  offset: number;
  /** The start of a line not yet whole. */
  partial: Buffer;
  lines: number;
  /** The log's times once read; null for a log without (of an older Skiff). */
  times?: LogTimes | null;
}

/** The colours `argo logs` gives pod names, one per pod in turn. */
export const COLORS = [32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96];

/**
 * Prints the logs of a run's steps as `argo logs` does: each line after its pod's name
 * (`POD: line`, coloured on a terminal), steps in the order they started, every attempt of a
 * retried step marked with its number, so a line says which attempt printed it. With `follow`,
 * keeps printing until the run finishes (or no process drives it). Returns 1 if `node` names
 * nothing.
 */
export async function printRunLogs(target: LocalTarget, io: CliIO, runId: RunKey, options: LogOptions): Promise<number> {
  let run = await requireRun(target.layout, runId);
  if (options.node !== undefined && podsOf(run, options).length === 0 && !options.follow) {
    io.stderr.write(`skiff logs: ${describeRun(runId)} has no step "${options.node}"\n`);
    return 1;
  }
  const logs = new Map<string, PodLog>();
  const pump = async (flush: boolean): Promise<void> => {
    const name = run.workflow.metadata.name ?? splitRunKey(run.key).name;
    for (const { node, attempt } of podsOf(run, options)) {
      // A containerSet's pod has a log per container: without --container, each is printed.
      const members = options.container !== undefined ? [options.container] : containerSetMembers(run, node);
      for (const container of members.length === 0 ? ['main'] : members) {
        const pod = logNameOf(name, node)!;
        let log = logs.get(`${pod}/${container}`);
        if (!log) {
          const label = `${pod}${members.length > 1 ? `/${container}` : ''}${attempt ? ` (attempt ${attempt})` : ''}`;
          log = {
            label,
            color: COLORS[logs.size % COLORS.length]!,
            path: target.layout.containerLog(run.key, pod, container),
            offset: 0,
            partial: Buffer.alloc(0),
            lines: 0,
          };
          logs.set(`${pod}/${container}`, log);
        }
        await readNew(log, io, options, flush);
      }
    }
  };
  if (!options.follow) {
    await pump(true);
    return 0;
  }
  for (;;) {
    const done = isWorkflowDone(run.status.phase) || (await leaseOwner(target.layout, runId)) === undefined;
    await pump(done);
    if (done) return 0;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 200));
    run = await requireRun(target.layout, runId);
  }
}

/** Where a node's log is kept: under its pod's name; an HTTP node, which has no pod, under the name a pod of it would have. */
export function logNameOf(workflowName: string, node: NodeStatus): string | undefined {
  return podNameOfNode(workflowName, node.type === 'HTTP' ? { ...node, type: 'Pod' } : node);
}

/**
 * Pod and HTTP nodes in the order they started (optionally only the one named), each with its
 * attempt number when it is one of several attempts of a retried step.
 */
export function podsOf(run: StoredRun, options: LogOptions): Array<{ node: NodeStatus; attempt?: number }> {
  const name = run.workflow.metadata.name ?? splitRunKey(run.key).name;
  const attempts = new Map<string, { index: number; of: number }>();
  for (const node of Object.values(run.status.nodes)) {
    if (node.type !== 'Retry') continue;
    const children = node.children ?? [];
    children.forEach((child, index) => attempts.set(child, { index, of: children.length }));
  }
  const wanted = options.node;
  return Object.values(run.status.nodes)
    .filter((n) => n.type === 'Pod' || n.type === 'HTTP')
    .filter(
      (n) =>
        wanted === undefined ||
        n.id === wanted ||
        n.name === wanted ||
        n.displayName === wanted ||
        logNameOf(name, n) === wanted ||
        nameOfRetried(run, n) === wanted,
    )
    .filter((n) => !options.previous || (attempts.get(n.id)?.index ?? 0) < (attempts.get(n.id)?.of ?? 1) - 1)
    .filter((n) => options.since === undefined || n.finishedAt === undefined || Date.parse(n.finishedAt) >= options.since)
    .sort((a, b) => (a.startedAt ?? '\uffff').localeCompare(b.startedAt ?? '\uffff'))
    .map((node) => {
      const attempt = attempts.get(node.id);
      return attempt && attempt.of > 1 ? { node, attempt: attempt.index + 1 } : { node };
    });
}

/** The display name of the Retry node an attempt belongs to, so `--node step` finds its attempts. */
function nameOfRetried(run: StoredRun, node: NodeStatus): string | undefined {
  for (const parent of Object.values(run.status.nodes)) {
    if (parent.type === 'Retry' && parent.children?.includes(node.id)) return parent.displayName;
  }
  return undefined;
}

/** The containers of a containerSet's pod node, in order (none for any other pod). */
export function containerSetMembers(run: StoredRun, pod: NodeStatus): string[] {
  return Object.values(run.status.nodes)
    .filter((n) => n.type === 'Container' && n.boundaryID === pod.id)
    .map((n) => n.displayName);
}

/** How much of a log is read at a time: a long log is never held whole. */
const READ_BYTES = 1 << 20;

/**
 * Prints what was added to a log since the last look; a line is printed only once it is whole.
 * Each line's time is when the container wrote it (see log-times.ts). A log of an older Skiff
 * has no times: its lines get the time its file was last written (when following, when each
 * line was read), as they did then.
 */
async function readNew(log: PodLog, io: CliIO, options: LogOptions, flush: boolean): Promise<void> {
  let size: number;
  let written: Date;
  try {
    const stats = await stat(log.path);
    size = stats.size;
    written = stats.mtime;
  } catch {
    return; // the step has not written anything (or has not started)
  }
  // Times are read after the log's size: an entry is written before its chunk, so every byte up to `size` has one.
  if (log.times === undefined) log.times = (await LogTimes.load(log.path)) ?? null;
  else if (log.times !== null) await log.times.refresh();
  const times = log.times;
  if (!times && options.since !== undefined && written.getTime() < options.since) return;
  const sinceMicros = options.since === undefined ? undefined : options.since * 1000;
  const timeOf = (end: number): number => times?.timeOf(end) ?? written.getTime() * 1000;

  // --tail counts from the end of what was there at the first look; later lines all follow.
  const tail = options.tail !== undefined && log.lines === 0 ? options.tail : undefined;
  const kept: Array<{ line: string; time: number }> = [];
  const prefix = options.color ? `\u001b[${log.color}m${log.label}\u001b[0m: ` : `${log.label}: `;
  let out = '';
  const take = (line: string, end: number): void => {
    log.lines++;
    const entry = { line, time: timeOf(end) };
    if (tail === undefined) return show(entry);
    kept.push(entry);
    if (kept.length > 2 * tail + 1024) kept.splice(0, kept.length - tail); // only the last lines are kept
  };
  const show = ({ line, time }: { line: string; time: number }): void => {
    if (sinceMicros !== undefined && time < sinceMicros) return;
    if (options.grep && !options.grep.test(line)) return;
    out += `${prefix}${options.timestamps ? `${formatRfc3339Nano(time)} ` : ''}${line}\n`;
  };

  if (size > log.offset) {
    const handle = await open(log.path, 'r');
    try {
      while (log.offset < size) {
        const buffer = Buffer.alloc(Math.min(READ_BYTES, size - log.offset));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, log.offset);
        if (bytesRead === 0) break;
        const chunk = log.partial.length > 0 ? Buffer.concat([log.partial, buffer.subarray(0, bytesRead)]) : buffer.subarray(0, bytesRead);
        const chunkStart = log.offset - log.partial.length;
        log.offset += bytesRead;
        let from = 0;
        for (let newline = chunk.indexOf(10); newline >= 0; newline = chunk.indexOf(10, from)) {
          take(chunk.subarray(from, newline).toString('utf8'), chunkStart + newline);
          from = newline + 1;
        }
        log.partial = Buffer.from(chunk.subarray(from));
        if (out.length > READ_BYTES) {
          io.stdout.write(out);
          out = '';
        }
      }
    } finally {
      await handle.close();
    }
  }
  if (flush && log.partial.length > 0) {
    take(log.partial.toString('utf8'), log.offset - 1);
    log.partial = Buffer.alloc(0);
  }
  if (tail !== undefined && log.lines === 0) log.lines = 1; // a first look at an empty log: --tail has had its turn
  if (tail !== undefined && tail > 0) for (const entry of kept.slice(-tail)) show(entry);
  if (out) io.stdout.write(out);
}
