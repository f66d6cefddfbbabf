import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileGlob } from '../../src/sync/glob-matcher.js';

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
