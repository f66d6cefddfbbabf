import type { Diagnostic } from '../spec/diagnostic.js';
import type { LintReport } from '../spec/lint-sources.js';

/**
 * Compiler-style output: `file:line:col: severity [rule] message`, then the offending line with a
 * caret under the column, so the problem can be seen without opening the file.
 */
export function formatHuman(report: LintReport, options: { color: boolean }): string {
  const paint = (code: string, text: string): string => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const colors: Record<Diagnostic['severity'], string> = { error: '31;1', warning: '33;1', notice: '36' };
  const out: string[] = [];
  for (const d of report.diagnostics) {
    out.push(`${paint('1', `${d.file}:${d.line}:${d.column}`)}: ${paint(colors[d.severity], d.severity)} [${d.rule}] ${d.message}`);
    const line = report.lines.get(`${d.file}:${d.line}`);
    if (line !== undefined && line.length <= 300) {
      const gutter = String(d.line).padStart(5);
      out.push(`${gutter} | ${line}`);
      out.push(`${' '.repeat(gutter.length)} | ${' '.repeat(Math.max(0, d.column - 1))}${paint(colors[d.severity], '^')}`);
    }
  }
  for (const s of report.skipped) out.push(`${s.file}:${s.line}: note: skipped: ${s.reason}`);
  out.push(summaryLine(report));
  return `${out.join('\n')}\n`;
}

/** One line per problem and the summary: for logs and scripts that grep. */
export function formatSimple(report: LintReport): string {
  const out = report.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.severity} [${d.rule}] ${d.message}`);
  out.push(summaryLine(report));
  return `${out.join('\n')}\n`;
}

export function summaryLine(report: LintReport): string {
  const count = (severity: Diagnostic['severity']): number => report.diagnostics.filter((d) => d.severity === severity).length;
  const checked = Object.values(report.checked).reduce((a, b) => a + b, 0);
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${plural(count('notice'), 'notice')} in ${plural(checked, 'document')} checked (${report.skipped.length} skipped)`;
}

/** The machine-readable form; each diagnostic maps one to one onto a GitHub check-run annotation. */
export function formatJson(report: LintReport): string {
  const count = (severity: Diagnostic['severity']): number => report.diagnostics.filter((d) => d.severity === severity).length;
  return `${JSON.stringify(
    {
      diagnostics: report.diagnostics,
      skipped: report.skipped,
      summary: { errors: count('error'), warnings: count('warning'), notices: count('notice'), checked: report.checked, skipped: report.skipped.length },
    },
    null,
    2,
  )}\n`;
}
