/**
 * Compiles a path glob into a predicate over `/`-separated paths relative to the repository root.
 * The syntax is the common subset people expect from .gitignore and CI tools: `*` and `?` never
 * cross a `/`, `**` as a whole segment spans any number of directories (none included), `{a,b}`
 * picks one alternative, `[abc]` / `[a-z]` / `[!a]` one character. The pattern matches the whole
 * path; a pattern without `/` therefore matches a file at the root only (write `**\/x` for anywhere).
 * Throws on a malformed pattern, so a config file's bad glob is reported rather than matching nothing.
 *
 * @example compileGlob('workflows/**\/*.yaml')('workflows/ci/build.yaml') // → true
 */
export function compileGlob(pattern: string): (path: string) => boolean {
  const regex = new RegExp(`^${translate(pattern)}$`, 'u');
  return (path) => regex.test(path);
}

/** True when `path` matches at least one of the compiled globs. */
export function matchesAny(matchers: ReadonlyArray<(path: string) => boolean>, path: string): boolean {
  return matchers.some((match) => match(path));
}

function translate(pattern: string): string {
  if (pattern === '') throw new Error('empty glob');
  if (pattern.startsWith('/')) throw new Error('a glob is relative to the repository root and must not start with "/"');
  let out = '';
  let braceDepth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const atSegmentStart = i === 0 || pattern[i - 1] === '/';
    if (c === '*' && pattern[i + 1] === '*' && atSegmentStart && (pattern[i + 2] === '/' || i + 2 === pattern.length)) {
      // `**/` is zero or more whole directories; a trailing `**` is everything below.
      if (i + 2 === pattern.length) out += '.*';
      else out += '(?:[^/]+/)*';
      i += 2;
      continue;
    }
    if (c === '*') {
      if (pattern[i + 1] === '*') throw new Error('"**" must be a whole path segment, as in "a/**/b"');
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) throw new Error('unclosed "[" in glob');
      let body = pattern.slice(i + 1, end);
      const negated = body.startsWith('!');
      if (negated) body = body.slice(1);
      out += `[${negated ? '^/' : ''}${body.replace(/[\\^\]]/g, (s) => `\\${s}`)}]`;
      i = end;
    } else if (c === '{') {
      braceDepth++;
      out += '(?:';
    } else if (c === '}' && braceDepth > 0) {
      braceDepth--;
      out += ')';
    } else if (c === ',' && braceDepth > 0) {
      out += '|';
    } else if (c === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) throw new Error('glob ends with an escape "\\"');
      out += escapeRegex(next);
      i++;
    } else {
      out += escapeRegex(c);
    }
  }
  if (braceDepth > 0) throw new Error('unclosed "{" in glob');
  return out;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
