import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileGlob, globRegExpSource } from '../../src/sync/glob-matcher.js';

const cases: Array<[string, string, boolean]> = [
  ['*.yaml', 'a.yaml', true],
  ['*.yaml', 'dir/a.yaml', false],
  ['**/*.yaml', 'a.yaml', true],
  ['**/*.yaml', 'a/b/c.yaml', true],
  ['**/*.yaml', 'a/b/c.yml', false],
  ['workflows/**', 'workflows/a/b.yaml', true],
  ['workflows/**', 'other/workflows/a.yaml', false],
  ['**/drafts/**', 'workflows/drafts/wip.yaml', true],
  ['**/drafts/**', 'workflows/drafts.yaml', false],
  ['a/**/b.yaml', 'a/b.yaml', true],
  ['a/**/b.yaml', 'a/x/y/b.yaml', true],
  ['a/?.yaml', 'a/1.yaml', true],
  ['a/?.yaml', 'a/12.yaml', false],
  ['a/?.yaml', 'a//.yaml', false],
  ['**/*.{yaml,yml}', 'x/y.yml', true],
  ['**/*.{yaml,yml}', 'x/y.json', false],
  ['[abc].yaml', 'b.yaml', true],
  ['[!abc].yaml', 'b.yaml', false],
  ['[!abc].yaml', 'd.yaml', true],
  ['a.b', 'axb', false],
  ['a+(b)', 'a+(b)', true],
  ['\\*.yaml', '*.yaml', true],
  ['\\*.yaml', 'x.yaml', false],
];

for (const [pattern, path, expected] of cases) {
  test(`glob ${pattern} ${expected ? 'matches' : 'does not match'} ${path}`, () => {
    assert.equal(compileGlob(pattern)(path), expected);
  });
}

test('malformed globs are refused with a reason, not matched as text', () => {
  assert.throws(() => compileGlob(''), /empty/);
  assert.throws(() => compileGlob('/abs/*.yaml'), /relative/);
  assert.throws(() => compileGlob('a**.yaml'), /whole path segment/);
  assert.throws(() => compileGlob('{a,b'), /unclosed "\{"/);
  assert.throws(() => compileGlob('[ab'), /unclosed "\["/);
  assert.throws(() => compileGlob('a\\'), /escape/);
});

test('matching agrees with the regular-expression reading of the glob on thousands of generated globs and paths', () => {
  // A fixed-seed generator: the same cases every run.
  let seed = 12345;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const parts = ['a', 'b', '/', '*', '?', '**/', '**', '{a,b/}', '{*,x}', '[ab]', '[!a]', '.', '\\*'];
  const chars = ['a', 'b', 'x', '/', '.', '*'];
  let compared = 0;
  for (let g = 0; g < 600; g++) {
    const pattern = Array.from({ length: 1 + next(6) }, () => parts[next(parts.length)]).join('');
    let reference: RegExp;
    try {
      reference = new RegExp(`^${globRegExpSource(pattern)}$`, 'u');
    } catch {
      assert.throws(() => compileGlob(pattern), Error, pattern);
      continue;
    }
    const match = compileGlob(pattern);
    for (let p = 0; p < 20; p++) {
      const path = Array.from({ length: next(9) }, () => chars[next(chars.length)]).join('');
      assert.equal(match(path), reference.test(path), `${pattern} on ${path}`);
      compared++;
    }
  }
  assert.ok(compared > 5000, `${compared} comparisons`);
});

test('attacker: globs that make a backtracking matcher run for minutes are answered at once', () => {
  // With a regular expression, the first of these takes tens of seconds on a 400-character path.
  const deep = `${Array(200).fill('a').join('/')}/c`;
  assert.equal(compileGlob('**/**/**/**/*a*a*a*b')(deep), false);
  assert.equal(compileGlob('**/**/**/**/*a*a*a*c')(`${deep}a`), false);
  assert.equal(compileGlob('**/**/**/**/*a*a*a*c')(`${Array(200).fill('a').join('/')}/aaac`), true);
  assert.equal(compileGlob('*a*a*a*a*a*a*a*b')('a'.repeat(20_000)), false);
  assert.equal(compileGlob('**/**/**/**/**/**/**/**')(deep), true);
  assert.throws(() => compileGlob('{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}'), /more than 256 patterns/);
});
