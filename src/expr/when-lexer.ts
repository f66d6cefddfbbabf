import { MAX_NESTING_DEPTH } from './expression-ast.js';

/**
 * The govaluate lexer that Argo runs on a `when:` condition after substitution, with govaluate's
 * token kinds and its table of which token may follow which. Argo then retypes every VARIABLE as
 * a STRING, which is why `heads == heads` compares two strings.
 */

export type WhenTokenKind =
  | 'PREFIX'
  | 'NUMERIC'
  | 'BOOLEAN'
  | 'STRING'
  | 'TIME'
  | 'VARIABLE'
  | 'ACCESSOR'
  | 'COMPARATOR'
  | 'LOGICALOP'
  | 'MODIFIER'
  | 'CLAUSE'
  | 'CLAUSE_CLOSE'
  | 'TERNARY'
  | 'SEPARATOR';

export interface WhenToken {
  kind: WhenTokenKind;
  value: string | number | boolean;
  /** 1-based column of the token's first character. */
  column: number;
}

/** A `when:` condition that is malformed or cannot be evaluated; `column` is 1-based when known. */
export class WhenError extends Error {
  readonly column: number | undefined;
  constructor(message: string, column?: number) {
    super(column === undefined ? message : `${message} (column ${column})`);
    this.name = 'WhenError';
    this.column = column;
  }
}

const PREFIXES = new Set(['-', '!', '~']);
const MODIFIERS = new Set(['+', '-', '*', '/', '%', '**', '&', '|', '^', '>>', '<<']);
const LOGICAL = new Set(['&&', '||']);
const COMPARATORS = new Set(['==', '!=', '>', '>=', '<', '<=', '=~', '!~']);
const TERNARY = new Set(['?', ':', '??']);

const VALUES: WhenTokenKind[] = ['NUMERIC', 'BOOLEAN', 'VARIABLE', 'ACCESSOR', 'STRING', 'TIME', 'CLAUSE'];
const AFTER_VALUE: WhenTokenKind[] = ['MODIFIER', 'COMPARATOR', 'LOGICALOP', 'CLAUSE_CLOSE', 'TERNARY', 'SEPARATOR'];
/** govaluate's lexerState table: which kinds may follow each kind, and whether it may end the input. */
const STATES: Record<WhenTokenKind | 'START', { next: ReadonlySet<WhenTokenKind>; canEnd: boolean }> = {
  START: { next: new Set(['PREFIX', ...VALUES]), canEnd: false },
  CLAUSE: { next: new Set(['PREFIX', ...VALUES, 'CLAUSE_CLOSE']), canEnd: false },
  CLAUSE_CLOSE: {
    next: new Set([
      'COMPARATOR',
      'MODIFIER',
      'NUMERIC',
      'BOOLEAN',
      'VARIABLE',
      'STRING',
      'TIME',
      'CLAUSE',
      'CLAUSE_CLOSE',
      'LOGICALOP',
      'TERNARY',
      'SEPARATOR',
    ]),
    canEnd: true,
  },
  NUMERIC: { next: new Set(AFTER_VALUE), canEnd: true },
  BOOLEAN: { next: new Set(AFTER_VALUE), canEnd: true },
  STRING: { next: new Set(AFTER_VALUE), canEnd: true },
  VARIABLE: { next: new Set(AFTER_VALUE), canEnd: true },
  TIME: { next: new Set(['MODIFIER', 'COMPARATOR', 'LOGICALOP', 'CLAUSE_CLOSE', 'SEPARATOR']), canEnd: true },
  ACCESSOR: { next: new Set(['CLAUSE', ...AFTER_VALUE]), canEnd: true },
  MODIFIER: { next: new Set(['PREFIX', 'NUMERIC', 'VARIABLE', 'ACCESSOR', 'STRING', 'BOOLEAN', 'CLAUSE', 'CLAUSE_CLOSE']), canEnd: false },
  COMPARATOR: { next: new Set(['PREFIX', ...VALUES, 'CLAUSE_CLOSE']), canEnd: false },
  LOGICALOP: { next: new Set(['PREFIX', ...VALUES, 'CLAUSE_CLOSE']), canEnd: false },
  PREFIX: { next: new Set(['NUMERIC', 'BOOLEAN', 'VARIABLE', 'ACCESSOR', 'CLAUSE', 'CLAUSE_CLOSE']), canEnd: false },
  TERNARY: { next: new Set(['PREFIX', ...VALUES, 'SEPARATOR']), canEnd: false },
  SEPARATOR: { next: new Set(['PREFIX', ...VALUES]), canEnd: false },
};

/**
 * Tokenizes a `when:` condition and checks its token order, as govaluate's
 * `NewEvaluableExpression` does.
 *
 * @example
 * tokenizeWhen('tails == heads').map((t) => t.kind) // ['VARIABLE', 'COMPARATOR', 'VARIABLE']
 */
