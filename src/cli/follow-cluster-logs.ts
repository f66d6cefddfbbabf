import { isWorkflowDone, type NodeStatus } from '../engine/workflow-status.js';
import { KubeError, KubeNotFoundError } from '../kube/kube-errors.js';
import type { PodLogClient, PodLogOptions } from '../kube/pod-logs.js';
import { splitRunKey, type RunKey } from '../ports/run-key.js';
import type { StoredRun } from '../ports/run-store.js';
import type { CliIO } from './cli-io.js';
import type { ClusterTarget } from './cluster-target.js';
import { describeRun } from './describe-run.js';
import { archivedLog, clusterLineFormat } from './print-cluster-logs.js';
import { COLORS, containerSetMembers, type LogOptions, logNameOf, podsOf } from './print-run-logs.js';
import { requireTargetRun } from './read-run.js';

/** What following a cluster run's logs reads: the run as it is now, its pods' logs, and what archiveLogs kept. */
export interface ClusterLogFeed {
  readRun(): Promise<StoredRun>;
  podLogs: PodLogClient;
  /** The log archiveLogs kept of a container whose pod is gone; undefined when none was kept. */
  archived(run: StoredRun, node: NodeStatus, container: string): Promise<Buffer | undefined>;
}

export interface FollowOptions extends LogOptions {
  /** How long to wait before asking again for a log that is not there yet, or whose stream broke (default 1 s). */
  retryMs?: number;
  /** How many attempts in a row may fail for another reason before a container is given up on, with a note (default 60). */
  attempts?: number;
}

export function clusterLogFeed(target: ClusterTarget, runId: RunKey): ClusterLogFeed {
  return {
    readRun: () => requireTargetRun(target, runId),
    podLogs: target.podLogs,
    archived: (run, node, container) => archivedLog(target, run, node, container),
  };
}

/**
 * `logs --follow` (and `submit --log`, `retry --log`) against a cluster, as `argo logs --follow`:
 * each step's pod's log streamed through the API server (follow=true) while the step writes it,
 * steps joining as they start, each line printed as it comes after its pod's name. A stream that
 * breaks is asked for again from the time of its last line, and the lines already printed are not
 * printed twice; a pod that is gone prints what archiveLogs kept of it. Returns once the run has
 * finished and every container's stream has ended: 1 if `node` named no step, else 0.
 */
export async function followClusterLogs(feed: ClusterLogFeed, io: CliIO, runId: RunKey, options: FollowOptions): Promise<number> {
  let run = await feed.readRun();
  const followers = new Map<string, Promise<void>>();
  const nodeNow = (id: string): NodeStatus | undefined => run.status.nodes[id];
  const runDone = (): boolean => isWorkflowDone(run.status.phase);
  for (;;) {
    const name = run.workflow.metadata.name ?? splitRunKey(runId).name;
    for (const { node, attempt } of podsOf(run, { ...options, since: undefined }).filter(({ node }) => node.type === 'Pod')) {
      const members = options.container !== undefined ? [options.container] : containerSetMembers(run, node);
      for (const container of members.length === 0 ? ['main'] : members) {
        const pod = logNameOf(name, node)!;
        if (followers.has(`${pod}/${container}`)) continue;
        const label = `${pod}${members.length > 1 ? `/${container}` : ''}${attempt ? ` (attempt ${attempt})` : ''}`;
        const format = clusterLineFormat(label, COLORS[followers.size % COLORS.length]!, options);
        const { namespace } = splitRunKey(runId);
        followers.set(
          `${pod}/${container}`,
          followContainer({ feed, io, options, namespace, pod, container, format, node: () => nodeNow(node.id), runDone, current: () => run }),
        );
      }
    }
    if (runDone()) break;
    await sleep(options.pollMs ?? 1000);
    run = await feed.readRun();
  }
  await Promise.all(followers.values());
  if (options.node !== undefined && followers.size === 0) {
    io.stderr.write(`skiff logs: ${describeRun(runId)} has no step "${options.node}"\n`);
    return 1;
  }
  return 0;
}

