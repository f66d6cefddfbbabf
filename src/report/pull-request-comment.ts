import type { WorkflowStatus } from '../engine/workflow-status.js';
import { fitLine, fitText } from './github-limits.js';
import { escapeMarkdown } from './markdown.js';
import { PHASE_SYMBOLS } from './phase-symbols.js';
import { redactSecrets } from './redact-secrets.js';
import { runDiagram } from './run-diagram.js';

/** The hidden line Skiff's own pull-request comment starts with: how it is found again to be edited. */
export const COMMENT_MARKER = '<!-- skiff:pull-request -->';
/** GitHub refuses a comment body of more characters than this. */
export const COMMENT_LIMIT = 65_536;
/** Artifact links listed per run at most; the rest are counted. */
const MAX_LINKS_PER_RUN = 30;

/** A link that downloads one output artifact of a step, valid until `expiresAt`. */
export interface ArtifactLink {
  /** The step that made it (its display name). */
  step: string;
  name: string;
  url: string;
  expiresAt?: string;
}

/** A finished or running check (lint, plan) as the comment sums it up. */
export interface CheckSummary {
  status: 'queued' | 'in_progress' | 'completed';
  conclusion?: string | null;
  title: string;
  url?: string;
}

/** One run of the pull request's head. */
export interface CommentRun {
  workflow: string;
  runName: string;
  status: WorkflowStatus;
  /** The run's page. */
  detailsUrl?: string;
  artifacts: ArtifactLink[];
}

export interface PullRequestCommentInput {
  headSha: string;
  lint?: CheckSummary;
  plan?: CheckSummary;
  runs: CommentRun[];
  /** Values never shown, in any form (run and step messages may carry them). */
  secrets: readonly string[];
}

/** How much a comment shows; each level drops more, to stay under COMMENT_LIMIT. */
type Detail = 'full' | 'no-diagrams' | 'one-line-runs';

/**
 * Skiff's one comment on a pull request: the head commit, the lint and plan checks, and each run
 * of that head with its phase, its page, its artifacts' links and a Mermaid diagram of its steps
 * coloured by phase. Everything taken from the repository or a run is escaped (names, messages)
 * and secret values are redacted. The comment always fits GitHub's limit: diagrams go first, then
 * runs shrink to one table row each, then rows are counted instead of listed.
 *
 * @example renderPullRequestComment({ headSha: 'c0ffee1…', runs: [], secrets: [] }).startsWith(COMMENT_MARKER) // → true
 */
export function renderPullRequestComment(input: PullRequestCommentInput, limit = COMMENT_LIMIT): string {
  for (const detail of ['full', 'no-diagrams', 'one-line-runs'] as const) {
    const body = render(input, detail, input.runs.length);
    if (body.length < limit) return body;
  }
  // Rows counted instead of listed: halve the listed ones until the comment fits.
  for (let listed = Math.floor(input.runs.length / 2); listed >= 0; listed = listed === 0 ? -1 : Math.floor(listed / 2)) {
    const body = render(input, 'one-line-runs', listed);
    if (body.length < limit) return body;
  }
  return fitText(render(input, 'one-line-runs', 0), limit - 1);
}

function render(input: PullRequestCommentInput, detail: Detail, listed: number): string {
  const redact = (text: string) => redactSecrets(text, input.secrets);
  const lines = [COMMENT_MARKER, `### Skiff at \`${input.headSha.slice(0, 7)}\``, ''];
  if (input.lint || input.plan) {
    lines.push('| Check | Result |', '|---|---|');
    if (input.lint) lines.push(`| lint | ${checkCell(input.lint)} |`);
    if (input.plan) lines.push(`| plan | ${checkCell(input.plan)} |`);
    lines.push('');
  }
  if (input.runs.length === 0) {
    lines.push('No workflow runs for this commit.');
    return `${lines.join('\n')}\n`;
  }
  if (detail === 'one-line-runs') {
    lines.push('| Workflow | Run | Phase | Artifacts |', '|---|---|---|---|');
    for (const run of input.runs.slice(0, listed)) {
      lines.push(
        `| ${escapeMarkdown(fitLine(run.workflow, 100))} | ${runLink(run)} | ${PHASE_SYMBOLS[run.status.phase]} ${run.status.phase} | ${run.artifacts.length} |`,
      );
    }
    if (input.runs.length > listed) lines.push('', `…and ${input.runs.length - listed} more runs.`);
    lines.push('', "_Shortened to fit GitHub's limit: each run's check run has its steps and artifact links._");
    return `${lines.join('\n')}\n`;
  }
  for (const run of input.runs) {
    const { phase, message } = run.status;
    lines.push(`#### ${PHASE_SYMBOLS[phase]} ${escapeMarkdown(fitLine(run.workflow, 100))}: ${phase} (${runLink(run)})`, '');
    if (message) lines.push(escapeMarkdown(fitLine(redact(message), 300)), '');
    if (run.artifacts.length > 0) {
      lines.push('Artifacts:', '');
      for (const link of run.artifacts.slice(0, MAX_LINKS_PER_RUN)) lines.push(`- ${artifactLine(link)}`);
      if (run.artifacts.length > MAX_LINKS_PER_RUN) lines.push(`- …and ${run.artifacts.length - MAX_LINKS_PER_RUN} more (see the run's check run)`);
      lines.push('');
    }
    const diagram = detail === 'full' ? runDiagram(run.status, { redact }) : undefined;
    if (diagram) lines.push('```mermaid', diagram, '```', '');
  }
  if (detail === 'no-diagrams') lines.push("_Diagrams left out to fit GitHub's limit._");
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

function checkCell(check: CheckSummary): string {
  const symbol =
    check.status !== 'completed'
      ? PHASE_SYMBOLS.Running
      : check.conclusion === 'success'
        ? PHASE_SYMBOLS.Succeeded
        : check.conclusion === 'failure'
          ? PHASE_SYMBOLS.Failed
          : PHASE_SYMBOLS.Skipped;
  const text = escapeMarkdown(fitLine(check.status === 'completed' ? check.title : `${check.title || 'running'}…`, 200));
  const url = check.url !== undefined ? safeUrl(check.url) : undefined;
  return url ? `${symbol} [${text}](${url})` : `${symbol} ${text}`;
}

function runLink(run: CommentRun): string {
  const name = escapeMarkdown(fitLine(run.runName, 100));
  const url = run.detailsUrl !== undefined ? safeUrl(run.detailsUrl) : undefined;
  return url ? `[${name}](${url})` : name;
}

function artifactLine(link: ArtifactLink): string {
  const text = `${escapeMarkdown(fitLine(link.step, 100))} / ${escapeMarkdown(fitLine(link.name, 100))}`;
  const url = safeUrl(link.url);
  const expiry = link.expiresAt ? ` (link valid until ${escapeMarkdown(link.expiresAt.replace(/\.\d+Z$/, 'Z'))})` : '';
  return url ? `[${text}](${url})${expiry}` : `${text}${expiry}`;
}

/**
 * A URL as a Markdown link target: http(s) only, and the characters that could end the target or
 * start new syntax percent-encoded (a key chosen by a workflow is part of a presigned URL).
 */
export function safeUrl(url: string): string | undefined {
  if (!/^https?:\/\/[^\s]+$/i.test(url)) return undefined;
  return url.replace(/[()<>"'`\\[\]{}|^ ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
