import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOG_EXCERPT_ANNOTATION, logExcerptLines } from '../../src/github/log-excerpt-lines.js';
import type { StoredRun } from '../../src/ports/run-store.js';

const run = (value?: string) =>
  ({ key: 'ci/x', workflow: { metadata: { annotations: value === undefined ? {} : { [LOG_EXCERPT_ANNOTATION]: value } } } }) as unknown as StoredRun;

test("a run's log excerpt length is its annotation's, else the default", () => {
  assert.equal(logExcerptLines(run('3')), 3);
  assert.equal(logExcerptLines(run()), 30);
  assert.equal(logExcerptLines(run(), 12), 12);
});

test('attacker: an annotation set by hand cannot ask for more than 500 lines, nor for nothing', () => {
  assert.equal(logExcerptLines(run('9999')), 500);
  assert.equal(logExcerptLines(run('0')), 1);
  for (const odd of ['-5', '1e9', '30 lines', '', '0x10', '99999999999']) assert.equal(logExcerptLines(run(odd)), 30, odd);
});
