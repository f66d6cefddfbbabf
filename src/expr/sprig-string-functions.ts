import { type BuiltinFunction, int, str } from './builtin-arguments.js';
import { goSplit } from './go-strings.js';
import { goString } from './go-values.js';

/**
 * sprig's string functions (strings.go and the goutils/xstrings helpers it wraps). Argument order
 * is sprig's: the string comes last, so `sprig.trunc(5, s)`.
 */

// Go's %q: a double-quoted string with Go escapes; JSON's escaping matches for printable text.
function goQuote(text: string): string {
  return JSON.stringify(text).replace(/\\u([0-9a-f]{4})/g, (whole, hex: string) => {
    const code = parseInt(hex, 16);
    return code === 0x7f || code < 0x20 ? `\\x${hex.slice(2)}` : whole;
  });
}

function escapeClass(chars: string): string {
  return chars.replace(/[\\\]^-]/g, '\\$&');
}

// Go's strings.Trim(s, cutset).
function trimCutset(cutset: string, text: string): string {
  if (cutset === '') return text;
  return text.replace(new RegExp(`^[${escapeClass(cutset)}]+|[${escapeClass(cutset)}]+$`, 'gu'), '');
}

/** goutils `AbbreviateFull`: keeps `maxWidth` characters around `offset`, marking cuts with "...". */
function abbreviate(text: string, offset: number, maxWidth: number): string {
  if (text === '' || text.length <= maxWidth) return text;
  let from = Math.min(offset, text.length);
  if (text.length - from < maxWidth - 3) from = text.length - (maxWidth - 3);
  if (from <= 4) return `${text.slice(0, maxWidth - 3)}...`;
  if (from + maxWidth - 3 < text.length) return `...${abbreviate(text.slice(from), 0, maxWidth - 3)}`;
  return `...${text.slice(text.length - (maxWidth - 3))}`;
}

const isSpace = (c: string): boolean => /\s/u.test(c);
const isUpper = (c: string): boolean => /\p{Lu}/u.test(c);
const isLower = (c: string): boolean => /\p{Ll}/u.test(c);
const isDigit = (c: string): boolean => /\p{N}/u.test(c);
// xstrings' connectors: what separates words and is replaced in snake_case and kebab-case.
const isConnector = (c: string): boolean => c === '_' || c === '-' || isSpace(c);

type WordKind = 'number' | 'upper' | 'alpha' | 'connector' | 'punct' | 'other' | 'end';
interface Word {
  kind: WordKind;
  text: string;
}

// xstrings counts CJK ideographs as "other", not as letters that form words.
const isAlphabet = (c: string): boolean => /\p{L}/u.test(c) && !/[\u3400-\u4D85\u4E00-\u9FCC\u{20000}-\u{2B81D}]/u.test(c);
const isPunct = (c: string): boolean => /\p{P}/u.test(c);

/**
 * Splits text into xstrings' words: runs of connectors, of punctuation, of digits, of small
 * letters, a capital with the small letters after it, or an acronym (`HTTP` in `HTTPServer`,
 * whose last capital starts the next word).
 */
function splitWords(text: string): Word[] {
  const chars = Array.from(text);
  const words: Word[] = [];
  let i = 0;
  const run = (from: number, test: (c: string) => boolean): number => {
    let end = from;
    while (end < chars.length && test(chars[end]!)) end++;
    return end;
  };
  while (i < chars.length) {
    const c = chars[i]!;
    let kind: WordKind;
    let end: number;
    if (isConnector(c)) [kind, end] = ['connector', run(i, isConnector)];
    else if (isPunct(c)) [kind, end] = ['punct', run(i, isPunct)];
    else if (isUpper(c)) {
      kind = 'upper';
      end = i + 1;
      const next = chars[end];
      if (next !== undefined && isUpper(next)) {
        end = run(end, isUpper);
        if (end < chars.length && isAlphabet(chars[end]!)) end--;
      } else if (next !== undefined && isAlphabet(next)) end = run(end, (x) => isAlphabet(x) && !isUpper(x));
    } else if (isAlphabet(c)) [kind, end] = ['alpha', run(i, (x) => isAlphabet(x) && !isUpper(x))];
    else if (isDigit(c)) [kind, end] = ['number', run(i, isDigit)];
    else [kind, end] = ['other', run(i + 1, (x) => !isConnector(x) && !isAlphabet(x) && !isDigit(x) && !isPunct(x))];
    words.push({ kind, text: chars.slice(i, end).join('') });
    i = end;
  }
  return words;
}

