import { describeRun, type RunKey, splitRunKey } from '../ports/run-key.js';
import type { ActionOutcome, RunAction } from '../server/run-page/run-actions.js';
import type { CliIO } from './cli-io.js';
import type { ClusterTarget } from './cluster-target.js';
import { retryCommand } from './commands/retry.js';
import type { LocalTarget } from './local-target.js';

/**
 * Carries out a run page's action through the very code of the commands (`skiff stop`,
 * `terminate`, `retry`), so the page and the command line refuse the same things (a retry of a
 * running run, a stop of a finished one), locally or on a cluster. `targetArgs` name the same
 * runs to the retry command (`--state-dir DIR`, or `--kubeconfig FILE`/`--context NAME`).
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
  const errors: string[] = [];
  const args = [name, '--namespace', namespace, ...targetArgs];
  if (action === 'retry-all') {
    // Every step that ran a pod, the run's own node too when it is one (a one-container workflow).
    const run = await target.readRun(key);
    if (!run) throw new Error(`${describeRun(key)} not found`);
    args.push('--restart-successful');
    for (const node of Object.values(run.status.nodes)) if (node.type === 'Pod' || node.type === 'HTTP') args.push('--node', node.id);
  }
  const status = await retryCommand.run(args, { ...io, stdout: sink(), stderr: { write: (t: string) => errors.push(t) > 0 } });
  if (status !== 0) throw new Error(errors.join('').trim() || `retry ended with status ${status}`);
  return 'retried';
}

function sink(): { write(text: string): boolean } {
  return { write: () => true };
}
