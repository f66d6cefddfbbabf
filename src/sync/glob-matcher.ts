/**
 * Compiles a path glob into a predicate over `/`-separated paths relative to the repository root.
 * The syntax is the common subset people expect from .gitignore and CI tools: `*` and `?` never
 * cross a `/`, `**` as a whole segment spans any number of directories (none included), `{a,b}`
 * picks one alternative, `[abc]` / `[a-z]` / `[!a]` one character. The pattern matches the whole
 * path; a pattern without `/` therefore matches a file at the root only (write `**\/x` for anywhere).
 * Throws on a malformed pattern, so a config file's bad glob is reported rather than matching nothing.
 *
 * Matching runs in time linear in the path's length times the pattern's (a set of positions in the
 * pattern is carried along the path, never backtracking), so a hostile glob such as
 * `**\/**\/**\/*a*a*a*b` costs no more than a plain one of its length.
 *
 * @example compileGlob('workflows/**\/*.yaml')('workflows/ci/build.yaml') // → true
 */
export function compileGlob(pattern: string): GlobMatcher {
  translate(pattern); // the syntax check, with its messages
  const alternatives = expand(parse(pattern));
  const match = (path: string) => alternatives.some((tokens) => matchTokens(tokens, path));
  return Object.assign(match, { size: alternatives.reduce((sum, tokens) => sum + tokens.length + 1, 0) });
}

/** A compiled glob; matching one path costs at most `size` steps per character of the path. */
export type GlobMatcher = ((path: string) => boolean) & { size: number };

/** One step of a glob: a character, `?`, a class, `*`, or the parts of `**`. */
type Token =
  | { kind: 'char'; char: string }
  | { kind: 'any' }
  | { kind: 'class'; regex: RegExp }
  | { kind: 'star' }
  /** `**\/`: zero or more whole directories, as a boundary state and an inside-a-name state. */
  | { kind: 'dirs' }
  | { kind: 'dirs-inside' }
  /** A trailing `**`: everything below. */
  | { kind: 'rest' };
type Node = Token | { kind: 'alt'; options: Node[][] };

/** Alternatives of `{a,b}` multiply; past this many a glob is refused rather than slow. */
const MAX_ALTERNATIVES = 256;

/** The pattern as tokens and alternations, read exactly as translate() reads it. */
function parse(pattern: string): Node[] {
  const stack: Node[][][] = [];
  let current: Node[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const atSegmentStart = i === 0 || pattern[i - 1] === '/';
    if (c === '*' && pattern[i + 1] === '*' && atSegmentStart && (pattern[i + 2] === '/' || i + 2 === pattern.length)) {
      if (i + 2 === pattern.length) current.push({ kind: 'rest' });
      else current.push({ kind: 'dirs' }, { kind: 'dirs-inside' });
      i += 2;
    } else if (c === '*') current.push({ kind: 'star' });
    else if (c === '?') current.push({ kind: 'any' });
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      let body = pattern.slice(i + 1, end);
      const negated = body.startsWith('!');
      if (negated) body = body.slice(1);
      current.push({ kind: 'class', regex: new RegExp(`^[${negated ? '^/' : ''}${body.replace(/[\\^\]]/g, (x) => `\\${x}`)}]$`, 'u') });
      i = end;
    } else if (c === '{') {
      stack.push([current]);
      current = [];
    } else if (c === '}' && stack.length > 0) {
      const options = stack.pop()!;
      options.push(current);
      const outer = options.shift()!;
      outer.push({ kind: 'alt', options });
      current = outer;
    } else if (c === ',' && stack.length > 0) {
      stack[stack.length - 1]!.push(current);
      current = [];
    } else if (c === '\\') {
      current.push({ kind: 'char', char: pattern[i + 1]! });
      i++;
    } else current.push({ kind: 'char', char: c });
  }
  return current;
}

/** Every token sequence the alternations allow. */
function expand(nodes: readonly Node[]): Token[][] {
  let sequences: Token[][] = [[]];
  for (const node of nodes) {
    if (node.kind !== 'alt') {
      for (const sequence of sequences) sequence.push(node);
      continue;
    }
    const options = node.options.flatMap((option) => expand(option));
    const next: Token[][] = [];
    for (const sequence of sequences) for (const option of options) next.push([...sequence, ...option]);
    if (next.length > MAX_ALTERNATIVES) throw new Error(`the glob's {…} alternatives make more than ${MAX_ALTERNATIVES} patterns`);
    sequences = next;
  }
  return sequences;
}

/** Whether the tokens match all of `path`: the set of pattern positions reachable so far, carried character by character. */
function matchTokens(tokens: readonly Token[], path: string): boolean {
  const end = tokens.length;
  let active: Uint8Array = new Uint8Array(end + 1);
  const close = (states: Uint8Array): Uint8Array => {
    // Tokens that may match nothing let the next one start at once.
    for (let i = 0; i < end; i++) {
      if (!states[i]) continue;
      const kind = tokens[i]!.kind;
      if (kind === 'star' || kind === 'rest') states[i + 1] = 1;
      else if (kind === 'dirs') states[i + 2] = 1;
    }
    return states;
  };
  active[0] = 1;
  close(active);
  for (const char of path) {
    const next = new Uint8Array(end + 1);
    let any = false;
    for (let i = 0; i < end; i++) {
      if (!active[i]) continue;
      const token = tokens[i]!;
      let to = -1;
      switch (token.kind) {
        case 'char':
          if (char === token.char) to = i + 1;
          break;
        case 'any':
          if (char !== '/') to = i + 1;
          break;
        case 'class':
          if (token.regex.test(char)) to = i + 1;
          break;
        case 'star':
          if (char !== '/') to = i;
          break;
        case 'rest':
          to = i;
          break;
        case 'dirs':
          if (char !== '/') to = i + 1;
          break;
        case 'dirs-inside':
          to = char === '/' ? i - 1 : i;
          break;
      }
      if (to >= 0) {
        next[to] = 1;
        any = true;
      }
    }
    if (!any) return false;
    active = close(next);
  }
  return active[end] === 1;
}

/** True when `path` matches at least one of the compiled globs. */
export function matchesAny(matchers: ReadonlyArray<(path: string) => boolean>, path: string): boolean {
  return matchers.some((match) => match(path));
}

/**
 * The glob as a regular expression's source: the reference semantics (and the syntax check).
 * Matching with it can backtrack for a very long time on hostile globs: compileGlob does not.
 */
export function globRegExpSource(pattern: string): string {
  return translate(pattern);
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