/**
 * xstrings' `ToSnakeCase`/`ToKebabCase`: words joined by `connector`, capitals made small, each
 * connector character kept as one `connector`. A number belongs to the word before it
 * (`Bld4Floor`: `bld4_floor`) unless small letters follow it (`HTTP20xOK`: `http_20x_ok`).
 */
function lowerWords(text: string, connector: string): string {
  const words = splitWords(text);
  let index = 0;
  const next = (): Word => words[index++] ?? { kind: 'end', text: '' };
  const more = (): boolean => index < words.length;
  let out = '';
  const emit = (word: Word): void => {
    if (word.kind !== 'upper' && word.kind !== 'connector') out += word.text;
    else for (const c of word.text) out += isConnector(c) ? connector : c.toLowerCase();
  };
  const separates = (word: Word): boolean => word.kind !== 'end' && word.kind !== 'connector' && word.kind !== 'punct';
  let word = next();
  while (more()) {
    if (word.kind !== 'connector') emit(word);
    const previous = word;
    word = next();
    if (previous.kind === 'connector') emit(previous);
    else if (previous.kind === 'number') {
      while (word.kind === 'alpha' || word.kind === 'number') {
        emit(word);
        word = next();
      }
      if (separates(word)) out += connector;
    } else if (previous.kind !== 'punct') {
      if (word.kind !== 'number') {
        if (separates(word)) out += connector;
        continue;
      }
      if (!more()) continue;
      const number = word;
      word = next();
      if (word.kind !== 'alpha') {
        emit(number);
        if (separates(word)) out += connector;
        continue;
      }
      out += connector;
      emit(number);
      while (word.kind === 'alpha' || word.kind === 'number') {
        emit(word);
        word = next();
      }
      if (separates(word)) out += connector;
    }
  }
  emit(word);
  return out;
}

/**
 * xstrings' `ToPascalCase` (its `ToCamelCase` before 1.5): a connector is dropped and the letter
 * after it capitalised, the first letter too; other letters keep their case; connectors at the
 * start, and all but the last of a run, are kept.
 */
function pascalCase(text: string): string {
  const chars = Array.from(text);
  let i = 0;
  let out = '';
  while (i < chars.length && isConnector(chars[i]!)) out += chars[i++];
  if (i === chars.length) return out;
  let current = chars[i++]!.toUpperCase();
  for (; i < chars.length; i++) {
    const previous = current;
    current = chars[i]!;
    if (isConnector(current) && isConnector(previous)) out += previous;
    else if (isConnector(previous)) current = current.toUpperCase();
    else out += previous;
  }
  return out + current;
}

/** goutils `SwapCase`: capitals to small, small to capital (title case at a word's start, the same for these scripts). */
function swapCase(text: string): string {
  return Array.from(text, (c) => (isUpper(c) ? c.toLowerCase() : isLower(c) ? c.toUpperCase() : c)).join('');
}

/** goutils `WrapCustom`: breaks at the last space within `width`; long words break only if `breakLong`. */
function wrap(text: string, width: number, newline: string, breakLong: boolean): string {
  if (text === '') return '';
  const lineBreak = newline === '' ? '\n' : newline;
  const limit = Math.max(1, width);
  let offset = 0;
  let out = '';
  while (text.length - offset > limit) {
    if (text[offset] === ' ') {
      offset++;
      continue;
    }
    const space = text.slice(offset, limit + offset + 1).lastIndexOf(' ');
    if (space >= 0) {
      out += text.slice(offset, offset + space) + lineBreak;
      offset += space + 1;
    } else if (breakLong) {
      out += text.slice(offset, offset + limit) + lineBreak;
      offset += limit;
    } else {
      const next = text.indexOf(' ', offset + limit);
      if (next < 0) {
        out += text.slice(offset);
        offset = text.length;
      } else {
        out += text.slice(offset, next) + lineBreak;
        offset = next + 1;
      }
    }
  }
  return out + text.slice(offset);
}

// The bytes Go's unicode.IsSpace accepts when a byte is taken as a rune (U+0085 and U+00A0 too).
const GO_SPACE_BYTES = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0]);

function indent(spaces: number, text: string): string {
  const pad = ' '.repeat(Math.max(0, Math.min(spaces, 10_000)));
  return pad + text.replaceAll('\n', `\n${pad}`);
}

