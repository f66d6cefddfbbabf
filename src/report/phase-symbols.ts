import type { NodePhase, WorkflowPhase } from '../engine/workflow-status.js';

/**
 * One symbol per phase, as `argo get` draws them: beside a phase's word in the terminal and its
 * colour on the run page, so the phase reads without colour too.
 */
export const PHASE_SYMBOLS: Record<NodePhase | WorkflowPhase, string> = {
  Pending: '◷',
  Running: '●',
  Succeeded: '✔',
  Failed: '✖',
  Error: '⚠',
  Skipped: '○',
  Omitted: '○',
};
