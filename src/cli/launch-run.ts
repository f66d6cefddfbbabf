import type { StoredRun } from '../ports/run-store.js';
import type { NodeStatus } from '../engine/workflow-status.js';
import { readTransferProgress } from '../runtime/local/index.js';
import { envOf, type CliIO } from './cli-io.js';
import { driveRun } from './drive-run.js';
import { formatTransfer } from './format-transfer.js';
import { LiveTreeView } from './live-tree-view.js';
import type { ClusterTarget } from './cluster-target.js';
import type { LocalTarget } from './local-target.js';
import { podNameOfNode } from '../report/node-tree.js';
import { formatRunOutput, type OutputFormat } from './output-format.js';
import { ProgressLines } from './progress-lines.js';
import { followRun, type InterruptSource } from './follow-run.js';
import { printRunLogs } from './print-run-logs.js';
import { readRun, requireRun, requireTargetRun } from './read-run.js';
import { clusterLogFeed, followClusterLogs } from './follow-cluster-logs.js';
import { startBackgroundDriver } from './start-background-driver.js';
import { leaseOwner } from './run-lease.js';
import { nameOf, runArgs } from './describe-run.js';
import type { RunKey } from '../ports/run-key.js';

export interface LaunchOptions {
  /** Follow the run here until it finishes, as `watch` does (`--wait`). */
  wait: boolean;
  /** Follow the run here: its tree (`watch`) or its logs (`log`). */
  follow?: 'watch' | 'log' | undefined;
  output?: OutputFormat | undefined;
  /** Ctrl-C, for --watch; the process's SIGINT when not given. */
  interrupts?: InterruptSource;
}

/**
 * Runs a saved run (new, retried, resubmitted, or continued) as `argo submit` does: a background
 * `skiff` process drives it (in a cluster, the controller), so the run never depends on this
 * one. Without `wait` or `follow`, prints its name and returns 0 at once; with them, follows it
 * here (see followInBackground), and Ctrl-C stops only the following.
 */
export async function launchRun(target: LocalTarget | ClusterTarget, io: CliIO, runId: RunKey, options: LaunchOptions): Promise<number> {
  await startDriving(target, io, runId);
  if (options.wait || options.follow) return followInBackground(target, io, runId, { ...options, follow: options.follow ?? 'watch' });
  const run = target.kind === 'cluster' ? await target.readRun(runId) : await readRun(target.layout, runId);
  io.stdout.write(run && (options.output === 'json' || options.output === 'yaml') ? formatRunOutput(run, options.output) : `${nameOf(runId)}\n`);
  return 0;
}

/** Hands a saved run to its driver: a background `skiff` process here; in a cluster, its controller already has it. */
export async function startDriving(target: LocalTarget | ClusterTarget, io: CliIO, runId: RunKey): Promise<void> {
  if (target.kind === 'local') await startBackgroundDriver(target, runId, childEnv(io));
}

/**
 * Follows a run a background process drives: its tree as it changes (`--watch`, `--wait`) or its
 * logs (`--log`), then the result. Ctrl-C stops following and leaves the run going (exit 130); a
 * second one within a few seconds stops the run.
 */
export async function followInBackground(target: LocalTarget | ClusterTarget, io: CliIO, runId: RunKey, options: LaunchOptions): Promise<number> {
  const quiet = options.output === 'json' || options.output === 'yaml' || options.output === 'name';
  if (options.follow === 'log') {
    const color = io.stdout.isTTY === true;
    if (target.kind === 'cluster') await followClusterLogs(clusterLogFeed(target, runId), io, runId, { color });
    else await printRunLogs(target, io, runId, { follow: true, color });
    const run = target.kind === 'cluster' ? await requireTargetRun(target, runId) : await requireRun(target.layout, runId);
    return run.status.phase === 'Succeeded' ? 0 : 1;
  }
  const stop = (): Promise<void> => target.control(io, runId, { op: 'stop', message: 'stopped by Ctrl-C' });
  const result = await followRun(target, io, runId, { progress: !quiet, stop, ...(options.interrupts ? { interrupts: options.interrupts } : {}) });
  if (result.run === undefined) return 130; // Ctrl-C: detached, or stopped
  if (result.how === 'orphaned') {
    io.stderr.write(`skiff: no skiff process is running ${nameOf(runId)} any more; skiff resume ${runArgs(runId)} continues it\n`);
    return 1;
  }
  // The run is over, but its driver may still be closing (garbage, locks, its lease): a command
  // run right after (retry, delete) must find the run let go of, as when it was driven here.
  if (target.kind === 'local') await leaseReleased(target, runId);
  if (!quiet) io.stdout.write('\n');
  io.stdout.write(formatRunOutput(result.run, options.output));
  return result.run.status.phase === 'Succeeded' ? 0 : 1;
}

/** How long a finished run's background driver is given to let the run go. */
const DRIVER_EXIT_MS = 30_000;

async function leaseReleased(target: LocalTarget, runId: RunKey): Promise<void> {
  const deadline = Date.now() + DRIVER_EXIT_MS;
  while ((await leaseOwner(target.layout, runId)) !== undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

/**
 * Drives the run in this process (a run no process drives, continued by `resume --wait` or
 * `wait`), showing progress unless the output is a document (json, yaml).
 */
export async function runInForeground(target: LocalTarget, io: CliIO, runId: RunKey, output: OutputFormat | undefined): Promise<StoredRun> {
  const quiet = output === 'json' || output === 'yaml' || output === 'name';
  const initial = await readRun(target.layout, runId);
  const noteOf = transferNotes(target, initial?.workflow.metadata.name ?? nameOf(runId), runId);
  const live = !quiet && io.stdout.isTTY === true && initial ? new LiveTreeView(io.stdout, initial, Date.now, noteOf) : undefined;
  const lines = !quiet && !live ? new ProgressLines(io.stdout, nameOf(runId), Date.now, noteOf) : undefined;
  let finished: StoredRun;
  try {
    finished = await driveRun({ target, env: envOf(io), runId, onChange: (change) => (live ?? lines)?.onChange(change) });
  } finally {
    live?.close();
    lines?.close();
  }
  if (lines) io.stdout.write('\n');
  io.stdout.write(formatRunOutput(finished, output));
  return finished;
}

/** What a running pod of the run is transferring, as its executor reports it in the pod's directory. */
function transferNotes(target: LocalTarget, workflowName: string, runId: RunKey): (node: NodeStatus) => string | undefined {
  return (node) => {
    if (node.phase !== 'Running') return undefined;
    const pod = podNameOfNode(workflowName, node);
    const progress = pod === undefined ? undefined : readTransferProgress(target.layout.podDir(runId, pod));
    return progress ? formatTransfer(progress) : undefined;
  };
}

/** The environment for a background `skiff`: this process's, with the command's own on top. */
export function childEnv(io: CliIO): NodeJS.ProcessEnv {
  return io.env ? { ...process.env, ...io.env } : process.env;
}
