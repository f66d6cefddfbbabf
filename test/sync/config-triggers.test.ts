import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PATH_FILTER_BUDGET, pathFilterSkips, pathsAllIgnored, pathsMatch } from '../../src/sync/config-triggers.js';

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

test('paths-ignore leaves a change out only when every changed file matches; unknown files run', () => {
  assert.equal(pathsAllIgnored(['docs/**', '**/*.md'], ['docs/a.png', 'README.md']), true);
  assert.equal(pathsAllIgnored(['docs/**', '**/*.md'], ['docs/a.png', 'src/x.go']), false, 'one file outside the ignored ones runs');
  assert.equal(pathsAllIgnored(['docs/**'], []), true, 'a change of no files is left out, as paths leaves it out');
  assert.equal(pathsAllIgnored(undefined, ['docs/a.md']), false, 'no filter');
  assert.equal(pathsAllIgnored(['docs/**'], undefined), false, 'files not known whole: run');
});

test('pathFilterSkips names the filter that leaves a change out, for the skipped check', () => {
  assert.equal(pathFilterSkips({ paths: ['src/**'] }, ['docs/a.md']), 'paths');
  assert.equal(pathFilterSkips({ paths: ['src/**'] }, ['src/a.go']), undefined);
  assert.equal(pathFilterSkips({ pathsIgnore: ['docs/**'] }, ['docs/a.md']), 'paths-ignore');
  assert.equal(pathFilterSkips({ pathsIgnore: ['docs/**'] }, ['docs/a.md', 'src/a.go']), undefined);
  assert.equal(pathFilterSkips({ pathsIgnore: ['docs/**'] }, undefined), undefined);
  assert.equal(pathFilterSkips(undefined, ['docs/a.md']), undefined);
  assert.equal(pathFilterSkips({}, []), undefined, 'no filter: even a change of no files runs');
});

test('attacker: a change too large to match against paths-ignore within the budget runs, never matched for minutes', () => {
  const glob = `${'**/'.repeat(8)}*.md`;
  const files = Array.from({ length: 3000 }, (_, i) => `${'d/'.repeat(2000)}${i}.md`);
  assert.ok(files.reduce((n, f) => n + f.length, 0) * glob.length > PATH_FILTER_BUDGET);
  assert.equal(pathsAllIgnored([glob], files), false, 'every file would match, but matching them all costs too much: run');
  assert.equal(pathsAllIgnored([glob], files.slice(0, 2)), true, 'a small change is matched, and this one is all ignored');
});
