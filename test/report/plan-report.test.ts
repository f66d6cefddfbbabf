import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planNotMadeReport, planReport } from '../../src/report/plan-report.js';
import type { SyncPlan } from '../../src/sync/plan/sync-plan.js';

const object = (name: string, action: SyncPlan['objects'][number]['action'], error?: string): SyncPlan['objects'][number] => ({
  identity: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ci', name },
  source: { file: 'cm.yaml', line: 1, document: 0 },
  action,
  changes: [],
  drift: [],
  conflicts: [],
  ...(error ? { error } : {}),
});

test('a plan with changes succeeds and says what it does in the title', () => {
  const report = planReport({ repository: 'acme/flows', commit: 'c0ffee1234567', prune: false, objects: [object('a', 'create'), object('b', 'unchanged')] });
  assert.equal(report.conclusion, 'success');
  assert.equal(report.title, '1 to create, 0 to change, 0 to prune');
  assert.match(report.summary, /^### Plan for acme\/flows at c0ffee1/);
});

test('an object the cluster refuses fails the plan check', () => {
  const report = planReport({ repository: 'acme/flows', commit: 'c0ffee1', prune: false, objects: [object('a', 'error', 'forbidden')] });
  assert.equal(report.conclusion, 'failure');
  assert.match(report.title, /1 with errors/);
});

test('a huge plan stays under 65,535 characters', () => {
  const objects = Array.from({ length: 5000 }, (_, i) => ({
    ...object(`cm-${i}`, 'change'),
    changes: [{ path: 'data.v', before: 'x'.repeat(100), after: 'y'.repeat(100) }],
  }));
  const report = planReport({ repository: 'acme/flows', commit: 'c0ffee1', prune: false, objects });
  assert.ok(report.summary.length <= 65_535);
  assert.match(report.summary, /shortened to fit/);
});

test('no plan: neutral by default, the reason escaped', () => {
  const report = planNotMadeReport('cluster <down> [x](y)');
  assert.equal(report.conclusion, 'neutral');
  assert.equal(report.summary, 'No plan was made: cluster &lt;down&gt; \\[x\\]\\(y\\)\n');
});
