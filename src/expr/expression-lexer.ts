import { ExpressionSyntaxError } from './expression-ast.js';

/** One lexical token of an expr-lang expression; `column` is 1-based. */
export interface ExpressionToken {
  kind: 'number' | 'string' | 'identifier' | 'operator' | 'bracket' | 'eof';
  value: string;
  column: number;
}

// Words expr-lang lexes as operators rather than names (`in`, `and`, ...).
const WORD_OPERATORS = new Set(['not', 'in', 'or', 'and', 'matches', 'contains', 'startsWith', 'endsWith']);
// Longest first, so `**` wins over `*` and `?.` over `?`.
const SYMBOLS = [
  '?.',
  '??',
  '**',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '..',
  '::',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '<',
  '>',
  '!',
  '?',
  ':',
  ',',
  '.',
  '|',
  '#',
  ';',
];
const ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '`': '`',
  '?': '?',
};

function isIdentifierStart(ch: string): boolean {
  return ch === '_' || ch === '$' || /\p{L}/u.test(ch);
}

function isIdentifierPart(ch: string): boolean {
  return isIdentifierStart(ch) || /\p{Nd}/u.test(ch);
}

/**
 * Splits an expression into tokens, in one linear pass.
 *
 * @example
 * tokenizeExpression("a.b == 'x'").map((t) => t.value) // ['a', '.', 'b', '==', 'x', '']
 */
export function tokenizeExpression(text: string): ExpressionToken[] {
  const tokens: ExpressionToken[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const column = i + 1;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '"' || ch === "'") {
      const end = readQuoted(text, i);
      tokens.push({ kind: 'string', value: unescapeString(text.slice(i + 1, end), column), column });
      i = end + 1;
    } else if (ch === '`') {
      const end = text.indexOf('`', i + 1);
      if (end < 0) throw new ExpressionSyntaxError('unterminated raw string', column);
      tokens.push({ kind: 'string', value: text.slice(i + 1, end), column });
      i = end + 1;
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const match = /^(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9_]*(\.(?!\.)[0-9_]*)?([eE][+-]?[0-9_]+)?)/.exec(text.slice(i, i + 400));
      const word = match![0];
      if (isIdentifierPart(text[i + word.length] ?? ' ')) {
        throw new ExpressionSyntaxError(`bad number syntax: "${text.slice(i, i + word.length + 1)}"`, column);
      }
      tokens.push({ kind: 'number', value: word, column });
      i += word.length;
    } else if (isIdentifierStart(ch)) {
      let end = i + 1;
      while (end < text.length && isIdentifierPart(text[end]!)) end++;
      const word = text.slice(i, end);
      tokens.push({ kind: WORD_OPERATORS.has(word) ? 'operator' : 'identifier', value: word, column });
      i = end;
    } else if ('()[]{}'.includes(ch)) {
      tokens.push({ kind: 'bracket', value: ch, column });
      i++;
    } else {
      const symbol = SYMBOLS.find((s) => text.startsWith(s, i));
      if (symbol === undefined) throw new ExpressionSyntaxError(`unrecognized character "${ch}"`, column);
      tokens.push({ kind: 'operator', value: symbol, column });
      i += symbol.length;
    }
  }
  tokens.push({ kind: 'eof', value: '', column: text.length + 1 });
  return tokens;
}

function readQuoted(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  throw new ExpressionSyntaxError('literal not terminated', start + 1);
}

function unescapeString(body: string, column: number): string {
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[++i] ?? '';
    const simple = ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const hexLength = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    const digits = body.slice(i + 1, i + 1 + hexLength);
    if (hexLength > 0 && /^[0-9a-fA-F]+$/.test(digits) && digits.length === hexLength) {
      out += String.fromCodePoint(parseInt(digits, 16));
      i += hexLength;
    } else if (/[0-7]/.test(next) && /^[0-7]{3}$/.test(body.slice(i, i + 3))) {
      out += String.fromCharCode(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else {
      throw new ExpressionSyntaxError(`invalid escape sequence "\\${next}" in string`, column);
    }
  }
  return out;
}
