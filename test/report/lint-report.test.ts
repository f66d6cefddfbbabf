import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { annotationBatches, lintReport } from '../../src/report/lint-report.js';
import { escapeMarkdown, fencedBlock } from '../../src/report/markdown.js';
import type { Diagnostic } from '../../src/spec/diagnostic.js';
import { repoRoot } from '../helpers/paths.js';

const GOLDEN = join(repoRoot, 'test', 'fixtures', 'report');

function golden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
  assert.equal(actual, readFileSync(path, 'utf8'), `${name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it)`);
}

const diagnostics: Diagnostic[] = [
  {
    file: 'workflows/build.yaml',
    line: 9,
    column: 5,
    endLine: 9,
    endColumn: 15,
    severity: 'error',
    rule: 'unknown-key',
    message: 'unknown field "bogus" in Template',
  },
  { file: 'workflows/build.yaml', line: 12, column: 3, endLine: 14, endColumn: 1, severity: 'warning', rule: 'deprecated', message: 'onExit is deprecated' },
  { file: 'workflows/a|b <img>.yaml', line: 1, column: 1, severity: 'notice', rule: 'x', message: '[link](https://evil) @org/team **bold**' },
];

test('the lint check: counts, an escaped table, and one annotation per diagnostic', () => {
  const report = lintReport(diagnostics, 'c0ffee1234567890c0ffee1234567890c0ffee12');
  assert.equal(report.conclusion, 'failure');
  assert.equal(report.title, '1 error, 1 warning, 1 notice in 2 files');
  golden('lint-summary.md', report.summary);
  assert.deepEqual(report.annotations[0], {
    path: 'workflows/build.yaml',
    start_line: 9,
    end_line: 9,
    start_column: 5,
    end_column: 15,
    annotation_level: 'failure',
    message: 'unknown field "bogus" in Template',
    title: 'unknown-key',
  });
  assert.equal(report.annotations[1]!.start_column, undefined, 'no columns on an annotation over several lines');
  assert.equal(report.annotations[1]!.end_line, 14);
  assert.equal(report.annotations[2]!.annotation_level, 'notice');
});

test('no diagnostics: success', () => {
  const report = lintReport([], 'c0ffee1');
  assert.equal(report.conclusion, 'success');
  assert.equal(report.title, 'No problems');
  assert.deepEqual(report.annotations, []);
});

test('warnings alone pass', () => assert.equal(lintReport([diagnostics[1]!], 'c0ffee1').conclusion, 'success'));

test("10,000 diagnostics stay within GitHub's limits: 50 annotations a request, summary under 65,535", () => {
  const many = Array.from(
    { length: 10_000 },
    (_, i): Diagnostic => ({ file: `f${i}.yaml`, line: i + 1, column: 1, severity: 'error', rule: 'r', message: 'm'.repeat(300) }),
  );
  const report = lintReport(many, 'c0ffee1');
  assert.ok(report.summary.length <= 65_535);
  assert.match(report.summary, /and \d+ more, each an annotation/);
  const batches = annotationBatches(report.annotations);
  assert.equal(batches.length, 200);
  assert.ok(batches.every((b) => b.length === 50));
});

test('escapeMarkdown and fencedBlock keep hostile text inert', () => {
  assert.equal(escapeMarkdown('<b>x</b> [a](b) @someone |'), '&lt;b&gt;x&lt;/b&gt; \\[a\\]\\(b\\) @\u200bsomeone \\|');
  assert.equal(escapeMarkdown('line\nbreak'), 'line break');
  const block = fencedBlock('```\nescaped?\n````');
  assert.ok(block.startsWith('`````text\n'));
  assert.ok(block.endsWith('\n`````'));
});
