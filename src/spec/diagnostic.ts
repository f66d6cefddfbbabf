/**
 * A finding about a file, placed on the exact line and column a person has to look at.
 * This is the one shape every checker produces and every reporter (terminal, JSON, GitHub
 * check-run annotations) consumes.
 */
export type Severity = 'error' | 'warning' | 'notice';

export interface Diagnostic {
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
  /** Last line and column of the offending text, when it is known; used for annotations. */
  endLine?: number;
  endColumn?: number;
  severity: Severity;
  /** Stable rule id, e.g. `unknown-key` or `dag-cycle`, so people can look it up and filter on it. */
  rule: string;
  message: string;
}

/** A path into a YAML document's value: map keys and sequence indexes. */
export type DocumentPath = ReadonlyArray<string | number>;

/**
 * What a checker reports before it is placed in the file: where (a path into the document,
 * optionally a character range inside the string found there) and what.
 */
export interface Finding {
  path: DocumentPath;
  /** Point at the map key rather than its value (e.g. an unknown key). */
  at?: 'key' | 'value';
  /** For findings inside a string value: the offending substring's offsets in the parsed string. */
  span?: { start: number; end: number };
  severity: Severity;
  rule: string;
  message: string;
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule);
}
