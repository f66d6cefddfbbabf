import { type BuiltinFunction, int, str } from './builtin-arguments.js';
import { compileGoRegexp, goReplaceAll } from './go-regexp.js';

/**
 * sprig's regular expressions (regex.go), Go's RE2 syntax. `regexMatch` answers false for a bad
 * pattern; the other plain functions panic in Go and the `must` variants return the error, so
 * both fail here with the pattern's error.
 */

// Go's FindAllString: n < 0 finds all, otherwise at most n; no match is nil.
function findAll(pattern: string, text: string, n: number): string[] | null {
  if (n === 0) return null;
  const found = [...text.matchAll(compileGoRegexp(pattern, true))].map((m) => m[0]);
  const limited = n < 0 ? found : found.slice(0, n);
  return limited.length === 0 ? null : limited;
}

// Go's Regexp.Split: at most n parts (the last holds the rest), all for n < 0, nil for 0.
function split(pattern: string, text: string, n: number): string[] | null {
  if (n === 0) return null;
  if (pattern !== '' && text === '') return [''];
  const parts: string[] = [];
  let begin = 0;
  let end = 0;
  for (const match of text.matchAll(compileGoRegexp(pattern, true))) {
    if (n > 0 && parts.length === n - 1) break;
    end = match.index;
    const matchEnd = match.index + match[0].length;
    if (matchEnd !== 0) parts.push(text.slice(begin, end));
    begin = matchEnd;
  }
  if (end !== text.length) parts.push(text.slice(begin));
  return parts;
}

const functions: Record<string, BuiltinFunction> = {
  regexMatch: (pattern, s) => compileGoRegexp(str(pattern, 1)).test(str(s, 2)),
  regexFind: (pattern, s) => compileGoRegexp(str(pattern, 1)).exec(str(s, 2))?.[0] ?? '',
  regexFindAll: (pattern, s, n) => findAll(str(pattern, 1), str(s, 2), int(n, 3)),
  regexReplaceAll: (pattern, s, replacement) => goReplaceAll(str(pattern, 1), str(s, 2), str(replacement, 3)),
  regexReplaceAllLiteral: (pattern, s, replacement) => goReplaceAll(str(pattern, 1), str(s, 2), str(replacement, 3), true),
  regexSplit: (pattern, s, n) => split(str(pattern, 1), str(s, 2), int(n, 3)),
};

export const SPRIG_REGEX_FUNCTIONS: Readonly<Record<string, BuiltinFunction>> = {
  ...functions,
  ...Object.fromEntries(Object.entries(functions).map(([name, fn]) => [`must${name[0]!.toUpperCase()}${name.slice(1)}`, fn])),
  regexMatch: (pattern, s) => {
    try {
      return functions.regexMatch!(pattern, s);
    } catch {
      return false;
    }
  },
  regexQuoteMeta: (s) => str(s, 1).replace(/[\\.+*?()|[\]{}^$]/g, '\\$&'),
};
