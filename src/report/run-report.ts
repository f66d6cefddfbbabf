import type { NodeStatus, WorkflowStatus } from '../engine/workflow-status.js';
import { CHECK_LIMITS, fitLine, fitText } from './github-limits.js';
import type { CheckReport } from './lint-report.js';
import { escapeMarkdown, fencedBlock } from './markdown.js';
import { type ArtifactLink, safeUrl } from './pull-request-comment.js';
import { redactSecrets } from './redact-secrets.js';

/** A run as its check run shows it. */
export interface RunReportInput {
  /** The workflow's name in the repository (`skiff / <workflow>`). */
  workflow: string;
  /** The run's own name, `build-x7k2p`. */
  runName: string;
  status: WorkflowStatus;
  /** The last lines of each failed step's main log, by node id (raw: redacted here). */
  logTails: Record<string, string>;
  /** Secret values the run can see: never shown, in any form. */
  secrets: readonly string[];
  now: number;
  /** Download links of the run's output artifacts, listed under the step table. */
  artifacts?: readonly ArtifactLink[];
}

export type CheckStatus = 'queued' | 'in_progress' | 'completed';

/** The check run of a run: its status, and the output (conclusion only once completed). */
export interface RunCheckView {
  status: CheckStatus;
  report: CheckReport;
}

/** Steps listed in the table at most; the rest are counted. */
const MAX_ROWS = 500;
const STEP_TYPES = new Set(['Pod', 'Suspend', 'Skipped', 'HTTP', 'Container']);

/**
 * What a run's check run says: queued before its first step starts, in progress while it runs,
 * completed with success, failure, cancelled (stopped or terminated) or timed_out (deadline) when
 * it ends. The output has a table of the steps (step, phase, duration, message) and the last lines
 * of each failed step's log, secret values and their base64 forms redacted, all escaped, and
 * kept within GitHub's limits by listing fewer rows, never by failing.
 */
export function runCheckView(input: RunReportInput): RunCheckView {
  const { status } = input;
  const redact = (text: string): string => redactSecrets(text, input.secrets);
  const steps = Object.values(status.nodes)
    .filter((n) => STEP_TYPES.has(n.type) && !n.nodeFlag?.retried)
    .sort((a, b) => (a.startedAt ?? '~').localeCompare(b.startedAt ?? '~') || a.name.localeCompare(b.name));
  const done = status.phase === 'Succeeded' || status.phase === 'Failed' || status.phase === 'Error';
  const checkStatus: CheckStatus = done ? 'completed' : steps.some((s) => s.startedAt) || status.phase === 'Running' ? 'in_progress' : 'queued';
  const conclusion = done ? conclusionOf(status) : 'neutral';
  const failed = steps.filter((s) => s.phase === 'Failed' || s.phase === 'Error');
  const succeeded = steps.filter((s) => s.phase === 'Succeeded').length;

  const title = done
    ? `${status.phase}${failed.length > 0 ? `: ${failed.length} step${failed.length === 1 ? '' : 's'} failed` : ''}`
    : `${checkStatus === 'queued' ? 'Queued' : 'Running'}: ${succeeded}/${steps.length} steps done`;
  const summaryLines = [
    `**${escapeMarkdown(input.runName)}** ${status.phase}${status.message ? `: ${escapeMarkdown(fitLine(redact(status.message), 500))}` : ''}`,
  ];
  const lines = ['| Step | Phase | Duration | Message |', '|---|---|---|---|'];
  let length = 0;
  let listed = 0;
  for (const step of steps.slice(0, MAX_ROWS)) {
    const row = `| ${escapeMarkdown(fitLine(step.displayName || step.name, 200))} | ${step.phase} | ${durationOf(step, input.now)} | ${step.message ? escapeMarkdown(fitLine(redact(step.message), 300)) : ''} |`;
    if (length + row.length > CHECK_LIMITS.maxOutputChars / 2) break;
    lines.push(row);
    length += row.length + 1;
    listed++;
  }
  if (steps.length > listed) lines.push('', `…and ${steps.length - listed} more steps.`);
  const artifacts = input.artifacts ?? [];
  if (artifacts.length > 0) {
    lines.push('', '### Artifacts', '');
    let shown = 0;
    for (const link of artifacts) {
      const url = safeUrl(link.url);
      const text = `${escapeMarkdown(fitLine(link.step, 100))} / ${escapeMarkdown(fitLine(link.name, 100))}`;
      const line = `- ${url ? `[${text}](${url})` : text}${link.expiresAt ? ` (valid until ${escapeMarkdown(link.expiresAt.replace(/\.\d+Z$/, 'Z'))})` : ''}`;
      if (length + line.length > CHECK_LIMITS.maxOutputChars - 2000) break;
      lines.push(line);
      length += line.length + 1;
      shown++;
    }
    if (artifacts.length > shown) lines.push(`- …and ${artifacts.length - shown} more.`);
  }

  const logs: string[] = [];
  for (const step of failed) {
    const tail = input.logTails[step.id];
    if (tail === undefined) continue;
    logs.push(`#### ${escapeMarkdown(fitLine(step.displayName || step.name, 200))}`, '', fencedBlock(redact(tail)), '');
  }
  const text = logs.length > 0 ? `### Logs of the failed steps\n\n${logs.join('\n')}` : undefined;
  return {
    status: checkStatus,
    report: {
      conclusion,
      title: fitLine(title, CHECK_LIMITS.maxTitleChars),
      summary: fitText(`${summaryLines.join('\n')}\n\n${lines.join('\n')}\n`, CHECK_LIMITS.maxOutputChars),
      ...(text !== undefined ? { text: fitText(text, CHECK_LIMITS.maxOutputChars, "\n```\n\n_(logs shortened to fit GitHub's limit)_\n") } : {}),
      annotations: [],
    },
  };
}

function conclusionOf(status: WorkflowStatus): CheckReport['conclusion'] {
  if (status.phase === 'Succeeded') return 'success';
  const message = status.message ?? '';
  if (/deadline|timed? ?out/i.test(message)) return 'timed_out';
  if (/\b(stopped|terminated|cancell?ed)\b/i.test(message)) return 'cancelled';
  return 'failure';
}

function durationOf(node: NodeStatus, now: number): string {
  if (!node.startedAt) return '';
  const end = node.finishedAt ? Date.parse(node.finishedAt) : now;
  const seconds = Math.max(0, Math.round((end - Date.parse(node.startedAt)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m ${seconds % 60}s` : `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}
