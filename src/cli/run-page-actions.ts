import { describeRun, type RunKey, splitRunKey } from '../ports/run-key.js';
import type { ActionOutcome, RunAction } from '../server/run-page/run-actions.js';
import type { CliIO } from './cli-io.js';
import { RunOperationError } from '../runs/run-operations.js';
import { retryClusterRun } from './cluster-run-launcher.js';
import type { ClusterTarget } from './cluster-target.js';
import { retryCommand } from './commands/retry.js';
import type { LocalTarget } from './local-target.js';

/**
 * Carries out a run page's action through the very code of the commands (`skiff stop`,
 * `terminate`, `retry`), so the page and the command line refuse the same things (a retry of a
 * running run, a stop of a finished one), locally or on a cluster. `targetArgs` name the same
 * runs to the retry command (`--state-dir DIR`); a cluster's run is retried as `skiff retry
 * --kubeconfig` retries it, through the target's own connection.
 * Resolves to what happened, or rejects with the reason in a sentence.
 */
export async function runPageAction(
  target: LocalTarget | ClusterTarget,
  targetArgs: string[],
  io: CliIO,
  key: RunKey,
  action: RunAction,
): Promise<ActionOutcome> {
  const { namespace, name } = splitRunKey(key);
  const quiet = { ...io, stdout: sink(), stderr: sink() };
  if (action === 'stop' || action === 'terminate') {
    await target.control(quiet, key, { op: action });
    return action === 'stop' ? 'stopped' : 'terminated';
  }
  let everyStep: string[] | undefined;
  if (action === 'retry-all') {
    // Every step that ran a pod, the run's own node too when it is one (a one-container workflow).
    const run = await target.readRun(key);
    if (!run) throw new Error(`${describeRun(key)} not found`);
    everyStep = Object.values(run.status.nodes)
      .filter((node) => node.type === 'Pod' || node.type === 'HTTP')
      .map((node) => node.id);
  }
  if (target.kind === 'cluster') {
    // Through the connection the page already has: a pod's own service account (serve --in-cluster)
    // is no kubeconfig or context the command could be given.
    try {
      await retryClusterRun(target, key, everyStep ? { nodes: everyStep, restartSuccessful: true } : {});
    } catch (error) {
      if (error instanceof RunOperationError) throw new Error(`cannot retry ${describeRun(key)}: ${error.message}`);
      throw error;
    }
    return 'retried';
  }
  const errors: string[] = [];
  const args = [name, '--namespace', namespace, ...targetArgs];
  if (everyStep) {
    args.push('--restart-successful');
    for (const id of everyStep) args.push('--node', id);
  }
  const status = await retryCommand.run(args, { ...io, stdout: sink(), stderr: { write: (t: string) => errors.push(t) > 0 } });
  if (status !== 0) throw new Error(errors.join('').trim() || `retry ended with status ${status}`);
  return 'retried';
}

function sink(): { write(text: string): boolean } {
  return { write: () => true };
}
