import { addToCatalog, checkDocument, emptyCatalog } from './check-document.js';
import { compareDiagnostics, type Diagnostic } from './diagnostic.js';
import { parseSourceFile } from './source/parse-source-file.js';
import type { SourceDocument } from './source/source-document.js';

export interface LintSource {
  /** The name to report, usually a path relative to where the lint was started. */
  file: string;
  text: string;
}

/** A document that was not checked, and why (a Deployment, a Helm values file, ...). */
export interface SkippedDocument {
  file: string;
  line: number;
  reason: string;
}

export interface LintReport {
  diagnostics: Diagnostic[];
  skipped: SkippedDocument[];
  /** Documents checked, by kind. */
  checked: Record<string, number>;
  /** The offending line for each diagnostic, keyed `file:line`, for human output. */
  lines: Map<string, string>;
}

export interface LintOptions {
  /**
   * The Argo kinds to check (`Workflow`, `WorkflowTemplate`, ...); documents of other Argo kinds
   * are skipped, as `argo lint --kinds` does. ConfigMaps and Secrets are always checked. Default: all.
   */
  kinds?: ReadonlySet<string>;
  /** Unknown fields are errors, not warnings, as `argo lint` (strict by default) has them. */
  strict?: boolean;
}

/** The Argo kinds `skiff lint --kinds` names, by Argo's plural spelling. */
export const ARGO_KIND_NAMES: Readonly<Record<string, string>> = {
  workflows: 'Workflow',
  workflowtemplates: 'WorkflowTemplate',
  cronworkflows: 'CronWorkflow',
  clusterworkflowtemplates: 'ClusterWorkflowTemplate',
};

/**
 * Lints a set of files together, so that a workflow's `templateRef` can be checked against the
 * WorkflowTemplates and ConfigMaps among them. Pure: the caller reads the files.
 *
 * @example lintSources([{ file: 'wf.yaml', text: 'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\n...' }]).diagnostics
 */
export function lintSources(sources: LintSource[], options: LintOptions = {}): LintReport {
  const diagnostics: Diagnostic[] = [];
  const skipped: SkippedDocument[] = [];
  const checked: Record<string, number> = {};
  const lines = new Map<string, string>();
  const catalog = emptyCatalog();
  const parsed: Array<{ source: LintSource; documents: SourceDocument[] }> = [];

  for (const source of sources) {
    const result = parseSourceFile(source.file, source.text);
    diagnostics.push(...result.diagnostics);
    for (const d of result.diagnostics) remember(lines, d, source.text);
    for (const document of result.documents) addToCatalog(catalog, document.value);
    parsed.push({ source, documents: result.documents });
  }

  for (const { source, documents } of parsed) {
    for (const document of documents) {
      const kind = kindOf(document.value);
      if (options.kinds && kind !== undefined && Object.values(ARGO_KIND_NAMES).includes(kind) && !options.kinds.has(kind)) {
        skipped.push({ file: source.file, line: document.locate([]).line, reason: `${kind} is not among the kinds asked for` });
        continue;
      }
      const result = checkDocument(document.value, catalog);
      if (!result.checked) {
        skipped.push({ file: source.file, line: document.locate([]).line, reason: result.reason });
        continue;
      }
      checked[result.kind] = (checked[result.kind] ?? 0) + 1;
      for (const finding of result.findings) {
        const range = document.locate(finding.path, finding.at, finding.span);
        const severity = options.strict && finding.rule === 'unknown-key' ? 'error' : finding.severity;
        const diagnostic: Diagnostic = { file: source.file, ...range, severity, rule: finding.rule, message: finding.message };
        diagnostics.push(diagnostic);
        lines.set(`${source.file}:${range.line}`, document.lineText(range.line));
      }
    }
  }
  diagnostics.sort(compareDiagnostics);
  return { diagnostics: dedupe(diagnostics), skipped, checked, lines };
}

function kindOf(value: unknown): string | undefined {
  return value !== null && typeof value === 'object' && typeof (value as { kind?: unknown }).kind === 'string' ? (value as { kind: string }).kind : undefined;
}

function remember(lines: Map<string, string>, diagnostic: Diagnostic, text: string): void {
  const all = text.split('\n');
  lines.set(`${diagnostic.file}:${diagnostic.line}`, (all[diagnostic.line - 1] ?? '').replace(/\r$/, ''));
}

/** The same finding reached twice (a template checked from two places) is shown once. */
function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.file}:${d.line}:${d.column}:${d.rule}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
