import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { DocumentPath } from '../diagnostic.js';

export interface SourceRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/**
 * One YAML document of a file: its plain value for the checkers, and the syntax tree kept beside
 * it so any finding, given as a path into the value, can be put on its exact line and column.
 */
export class SourceDocument {
  constructor(
    readonly file: string,
    /** 0-based position of the document in its file. */
    readonly index: number,
    readonly value: unknown,
    private readonly text: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /**
   * Where the node at `path` is written. With `at: 'key'` the map key is given instead of its
   * value. A path that does not exist in the file (a missing required key, or a value that came
   * from a merge key) falls back to the deepest node that does exist, so a finding is never lost.
   * `span` narrows the result to a substring of a string value (a `{{...}}` tag inside a script).
   *
   * @example doc.locate(['spec', 'templates', 0, 'name'], 'value') // → { line: 7, column: 11, ... }
   */
  locate(path: DocumentPath, at: 'key' | 'value' = 'value', span?: { start: number; end: number }): SourceRange {
    let node: Node | null = this.doc.contents;
    let keyNode: Node | null = null;
    let found = true;
    for (const segment of path) {
      node = this.resolve(node);
      let next: { key: Node | null; value: Node | null } | undefined;
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (pair) next = { key: pair.key as Node, value: (pair.value as Node | null) ?? (pair.key as Node) };
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment] as Node | undefined;
        if (item && !isPair(item)) next = { key: null, value: item };
      }
      if (!next) {
        found = false;
        break;
      }
      keyNode = next.key;
      node = next.value;
    }
    const target = found && at === 'key' && keyNode ? keyNode : found ? node : (keyNode ?? node);
    return this.rangeOf(target, found && at === 'value' ? span : undefined);
  }

  private resolve(node: Node | null): Node | null {
    if (node && isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? node;
    return node;
  }

  private rangeOf(node: Node | null, span?: { start: number; end: number }): SourceRange {
    const range = node?.range;
    if (!node || !range) return this.toRange(0, 0);
    if (span && isScalar(node) && typeof node.value === 'string') {
      const offset = this.findInSource(node.value, span, range[0], range[1]);
      if (offset !== undefined) return this.toRange(offset, offset + (span.end - span.start));
    }
    return this.toRange(range[0], range[1]);
  }

  /**
   * Maps an offset in a parsed string back to the source. Block scalars, folded lines and quotes
   * make a direct mapping fiddly; the text of a `{{...}}` tag is written verbatim in every style
   * in practice, so finding the same occurrence of the same substring in the source is exact.
   */
  private findInSource(parsed: string, span: { start: number; end: number }, from: number, to: number): number | undefined {
    const needle = parsed.slice(span.start, span.end);
    if (!needle) return undefined;
    let occurrence = 0;
    for (let i = parsed.indexOf(needle); i !== -1 && i < span.start; i = parsed.indexOf(needle, i + 1)) occurrence++;
    const source = this.text.slice(from, to);
    let at = source.indexOf(needle);
    for (let n = 0; n < occurrence && at !== -1; n++) at = source.indexOf(needle, at + 1);
    return at === -1 ? undefined : from + at;
  }

  private toRange(start: number, end: number): SourceRange {
    const a = this.lines.linePos(start);
    const b = this.lines.linePos(Math.max(start, end));
    return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
  }

  /** The text of a 1-based line, for showing the offending line under a message. */
  lineText(line: number): string {
    return lineOf(this.text, line);
  }
}

export function lineOf(text: string, line: number): string {
  let start = 0;
  for (let n = 1; n < line; n++) {
    const next = text.indexOf('\n', start);
    if (next === -1) return '';
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end === -1 ? text.length : end).replace(/\r$/, '');
}
