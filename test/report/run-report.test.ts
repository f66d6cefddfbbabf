import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { NodeStatus, WorkflowStatus } from '../../src/engine/workflow-status.js';
import { redactSecrets, REDACTED } from '../../src/report/redact-secrets.js';
import { runCheckView } from '../../src/report/run-report.js';
import { repoRoot } from '../helpers/paths.js';

const GOLDEN = join(repoRoot, 'test', 'fixtures', 'report');

function golden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
  assert.equal(actual, readFileSync(path, 'utf8'), `${name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it)`);
}

const node = (id: string, phase: NodeStatus['phase'], extra: Partial<NodeStatus> = {}): NodeStatus => ({
  id,
  name: `build.${id}`,
  displayName: id,
  type: 'Pod',
  phase,
  startedAt: '2026-01-01T00:00:00Z',
  finishedAt: '2026-01-01T00:01:05Z',
  ...extra,
});

const failedRun: WorkflowStatus = {
  phase: 'Failed',
  startedAt: '2026-01-01T00:00:00Z',
  finishedAt: '2026-01-01T00:02:00Z',
  message: 'child failed',
  nodes: {
    build: { id: 'build', name: 'build', displayName: 'build', type: 'Steps', phase: 'Failed' },
    compile: node('compile', 'Succeeded'),
    'test|<x>': node('test|<x>', 'Failed', { message: 'Error (exit code 1) token hunter22', startedAt: '2026-01-01T00:01:05Z' }),
  },
};

test('a failed run: step table, log tail redacted and fenced, failure', () => {
  const view = runCheckView({
    workflow: 'build',
    runName: 'build-x7k2p',
    status: failedRun,
    logTails: { 'test|<x>': 'running tests\n```\nleaked hunter22 aHVudGVyMjI=\n' },
    secrets: ['hunter22'],
    now: Date.parse('2026-01-01T00:03:00Z'),
  });
  assert.equal(view.status, 'completed');
  assert.equal(view.report.conclusion, 'failure');
  assert.equal(view.report.title, 'Failed: 1 step failed');
  golden('run-failed-summary.md', view.report.summary);
  golden('run-failed-text.md', view.report.text ?? '');
  assert.ok(!`${view.report.summary}${view.report.text}`.includes('hunter22'));
});

test('conclusions: success, cancelled, timed_out; in progress while running', () => {
  const view = (status: Partial<WorkflowStatus>) =>
    runCheckView({ workflow: 'w', runName: 'w-1', status: { ...failedRun, ...status }, logTails: {}, secrets: [], now: 0 });
  assert.equal(view({ phase: 'Succeeded', message: undefined }).report.conclusion, 'success');
  assert.equal(view({ phase: 'Failed', message: 'Stopped with strategy Terminate' }).report.conclusion, 'cancelled');
  assert.equal(view({ phase: 'Failed', message: 'Step exceeded its deadline' }).report.conclusion, 'timed_out');
  assert.equal(view({ phase: 'Running' }).status, 'in_progress');
  assert.equal(view({ phase: 'Pending', nodes: {} }).status, 'queued');
});

test('10,000 steps stay under 65,535 characters, summarised', () => {
  const nodes: Record<string, NodeStatus> = {};
  for (let i = 0; i < 10_000; i++) nodes[`n${i}`] = node(`n${i}`, 'Failed', { message: 'x'.repeat(200) });
  const view = runCheckView({
    workflow: 'w',
    runName: 'w-1',
    status: { phase: 'Failed', nodes },
    logTails: Object.fromEntries(Object.keys(nodes).map((id) => [id, 'log line\n'.repeat(30)])),
    secrets: [],
    now: 0,
  });
  assert.ok(view.report.summary.length <= 65_535);
  assert.ok((view.report.text ?? '').length <= 65_535);
  assert.match(view.report.summary, /and \d+ more steps/);
});

test('secrets are redacted raw, in base64 and base64url, and inside longer base64 text', () => {
  const secret = 'p@ss/w0rd+?';
  for (const prefix of ['', 'u:', 'us:', 'use:']) {
    const encoded = Buffer.from(`${prefix}${secret}`).toString('base64');
    const out = redactSecrets(`b64=${encoded}`, [secret]);
    assert.ok(out.includes(REDACTED), `${prefix}: ${out}`);
  }
  assert.equal(redactSecrets(`a ${secret} b`, [secret]), `a ${REDACTED} b`);
  assert.ok(redactSecrets(Buffer.from(secret).toString('base64url'), [secret]).includes(REDACTED));
  assert.equal(redactSecrets('a b c', ['a']), 'a b c', 'values too short to redact are left');
});

test('artifact links are listed under the steps, names escaped, link targets made safe, many counted', () => {
  const artifacts = [
    { step: 'compile', name: 'dist', url: 'https://s3.example/b/dist.tgz?X-Amz-Signature=1', expiresAt: '2026-01-08T00:00:00.000Z' },
    { step: 'test|<x>', name: '[x](https://evil.example)', url: 'https://s3.example/k)](https://evil.example' },
    { step: 'compile', name: 'script', url: 'javascript:alert(1)' },
  ];
  const view = runCheckView({ workflow: 'build', runName: 'build-x7k2p', status: failedRun, logTails: {}, secrets: [], now: 0, artifacts });
  const summary = view.report.summary;
  assert.match(
    summary,
    /### Artifacts\n\n- \[compile \/ dist\]\(https:\/\/s3\.example\/b\/dist\.tgz\?X-Amz-Signature=1\) \(valid until 2026-01-08T00:00:00Z\)\n/,
  );
  assert.match(summary, /- \[test\\\|&lt;x&gt; \/ \\\[x\\\]\\\(https:\/\/evil\.example\\\)\]\(https:\/\/s3\.example\/k%29%5D%28https:\/\/evil\.example\)/);
  assert.match(summary, /- compile \/ script\n/, 'not a link: only http(s) targets are');
  assert.doesNotMatch(summary, /\]\(javascript/);
  const many = Array.from({ length: 2000 }, (_, i) => ({ step: `s${i}`, name: `a${i}`, url: `https://s3.example/${'k'.repeat(200)}/${i}` }));
  const big = runCheckView({ workflow: 'build', runName: 'build-x7k2p', status: failedRun, logTails: {}, secrets: [], now: 0, artifacts: many }).report.summary;
  assert.ok(big.length <= 65_535);
  assert.match(big, /- …and \d+ more\.\n$/);
});
