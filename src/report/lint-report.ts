import type { Diagnostic } from '../spec/diagnostic.js';
import { CHECK_LIMITS, fitLine, fitText } from './github-limits.js';
import { escapeMarkdown } from './markdown.js';

/** A check-run annotation as GitHub's API takes it. */
export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
}

/** A check run's result and output, before it is split into requests. */
export interface CheckReport {
  conclusion: 'success' | 'failure' | 'neutral' | 'cancelled' | 'timed_out' | 'skipped';
  title: string;
  summary: string;
  text?: string;
  annotations: CheckAnnotation[];
}

const LEVEL: Record<Diagnostic['severity'], CheckAnnotation['annotation_level']> = { error: 'failure', warning: 'warning', notice: 'notice' };
/** Rows listed in the summary at most; every diagnostic is an annotation whatever this says. */
const SUMMARY_ROWS = 200;

/**
 * The `skiff / lint` check of a commit's diagnostics: failure when one is an error, every
 * diagnostic an annotation on its line (and column, when it starts and ends on one line), and a
 * summary with the counts and a table of them.
 *
 * @example lintReport([{ file: 'a.yaml', line: 3, column: 5, severity: 'error', rule: 'unknown-key', message: '...' }], 'c0ffee1').conclusion // → 'failure'
 */
export function lintReport(diagnostics: readonly Diagnostic[], commit: string): CheckReport {
  const count = (severity: Diagnostic['severity']): number => diagnostics.filter((d) => d.severity === severity).length;
  const errors = count('error');
  const warnings = count('warning');
  const files = new Set(diagnostics.map((d) => d.file)).size;
  const short = commit.slice(0, 7);
  const title =
    diagnostics.length === 0
      ? 'No problems'
      : `${plural(errors, 'error')}, ${plural(warnings, 'warning')}${diagnostics.length > errors + warnings ? `, ${plural(diagnostics.length - errors - warnings, 'notice')}` : ''} in ${plural(files, 'file')}`;
  const lines = [`**skiff lint** at \`${short}\`: ${title.toLowerCase()}.`];
  if (diagnostics.length > 0) {
    lines.push('', '| | File | Line | Rule | Message |', '|---|---|---|---|---|');
    let length = lines.join('\n').length;
    let listed = 0;
    for (const d of diagnostics.slice(0, SUMMARY_ROWS)) {
      const row = `| ${d.severity} | ${escapeMarkdown(fitLine(d.file, 300))} | ${d.line}:${d.column} | ${escapeMarkdown(fitLine(d.rule, 100))} | ${escapeMarkdown(fitLine(d.message, 500))} |`;
      // Rows stop short of the limit, leaving room for the line that says how many were left out.
      if (length + row.length + 1 > CHECK_LIMITS.maxOutputChars - 200) break;
      lines.push(row);
      length += row.length + 1;
      listed++;
    }
    if (diagnostics.length > listed) lines.push('', `…and ${diagnostics.length - listed} more, each an annotation on its line.`);
  }
  return {
    conclusion: errors > 0 ? 'failure' : 'success',
    title: fitLine(title, CHECK_LIMITS.maxTitleChars),
    summary: fitText(`${lines.join('\n')}\n`, CHECK_LIMITS.maxOutputChars),
    annotations: diagnostics.map(annotationOf),
  };
}

function annotationOf(d: Diagnostic): CheckAnnotation {
  const endLine = Math.max(d.line, d.endLine ?? d.line);
  const annotation: CheckAnnotation = {
    path: d.file,
    start_line: d.line,
    end_line: endLine,
    annotation_level: LEVEL[d.severity],
    message: fitText(d.message, CHECK_LIMITS.maxAnnotationMessageChars, '…'),
    title: fitLine(d.rule, CHECK_LIMITS.maxAnnotationTitleChars),
  };
  // GitHub takes columns only for an annotation on one line.
  if (endLine === d.line) {
    annotation.start_column = d.column;
    annotation.end_column = Math.max(d.column, d.endLine === d.line && d.endColumn !== undefined ? d.endColumn : d.column);
  }
  return annotation;
}

/** Annotations in the groups GitHub takes per request. */
export function annotationBatches(annotations: readonly CheckAnnotation[]): CheckAnnotation[][] {
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += CHECK_LIMITS.annotationsPerRequest) batches.push(annotations.slice(i, i + CHECK_LIMITS.annotationsPerRequest));
  return batches;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
