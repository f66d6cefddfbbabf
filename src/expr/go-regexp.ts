/**
 * Go (RE2) regular expressions on JavaScript's engine. The common syntax is shared; this maps the
 * Go-only spellings people write in workflows: leading flag groups `(?i)`, `(?s)`, `(?m)`, named
 * groups `(?P<name>...)`, `\A` and `\z`. Go's `$1`/`${name}` replacement syntax is expanded by hand
 * because JavaScript's `$<name>` and `$1x` rules differ.
 */

/**
 * Compiles a Go regular expression. Throws an `Error` naming the pattern when it is invalid.
 *
 * @example
 * compileGoRegexp('(?i)^t.*').test('Tails') // true
 */
export function compileGoRegexp(pattern: string, global = false): RegExp {
  let source = pattern;
  let flags = global ? 'g' : '';
  const leading = /^\(\?([ims]+)\)/.exec(source);
  if (leading) {
    for (const flag of leading[1]!) if (!flags.includes(flag)) flags += flag;
    source = source.slice(leading[0].length);
  }
  source = source
    .replace(/\(\?P</g, '(?<')
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$(?![\\s\\S])');
  try {
    return new RegExp(source, flags);
  } catch (error) {
    throw new Error(`error parsing regexp ${JSON.stringify(pattern)}: ${(error as Error).message}`);
  }
}

/** Go's `Regexp.Expand` template language: `$1`, `${1}`, `$name`, `${name}`, `$$`. */
function expand(template: string, groups: ReadonlyArray<string | undefined>, named: Record<string, string | undefined>): string {
  return template.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (whole, _all, braced?: string, bare?: string) => {
    if (whole === '$$') return '$';
    const name = (braced ?? bare)!;
    if (/^[0-9]+$/.test(name)) return groups[Number(name)] ?? '';
    return named[name] ?? '';
  });
}

/** Go's `ReplaceAllString`: replaces every match, expanding `$` references in `replacement`. */
export function goReplaceAll(pattern: string, input: string, replacement: string, literal = false): string {
  const regexp = compileGoRegexp(pattern, true);
  return input.replace(regexp, (...args: unknown[]) => {
    if (literal) return replacement;
    const hasNamed = typeof args[args.length - 1] === 'object';
    const named = (hasNamed ? args[args.length - 1] : {}) as Record<string, string | undefined>;
    const groups = args.slice(0, args.length - (hasNamed ? 3 : 2)) as Array<string | undefined>;
    return expand(replacement, groups, named ?? {});
  });
}