export const SPRIG_STRING_FUNCTIONS: Readonly<Record<string, BuiltinFunction>> = {
  hello: () => 'Hello!',
  toString: (v: unknown) => goString(v),
  trim: (s) => str(s, 1).trim(),
  trimAll: (cutset, s) => trimCutset(str(cutset, 1), str(s, 2)),
  trimall: (cutset, s) => trimCutset(str(cutset, 1), str(s, 2)),
  trimPrefix: (prefix, s) => (str(s, 2).startsWith(str(prefix, 1)) ? str(s, 2).slice(str(prefix, 1).length) : str(s, 2)),
  trimSuffix: (suffix, s) => (str(suffix, 1) !== '' && str(s, 2).endsWith(str(suffix, 1)) ? str(s, 2).slice(0, -str(suffix, 1).length) : str(s, 2)),
  upper: (s) => str(s, 1).toUpperCase(),
  lower: (s) => str(s, 1).toLowerCase(),
  title: (s) => str(s, 1).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, before: string, letter: string) => before + letter.toUpperCase()),
  // goutils' Uncapitalize: the first letter of each space-separated word.
  untitle: (s) => str(s, 1).replace(/(^|\s)(\S)/gu, (_m, space: string, c: string) => space + c.toLowerCase()),
  nospace: (s) => str(s, 1).replace(/\s+/g, ''),
  trunc: (n, s) => (int(n, 1) >= 0 ? str(s, 2).slice(0, int(n, 1)) : str(s, 2).slice(int(n, 1))),
  abbrev: (width, s) => (int(width, 1) < 4 ? str(s, 2) : abbreviate(str(s, 2), 0, int(width, 1))),
  abbrevboth: (left, right, s) => {
    const [l, r, text] = [int(left, 1), int(right, 2), str(s, 3)];
    return r < 4 || (l > 0 && r < 7) ? text : abbreviate(text, l, r);
  },
  substr: (start, end, s) => {
    const text = str(s, 3);
    const [from, to] = [int(start, 1), int(end, 2)];
    if (from < 0) return text.slice(0, to);
    if (to < 0 || to > text.length) return text.slice(from);
    return text.slice(from, to);
  },
  repeat: (n, s) => str(s, 2).repeat(Math.max(0, Math.min(int(n, 1), 100_000))),
  replace: (old, replacement, src) => str(src, 3).split(str(old, 1)).join(str(replacement, 2)),
  contains: (needle, haystack) => str(haystack, 2).includes(str(needle, 1)),
  hasPrefix: (prefix, s) => str(s, 2).startsWith(str(prefix, 1)),
  hasSuffix: (suffix, s) => str(s, 2).endsWith(str(suffix, 1)),
  quote: (...values) =>
    values
      .filter((v) => v !== null && v !== undefined)
      .map((v) => goQuote(goString(v)))
      .join(' '),
  squote: (...values) =>
    values
      .filter((v) => v !== null && v !== undefined)
      .map((v) => `'${goString(v)}'`)
      .join(' '),
  cat: (...values) =>
    values
      .filter((v) => v !== null && v !== undefined)
      .map(goString)
      .join(' '),
  // goutils reads bytes, not runes: a non-ASCII initial comes out as its first byte's Latin-1 letter.
  initials: (s) => {
    let out = '';
    let gap = true;
    for (const byte of Buffer.from(str(s, 1), 'utf8')) {
      if (GO_SPACE_BYTES.has(byte)) gap = true;
      else if (gap) {
        out += String.fromCharCode(byte);
        gap = false;
      }
    }
    return out;
  },
  swapcase: (s) => swapCase(str(s, 1)),
  snakecase: (s) => lowerWords(str(s, 1), '_'),
  kebabcase: (s) => lowerWords(str(s, 1), '-'),
  camelcase: (s) => pascalCase(str(s, 1)),
  wrap: (width, s) => wrap(str(s, 2), int(width, 1), '', false),
  wrapWith: (width, separator, s) => wrap(str(s, 3), int(width, 1), str(separator, 2), true),
  indent: (spaces, s) => indent(int(spaces, 1), str(s, 2)),
  nindent: (spaces, s) => `\n${indent(int(spaces, 1), str(s, 2))}`,
  plural: (one, many, count) => (int(count, 3) === 1 ? str(one, 1) : str(many, 2)),
  split: (separator, s) => Object.fromEntries(goSplit(str(s, 2), str(separator, 1)).map((part, i) => [`_${i}`, part])),
  splitList: (separator, s) => goSplit(str(s, 2), str(separator, 1)),
  splitn: (separator, n, s) => Object.fromEntries(goSplit(str(s, 3), str(separator, 1), int(n, 2)).map((part, i) => [`_${i}`, part])),
};
