import type { Outputs } from '../spec/model/workflow.js';
import type { PodOutputs } from './engine-events.js';
import type { NodePhase } from './workflow-status.js';

/**
 * What an HTTP node becomes when the runtime reports its request done (`pod-finished`: exit code
 * 0 when the response met the success rule, non-zero with the reason otherwise). As Argo's agent
 * records it: `outputs.result` is the response body as received (no newline trimmed), and there
 * is no exit code, since no process ran.
 */
export function httpOutcome(
  exitCode: number,
  reported: PodOutputs | undefined,
  message: string | undefined,
  resultLimit: number,
): { phase: NodePhase; message: string; outputs?: Outputs } {
  const body = reported?.result;
  const outputs: Outputs | undefined = body === undefined ? undefined : { result: body.length > resultLimit ? body.slice(0, resultLimit) : body };
  const phase: NodePhase = exitCode === 0 ? 'Succeeded' : 'Failed';
  return { phase, message: message ?? (phase === 'Failed' ? 'the HTTP request failed' : ''), ...(outputs ? { outputs } : {}) };
}
