import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Scalar } from 'yaml';
import type { Diagnostic } from '../diagnostic.js';
import { relaxFlowIndentation } from './relax-flow-indentation.js';
import { SourceDocument } from './source-document.js';

/**
 * Limits that keep hostile files (pull-request contents are untrusted) from costing more than a
 * fraction of a second each. Real workflow files are far below every one of them.
 */
export const SOURCE_LIMITS = {
  /** Bytes per file. */
  maxFileBytes: 5 * 1024 * 1024,
  /** YAML documents per file. */
  maxDocuments: 1000,
  /** Alias expansions per document: stops "billion laughs" expansion. */
  maxAliasCount: 1000,
  /** Nesting of maps and sequences per document; deeper data is refused, not walked. */
  maxDepth: 100,
} as const;

export interface ParsedSourceFile {
  documents: SourceDocument[];
  diagnostics: Diagnostic[];
}

/**
 * Parses every YAML (or JSON, a subset of YAML) document of a file, keeping source positions.
 * Syntax errors, oversized or binary input and excessive nesting become diagnostics; a document
 * with errors is left out of `documents`, the rest of the file still is checked.
 *
 * @example parseSourceFile('wf.yaml', 'kind: Workflow\n').documents[0].value // → { kind: 'Workflow' }
 */
export function parseSourceFile(file: string, text: string): ParsedSourceFile {
  const diagnostics: Diagnostic[] = [];
  const fileError = (rule: string, message: string, line = 1, column = 1): ParsedSourceFile => ({
    documents: [],
    diagnostics: [{ file, line, column, severity: 'error', rule, message }],
  });

  if (Buffer.byteLength(text, 'utf8') > SOURCE_LIMITS.maxFileBytes) {
    return fileError('file-too-large', `file is larger than ${SOURCE_LIMITS.maxFileBytes / 1024 / 1024} MiB; refusing to parse it`);
  }
  const nul = text.indexOf('\u0000');
  if (nul !== -1) return fileError('binary-file', 'file contains NUL bytes: it is binary, not YAML');
  // Counting separators first keeps a file of a million tiny documents from being parsed at all.
  const separators = text.match(/^---/gm)?.length ?? 0;
  if (separators + 1 > SOURCE_LIMITS.maxDocuments) {
    return fileError('too-many-documents', `file has more than ${SOURCE_LIMITS.maxDocuments} YAML documents; split it`);
  }

  let lines = new LineCounter();
  let docs = parseDocuments(text, lines);
  if (docs.some((doc) => doc.errors.length > 0)) {
    // Accept what Go's YAML parser (and so Argo) accepts: see relaxFlowIndentation.
    const relaxed = relaxFlowIndentation(text);
    const relaxedLines = new LineCounter();
    const relaxedDocs = relaxed === text ? docs : parseDocuments(relaxed, relaxedLines);
    if (relaxedDocs.every((doc) => doc.errors.length === 0)) {
      text = relaxed;
      lines = relaxedLines;
      docs = relaxedDocs;
    }
  }
  const documents: SourceDocument[] = [];
  docs.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const at = lines.linePos(error.pos[0]);
        diagnostics.push({ file, line: at.line, column: at.col, severity: 'error', rule: 'yaml-syntax', message: firstLine(error.message) });
      }
      return;
    }
    if (doc.contents === null) return; // an empty document, e.g. a trailing `---`
    for (const { key, first } of duplicateKeys(doc)) {
      const at = lines.linePos(key.range![0]);
      const before = lines.linePos(first.range![0]).line;
      diagnostics.push({
        file,
        line: at.line,
        column: at.col,
        severity: 'warning',
        rule: 'duplicate-key',
        message: `key "${String(key.value)}" is given again; this value replaces the one on line ${before}`,
      });
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: SOURCE_LIMITS.maxAliasCount });
    } catch (error) {
      const at = lines.linePos(doc.range[0]);
      const message = /alias/i.test(String((error as Error).message))
        ? `document expands too many aliases (over ${SOURCE_LIMITS.maxAliasCount}); refusing it as a resource-exhaustion attempt`
        : `document cannot be read: ${firstLine(String((error as Error).message))}`;
      diagnostics.push({ file, line: at.line, column: at.col, severity: 'error', rule: 'yaml-aliases', message });
      return;
    }
    if (depthExceeds(value, SOURCE_LIMITS.maxDepth)) {
      const at = lines.linePos(doc.range[0]);
      diagnostics.push({
        file,
        line: at.line,
        column: at.col,
        severity: 'error',
        rule: 'too-deep',
        message: `document nests deeper than ${SOURCE_LIMITS.maxDepth} levels; refusing it`,
      });
      return;
    }
    documents.push(new SourceDocument(file, index, value, text, doc, lines));
  });
  return { documents, diagnostics };
}

function parseDocuments(text: string, lines: LineCounter): Document.Parsed[] {
  // Duplicate keys are reported as warnings below rather than refused: Go's YAML parser keeps the
  // last value, so Argo accepts such files, and people should still hear about them.
  const parsed = parseAllDocuments(text, { lineCounter: lines, merge: true, prettyErrors: false, uniqueKeys: false });
  return Array.isArray(parsed) ? parsed : [];
}

/** Every key given a second time in one map, with its first occurrence. */
function duplicateKeys(doc: Document.Parsed): Array<{ key: Scalar; first: Scalar }> {
  const found: Array<{ key: Scalar; first: Scalar }> = [];
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Map<string, Scalar>();
      for (const pair of node.items) {
        if (isScalar(pair.key) && pair.key.range) {
          const name = String(pair.key.value);
          const earlier = seen.get(name);
          if (earlier) found.push({ key: pair.key, first: earlier });
          else seen.set(name, pair.key);
        }
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      stack.push(...node.items);
    }
  }
  return found;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

/** Iterative, so that measuring a hostile document cannot itself overflow the stack. */
function depthExceeds(root: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[root, 0]];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object' || seen.has(value)) continue;
    if (depth >= max) return true;
    seen.add(value);
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return false;
}
