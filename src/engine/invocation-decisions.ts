import { evaluateWhen } from '../expr/index.js';
import type { Invocation, LifecycleHook } from '../spec/model/workflow.js';

// What a step and a DAG task (both invocations of a template) decide alike: whether they run
// (`when`), whether their failure stops their parent (`continueOn`), and their exit hook.

/** A step's exit handler: `hooks.exit`, or the older `onExit` template name. */
export function exitHookOf(invocation: Invocation): LifecycleHook | undefined {
  if (invocation.hooks?.exit) return invocation.hooks.exit;
  if (invocation.onExit) return { template: invocation.onExit };
  return undefined;
}

export function continuesOn(invocation: Invocation, phase: string): boolean {
  return (phase === 'Failed' && invocation.continueOn?.failed === true) || (phase === 'Error' && invocation.continueOn?.error === true);
}

/** true, false, or the error message of a `when` that cannot be evaluated. */
export function decideWhen(when: string): boolean | string {
  try {
    return evaluateWhen(when);
  } catch (error) {
    return (error as Error).message;
  }
}
