import type { RunKey } from '../../ports/run-key.js';

/** What a writer's run page can ask: the same as `skiff retry`, `skiff retry --restart-successful`, `skiff stop`, `skiff terminate`. */
export const RUN_ACTIONS = ['retry-failed', 'retry-all', 'stop', 'terminate'] as const;
export type RunAction = (typeof RUN_ACTIONS)[number];

export function isRunAction(op: unknown): op is RunAction {
  return typeof op === 'string' && (RUN_ACTIONS as readonly string[]).includes(op);
}

/** What an action did, in the words of the page's notices. */
export type ActionOutcome = 'retried' | 'stopped' | 'terminated';

/** Carries out an action on a run, through the same code as the commands; rejects with the reason in a sentence. */
export type RunActionPerformer = (key: RunKey, action: RunAction) => Promise<ActionOutcome>;
