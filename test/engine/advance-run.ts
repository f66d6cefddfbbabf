import type { EngineEvent } from '../../src/engine/engine-events.js';
import { type RunDefinition, RunSession, type Transition } from '../../src/engine/run-session.js';
import type { WorkflowStatus } from '../../src/engine/workflow-status.js';

const sessions = new Map<WorkflowStatus, { definition: RunDefinition; session: RunSession }>();

/**
 * Drives runs as the driver does, for tests that step a run by hand: one session per status
 * object, opened on the first event; a status seen for the first time (a copy, as a restart loads
 * it) or with another definition opens a new session, which adopts the run where its status is.
 */
export function advanceRun(definition: RunDefinition, status: WorkflowStatus, event: EngineEvent, now: number | string | Date): Transition {
  let open = sessions.get(status);
  if (!open || open.definition !== definition) {
    open = { definition, session: new RunSession(definition, status) };
    sessions.set(status, open);
  }
  return open.session.advance(event, now);
}
