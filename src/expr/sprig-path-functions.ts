import { type BuiltinFunction, str } from './builtin-arguments.js';

/**
 * sprig's path functions: Go's `path` package (`base`, `dir`, `clean`, `ext`, `isAbs`) and
 * `path/filepath` (`osBase`, ...), which on Linux, where workflows run, behave the same.
 */

/**
 * Go's `path.Clean`: one slash between elements, no `.` elements, `..` resolved lexically.
 *
 * @example
 * cleanPath('a//b/../c/.') // 'a/c'
 */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out.at(-1) !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  return rooted ? `/${joined}` : joined || '.';
}

function base(path: string): string {
  if (path === '') return '.';
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

const dir = (path: string): string => cleanPath(path.slice(0, path.lastIndexOf('/') + 1));
const ext = (path: string): string => /\.[^./]*$/.exec(path)?.[0] ?? '';

const functions: Record<string, (path: string) => unknown> = {
  base,
  dir,
  clean: cleanPath,
  ext,
  isAbs: (path) => path.startsWith('/'),
};

export const SPRIG_PATH_FUNCTIONS: Readonly<Record<string, BuiltinFunction>> = Object.fromEntries(
  Object.entries(functions).flatMap(([name, fn]) => {
    const wrapped: BuiltinFunction = (path) => fn(str(path, 1));
    return [
      [name, wrapped],
      [`os${name[0]!.toUpperCase()}${name.slice(1)}`, wrapped],
    ];
  }),
);