interface Follower {
  feed: ClusterLogFeed;
  io: CliIO;
  options: FollowOptions;
  namespace: string;
  pod: string;
  container: string;
  format: (line: string, archived: boolean) => string;
  /** The container's node as the run has it now. */
  node(): NodeStatus | undefined;
  runDone(): boolean;
  current(): StoredRun;
}

/** Streams one container's log until it ends (the container ended, or its pod is gone). */
async function followContainer(f: Follower): Promise<void> {
  const { options } = f;
  const retryMs = options.retryMs ?? 1000;
  // The last line printed, by its time: a stream asked for again starts at that second, and the
  // lines up to it (those at the very same time: as many as were printed) are passed over.
  let lastTime: bigint | undefined;
  let atLastTime = 0;
  let printed = 0;
  let failures = 0;
  let first = true;
  for (;;) {
    const ask: PodLogOptions = { follow: true, timestamps: true };
    if (first && options.tail !== undefined) ask.tailLines = options.tail;
    if (first && options.sinceSeconds !== undefined) ask.sinceSeconds = options.sinceSeconds;
    else if (lastTime !== undefined) ask.sinceTime = wholeSecond(lastTime);
    else if (options.since !== undefined) ask.sinceTime = wholeSecond(BigInt(options.since) * 1_000_000n);
    let seenAtLastTime = 0;
    let partial = '';
    const take = (line: string): void => {
      const time = nanosOf(line.slice(0, line.indexOf(' ')));
      if (time !== undefined && lastTime !== undefined) {
        if (time < lastTime) return;
        if (time === lastTime && seenAtLastTime++ < atLastTime) return;
      }
      if (time !== undefined) {
        atLastTime = time === lastTime ? atLastTime + 1 : 1;
        if (time !== lastTime) seenAtLastTime = 1;
        lastTime = time;
      }
      printed++;
      const out = f.format(line, false);
      if (out) f.io.stdout.write(out);
    };
    try {
      for await (const chunk of f.feed.podLogs.podLog(f.namespace, f.pod, f.container, ask)) {
        first = false;
        failures = 0;
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop()!;
        for (const line of lines) if (line !== '') take(line);
      }
      if (partial !== '') take(partial);
      // A followed log ends when its container does.
      return;
    } catch (error) {
      if (partial !== '') take(partial);
      const node = f.node();
      const nodeDone = node === undefined || isDone(node);
      if (error instanceof KubeNotFoundError && nodeDone) {
        // The pod is gone (podGC, or its run's deletion): what archiveLogs kept is its log from here on.
        const kept = node === undefined ? undefined : await f.feed.archived(f.current(), node, f.container).catch(() => undefined);
        if (kept) printArchived(f, kept, printed);
        return;
      }
      // 400: the container has not started; 404: its pod is not there yet. Once its step is over it never will.
      const waiting = error instanceof KubeNotFoundError || (error instanceof KubeError && error.status === 400);
      if (waiting && (nodeDone || f.runDone())) return;
      if (!waiting && ++failures >= (options.attempts ?? 60)) {
        f.io.stderr.write(`skiff logs: stopped following pod ${f.pod} (${f.container}): ${(error as Error).message}\n`);
        return;
      }
    }
    await sleep(retryMs);
  }
}

/** The archived log's lines after the `skip` already printed from the pod. */
function printArchived(f: Follower, kept: Buffer, skip: number): void {
  const lines = kept
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .slice(skip);
  let out = '';
  for (const line of lines) out += f.format(` ${line}`, true);
  if (out) f.io.stdout.write(out);
}

function isDone(node: NodeStatus): boolean {
  return node.phase !== 'Pending' && node.phase !== 'Running';
}

/** A kubelet's RFC 3339 time with up to nanoseconds, as nanoseconds since the epoch; undefined if it is none. */
export function nanosOf(time: string): bigint | undefined {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!match) return undefined;
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  return BigInt(seconds) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/** The whole second a time in nanoseconds falls in, as the API's sinceTime (which it takes to the second). */
function wholeSecond(nanos: bigint): string {
  return new Date(Number(nanos / 1_000_000_000n) * 1000).toISOString().replace('.000Z', 'Z');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
