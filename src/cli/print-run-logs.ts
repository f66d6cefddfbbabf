import { open, stat } from 'node:fs/promises';
import type { StoredRun } from '../ports/run-store.js';
import { isWorkflowDone, type NodeStatus } from '../engine/workflow-status.js';
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
  /** Only steps whose log was written at or after this time (ms). */
  since?: number | undefined;
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
  partial: string;
  lines: number;
}

/** The colours `argo logs` gives pod names, one per pod in turn. */
const COLORS = [32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96];

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
            partial: '',
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
function logNameOf(workflowName: string, node: NodeStatus): string | undefined {
  return podNameOfNode(workflowName, node.type === 'HTTP' ? { ...node, type: 'Pod' } : node);
}

/**
 * Pod and HTTP nodes in the order they started (optionally only the one named), each with its
 * attempt number when it is one of several attempts of a retried step.
 */
function podsOf(run: StoredRun, options: LogOptions): Array<{ node: NodeStatus; attempt?: number }> {
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
function containerSetMembers(run: StoredRun, pod: NodeStatus): string[] {
  return Object.values(run.status.nodes)
    .filter((n) => n.type === 'Container' && n.boundaryID === pod.id)
    .map((n) => n.displayName);
}

/**
 * Prints what was added to a log since the last look; a line is printed only once it is whole.
 * The local runtime writes logs without times, so a line's time is when its log was last written
 * as it was read (each line's own time when following, the step's last write otherwise).
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
  if (options.since !== undefined && written.getTime() < options.since) return;
  if (size > log.offset) {
    const handle = await open(log.path, 'r');
    try {
      const buffer = Buffer.alloc(size - log.offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, log.offset);
      log.offset += bytesRead;
      log.partial += buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  }
  let lines = log.partial.split('\n');
  log.partial = lines.pop() ?? '';
  if (flush && log.partial !== '') {
    lines.push(log.partial);
    log.partial = '';
  }
  // --tail counts from the end of what was there at the first look; later lines all follow.
  if (options.tail !== undefined && log.lines === 0) lines = options.tail === 0 ? [] : lines.slice(-options.tail);
  log.lines += lines.length || 1;
  if (options.grep) lines = lines.filter((line) => options.grep!.test(line));
  if (lines.length === 0) return;
  const prefix = options.color ? `\u001b[${log.color}m${log.label}\u001b[0m: ` : `${log.label}: `;
  const time = options.timestamps ? `${written.toISOString()} ` : '';
  io.stdout.write(lines.map((line) => `${prefix}${time}${line}\n`).join(''));
}
