import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PATH_FILTER_BUDGET, pathsMatch } from '../../src/sync/config-triggers.js';

test('a path filter lets a change through when one changed file matches, or when the files are not known', () => {
  assert.equal(pathsMatch(['src/**', 'go.mod'], ['docs/a.md', 'src/x/y.go']), true);
  assert.equal(pathsMatch(['src/**', 'go.mod'], ['docs/a.md', 'go.sum']), false);
  assert.equal(pathsMatch(['src/**'], []), false, 'a change of no files matches nothing');
  assert.equal(pathsMatch(undefined, ['docs/a.md']), true, 'no filter');
  assert.equal(pathsMatch(['src/**'], undefined), true, 'files not known whole: run');
});

test('attacker: a change too large to match within the budget is let through, never matched for minutes', () => {
  const glob = `${'**/'.repeat(8)}*.go`;
  const files = Array.from({ length: 3000 }, (_, i) => `${'d/'.repeat(2000)}${i}.md`);
  assert.ok(files.reduce((n, f) => n + f.length, 0) * glob.length > PATH_FILTER_BUDGET);
  assert.equal(pathsMatch([glob], files), true);
  assert.equal(pathsMatch([glob], files.slice(0, 2)), false, 'a small change is matched, and this one does not match');
});
