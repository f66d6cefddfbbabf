import { retryCommand } from '../../cli/commands/retry.js';
import { controlRun } from '../../cli/control-run.js';
import { requireRun } from '../../cli/read-run.js';
import type { LocalTarget } from '../../cli/local-target.js';
import { splitRunKey, type RunKey } from '../../ports/run-key.js';

/** What a writer's run page can ask: the same as `skiff retry`, `skiff retry --restart-successful`, `skiff stop`, `skiff terminate`. */
export const RUN_ACTIONS = ['retry-failed', 'retry-all', 'stop', 'terminate'] as const;
export type RunAction = (typeof RUN_ACTIONS)[number];

export function isRunAction(op: unknown): op is RunAction {
  return typeof op === 'string' && (RUN_ACTIONS as readonly string[]).includes(op);
}

/**
 * Carries out an action on a local run through the very code of the commands, so the page and
 * the command line refuse the same things (a retry of a running run, a stop of a finished one).
 * Resolves to what happened, or rejects with the reason in a sentence.
 */
export async function runLocalAction(target: LocalTarget, key: RunKey, action: RunAction, env: NodeJS.ProcessEnv): Promise<string> {
  const { namespace, name } = splitRunKey(key);
  if (action === 'stop' || action === 'terminate') {
    await controlRun(target, { stdout: sink(), stderr: sink(), cwd: target.layout.root, env }, key, { op: action }, env);
    return action === 'stop' ? 'stopped' : 'terminated';
  }
  const out: string[] = [];
  const errors: string[] = [];
  const args = [name, '--namespace', namespace, '--state-dir', target.layout.root];
  if (action === 'retry-all') {
    // Every step that ran a pod, the run's own node too when it is one (a one-container workflow).
    const run = await requireRun(target.layout, key);
    args.push('--restart-successful');
    for (const node of Object.values(run.status.nodes)) if (node.type === 'Pod' || node.type === 'HTTP') args.push('--node', node.id);
  }
  const io = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => errors.push(t) }, cwd: target.layout.root, env };
  let status: number;
  try {
    status = await retryCommand.run(args, io);
  } catch (error) {
    throw new Error((error as Error).message);
  }
  if (status !== 0) throw new Error(errors.join('').trim() || `retry ended with status ${status}`);
  return 'retried';
}

function sink(): { write(text: string): boolean } {
  return { write: () => true };
}
