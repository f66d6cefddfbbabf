/**
 * The syntax tree of `{{= ...}}` expressions (the expr-lang subset Skiff understands) and the two
 * errors the expression layer throws. Every node keeps the 1-based column where it starts so a
 * linter can point at it inside the tag.
 */

export type ExpressionAst =
  | { kind: 'literal'; value: null | boolean | number | string; column: number }
  | { kind: 'identifier'; name: string; column: number }
  /** `#`, `#index`, `#acc` inside a predicate (`map(xs, {# * 2})`); name is '' for plain `#`. */
  | { kind: 'pointer'; name: string; column: number }
  | { kind: 'member'; object: ExpressionAst; property: ExpressionAst; optional: boolean; column: number }
  | { kind: 'slice'; object: ExpressionAst; from?: ExpressionAst; to?: ExpressionAst; column: number }
  | { kind: 'call'; callee: ExpressionAst; args: ExpressionAst[]; column: number }
  | { kind: 'predicate'; body: ExpressionAst; column: number }
  | { kind: 'unary'; operator: '!' | 'not' | '-' | '+'; operand: ExpressionAst; column: number }
  | { kind: 'binary'; operator: string; left: ExpressionAst; right: ExpressionAst; column: number }
  | { kind: 'conditional'; test: ExpressionAst; then: ExpressionAst; otherwise: ExpressionAst; column: number }
  | { kind: 'array'; items: ExpressionAst[]; column: number }
  | { kind: 'map'; entries: Array<{ key: ExpressionAst; value: ExpressionAst }>; column: number };

/** A malformed expression: `column` is 1-based within the expression text. */
export class ExpressionSyntaxError extends Error {
  readonly column: number;
  constructor(message: string, column: number) {
    super(`${message} (column ${column})`);
    this.name = 'ExpressionSyntaxError';
    this.column = column;
  }
}

/** A well-formed expression that cannot be evaluated: unknown name, wrong type, failing function. */
export class ExpressionError extends Error {
  readonly column: number | undefined;
  constructor(message: string, column?: number) {
    super(column === undefined ? message : `${message} (column ${column})`);
    this.name = 'ExpressionError';
    this.column = column;
  }
}

/**
 * Deepest nesting the parsers accept. Deeper input is rejected with a clear error instead of
 * overflowing the JavaScript stack; real workflow expressions stay far below it.
 */
export const MAX_NESTING_DEPTH = 200;
