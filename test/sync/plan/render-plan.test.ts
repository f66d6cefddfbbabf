import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderPlanMarkdown, renderPlanText } from '../../../src/sync/plan/render-plan.js';
import { planHasChanges, type SyncPlan } from '../../../src/sync/plan/sync-plan.js';
import { repoRoot } from '../../helpers/paths.js';

const GOLDEN = join(repoRoot, 'test', 'fixtures', 'plan');

const plan: SyncPlan = {
  repository: 'acme/flows',
  commit: 'c0ffee1234567890',
  prune: true,
  objects: [
    {
      identity: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ci', name: 'settings' },
      source: { file: 'config/settings.yaml', line: 1, document: 0 },
      action: 'create',
      changes: [],
      drift: [],
      conflicts: [],
    },
    {
      identity: { apiVersion: 'argoproj.io/v1alpha1', kind: 'WorkflowTemplate', namespace: 'ci', name: 'build' },
      source: { file: 'templates/build.yaml', line: 4, document: 1 },
      action: 'change',
      changes: [
        { path: 'spec.templates[0].container.image', before: 'alpine:3.19', after: 'alpine:3.20' },
        { path: 'spec.templates[0].container.args', after: ['echo', 'a `fenced` ```value```'] },
        { path: 'metadata.labels.tier', before: 'gold' },
      ],
      drift: [{ path: 'metadata.labels.tier', manager: 'kubectl-edit', operation: 'Update', time: '2026-12-04T01:00:00Z' }],
      conflicts: [],
    },
    {
      identity: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ci', name: 'same' },
      source: { file: 'config/same.yaml', line: 1, document: 0 },
      action: 'unchanged',
      changes: [],
      drift: [],
      conflicts: [],
    },
    {
      identity: { apiVersion: 'argoproj.io/v1alpha1', kind: 'CronWorkflow', namespace: 'ci', name: 'nightly' },
      source: { file: 'cron/nightly.yaml', line: 1, document: 0 },
      action: 'error',
      changes: [],
      drift: [],
      conflicts: [],
      error: 'CronWorkflow ci/nightly: invalid (spec.schedule: Required value)',
    },
    {
      identity: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ci', name: 'owned' },
      source: { file: 'config/owned.yaml', line: 1, document: 0 },
      action: 'unchanged',
      changes: [],
      drift: [],
      conflicts: ['.data.key'],
    },
    {
      identity: { apiVersion: 'argoproj.io/v1alpha1', kind: 'ClusterWorkflowTemplate', name: 'old-steps' },
      action: 'prune',
      changes: [],
      drift: [],
      conflicts: [],
    },
  ],
};

function golden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
  assert.equal(actual, readFileSync(path, 'utf8'), `${name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it)`);
}

test('the plan as text for a terminal', () => golden('plan.txt', renderPlanText(plan)));

test('the plan as Markdown for GitHub, with values that cannot break out of the diff fence', () => {
  const markdown = renderPlanMarkdown(plan);
  golden('plan.md', markdown);
  const fences = markdown.split('\n').filter((line) => line.startsWith('```'));
  assert.equal(fences.length % 2, 0, 'every fence is closed');
});

test('a plan of unchanged objects says so, and has no changes', () => {
  const quiet: SyncPlan = { ...plan, objects: plan.objects.filter((o) => o.action === 'unchanged' && o.conflicts.length === 0) };
  assert.equal(planHasChanges(quiet), false);
  assert.equal(planHasChanges(plan), true);
  assert.equal(renderPlanText(quiet), 'Plan for acme/flows at c0ffee1: 0 to create, 0 to change, 0 to prune, 1 unchanged.\n');
  assert.match(renderPlanMarkdown(quiet), /No changes\./);
});