export function tokenizeWhen(text: string): WhenToken[] {
  const tokens: WhenToken[] = [];
  let state: WhenTokenKind | 'START' = 'START';
  let i = 0;
  let depth = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const column = i + 1;
    let token: WhenToken;
    if (/[0-9.]/.test(ch)) {
      if (ch === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
        const hex = /^[0-9a-fA-F]*/.exec(text.slice(i + 2))![0];
        if (hex === '') throw new WhenError(`Unable to parse hex value '' to uint64`, column);
        token = { kind: 'NUMERIC', value: parseInt(hex, 16), column };
        i += 2 + hex.length;
      } else {
        const word = /^[0-9.]+/.exec(text.slice(i))![0];
        if (!/^([0-9]+\.?[0-9]*|\.[0-9]+)$/.test(word)) throw new WhenError(`Unable to parse numeric value '${word}' to float64`, column);
        token = { kind: 'NUMERIC', value: Number(word), column };
        i += word.length;
      }
    } else if (ch === ',') {
      token = { kind: 'SEPARATOR', value: ',', column };
      i++;
    } else if (ch === '[') {
      const { value, end } = readEscaped(text, i + 1, (c) => c === ']', 'Unclosed parameter bracket', column);
      token = { kind: 'VARIABLE', value, column };
      i = end + 1;
    } else if (/\p{L}/u.test(ch)) {
      const word = /^[\p{L}\p{Nd}_.]+/u.exec(text.slice(i))![0];
      token = wordToken(word, column);
      i += word.length;
    } else if (ch === '"' || ch === "'") {
      // govaluate ends a string at either quote character, whichever comes first.
      const { value, end } = readEscaped(text, i + 1, (c) => c === '"' || c === "'", 'Unclosed string literal', column);
      const time = parseTime(value);
      token = time === undefined ? { kind: 'STRING', value, column } : { kind: 'TIME', value: time, column };
      i = end + 1;
    } else if (ch === '(' || ch === ')') {
      if (ch === '(' && ++depth > MAX_NESTING_DEPTH) throw new WhenError(`condition is too deeply nested (more than ${MAX_NESTING_DEPTH} parentheses)`, column);
      if (ch === ')') depth--;
      token = { kind: ch === '(' ? 'CLAUSE' : 'CLAUSE_CLOSE', value: ch, column };
      i++;
    } else {
      const symbol = /^[^\p{L}\p{Nd}()[\]'"\s]+/u.exec(text.slice(i))![0];
      token = { kind: symbolKind(symbol, state, column), value: symbol, column };
      i += symbol.length;
    }
    tokens.push(token);
    state = token.kind;
  }
  return tokens;
}

function readEscaped(text: string, from: number, stop: (c: string) => boolean, unclosed: string, column: number): { value: string; end: number } {
  let value = '';
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') value += text[++i] ?? '';
    else if (stop(c)) return { value, end: i };
    else value += c;
  }
  throw new WhenError(unclosed, column);
}

function wordToken(word: string, column: number): WhenToken {
  if (word === 'true' || word === 'false') return { kind: 'BOOLEAN', value: word === 'true', column };
  if (word === 'in' || word === 'IN') return { kind: 'COMPARATOR', value: 'in', column };
  if (!word.includes('.')) return { kind: 'VARIABLE', value: word, column };
  if (word.endsWith('.')) throw new WhenError(`Hanging accessor on token '${word}'`, column);
  for (const field of word.split('.').slice(1)) {
    const first = Array.from(field)[0] ?? '';
    if (first.toUpperCase() !== first) throw new WhenError(`Unable to access unexported field '${field}' in token '${word}'`, column);
  }
  return { kind: 'ACCESSOR', value: word, column };
}

function symbolKind(symbol: string, state: WhenTokenKind | 'START', column: number): WhenTokenKind {
  if (STATES[state].next.has('PREFIX') && PREFIXES.has(symbol)) return 'PREFIX';
  if (MODIFIERS.has(symbol)) return 'MODIFIER';
  if (LOGICAL.has(symbol)) return 'LOGICALOP';
  if (COMPARATORS.has(symbol)) return 'COMPARATOR';
  if (TERNARY.has(symbol)) return 'TERNARY';
  throw new WhenError(`Invalid token: '${symbol}' (hint: try wrapping the affected expression in quotes ("))`, column);
}

/**
 * govaluate's date detection for quoted strings (a subset: RFC 3339 and `2006-01-02[ 15:04[:05]]`),
 * read as UTC. Such strings compare as Unix seconds.
 */
function parseTime(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:([T ])(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(text);
  if (!match) return undefined;
  const [, , , , separator, , , seconds, fraction, zone] = match;
  if (separator === 'T' && (seconds === undefined || zone === undefined)) return undefined;
  if (separator === ' ' && (fraction !== undefined || (zone !== undefined && zone === 'Z'))) return undefined;
  const iso = `${text.slice(0, 10)}T${match[5] ?? '00'}:${match[6] ?? '00'}:${seconds ?? '00'}${fraction ?? ''}${zone ?? 'Z'}`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** govaluate's `checkExpressionSyntax` and `checkBalance`, run on the tokens as given. */
export function checkWhenSyntax(tokens: readonly WhenToken[]): void {
  let state: WhenTokenKind | 'START' = 'START';
  let previous: WhenToken | undefined;
  let balance = 0;
  for (const token of tokens) {
    if (token.kind === 'CLAUSE') balance++;
    if (token.kind === 'CLAUSE_CLOSE') balance--;
  }
  if (balance !== 0) throw new WhenError('Unbalanced parenthesis');
  for (const token of tokens) {
    if (!STATES[state].next.has(token.kind)) {
      if (previous?.kind === 'VARIABLE' && token.kind === 'CLAUSE') throw new WhenError(`Undefined function ${String(previous.value)}`, previous.column);
      const from = previous ? `${state} [${String(previous.value)}]` : 'the start';
      throw new WhenError(`Cannot transition token types from ${from} to ${token.kind} [${String(token.value)}]`, token.column);
    }
    state = token.kind;
    previous = token;
  }
  if (!STATES[state].canEnd) throw new WhenError('Unexpected end of expression');
}
