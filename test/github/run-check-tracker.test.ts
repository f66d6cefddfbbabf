// RunCheckTracker against a run that changes a node every millisecond: its check run is updated
// once per interval at most, not once per node change, and completed once with the buttons.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodeStatus, WorkflowStatus } from '../../src/engine/workflow-status.js';
import type { RunLauncher } from '../../src/ports/run-launcher.js';
import type { StoredRun } from '../../src/ports/run-store.js';
import type { InstallationOctokit } from '../../src/github/github-types.js';
import { RunCheckTracker } from '../../src/github/run-check-tracker.js';

test('a burst of node changes makes a bounded number of check-run updates', async () => {
  const status: WorkflowStatus = { phase: 'Running', startedAt: new Date().toISOString(), nodes: {} };
  const run: StoredRun = {
    key: 'ci/burst-1',
    workflow: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name: 'burst-1' }, spec: {} } as never,
    status,
  };
  let changes = 0;
  const driver = setInterval(() => {
    // A new step every millisecond, each going Running then Succeeded: a burst of node events.
    const id = `n${changes}`;
    status.nodes[id] = { id, name: id, displayName: id, type: 'Pod', phase: 'Running', startedAt: new Date().toISOString() } as NodeStatus;
    const earlier = status.nodes[`n${changes - 1}`];
    if (earlier) earlier.phase = 'Succeeded';
    changes++;
    if (changes === 400) {
      clearInterval(driver);
      status.nodes[id]!.phase = 'Succeeded';
      status.phase = 'Succeeded';
      status.finishedAt = new Date().toISOString();
    }
  }, 1);
  const launcher: RunLauncher = {
    submit: async () => 'ci/x',
    retry: async () => undefined,
    terminate: async () => undefined,
    read: async () => structuredClone(run),
    find: async () => [],
    logTail: async () => undefined,
    secretValues: async () => [],
  };
  const updates: Array<Record<string, unknown>> = [];
  const octokit = { rest: { checks: { update: async (request: Record<string, unknown>) => void updates.push(request) } } } as unknown as InstallationOctokit;
  const tracker = new RunCheckTracker({ launcher, intervalMs: 50 });
  const started = Date.now();
  tracker.track({ octokit, repo: { owner: 'acme', repo: 'flows' }, checkRunId: 7, key: run.key, workflow: 'burst' });
  await tracker.settled();
  const elapsed = Date.now() - started;
  assert.equal(changes, 400);
  assert.ok(updates.length <= Math.ceil(elapsed / 50) + 1, `${updates.length} updates in ${elapsed} ms`);
  assert.ok(updates.length < 100, `far fewer updates (${updates.length}) than node changes (${changes * 2})`);
  const last = updates.at(-1)!;
  assert.equal(last.status, 'completed');
  assert.equal(last.conclusion, 'success');
  assert.deepEqual(
    (last.actions as Array<{ identifier: string }>).map((a) => a.identifier),
    ['skiff-retry-all'],
  );
  assert.equal(updates.filter((u) => u.status === 'completed').length, 1, 'completed once');
});

test('with a launcher that tells of changes, a run is read again only when it changed, and close() wakes a waiting follower', async () => {
  const status: WorkflowStatus = { phase: 'Running', startedAt: new Date().toISOString(), nodes: {} };
  const run: StoredRun = {
    key: 'ci/watched-1',
    workflow: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name: 'watched-1' }, spec: {} } as never,
    status,
  };
  let reads = 0;
  let wake: (() => void) | undefined;
  let pending = false;
  const feed = {
    next: (_timeoutMs: number) =>
      pending
        ? Promise.resolve(void (pending = false))
        : new Promise<void>((resolve) => {
            wake = () => {
              wake = undefined;
              resolve();
            };
          }),
    close: () => wake?.(),
  };
  const changed = (): void => {
    if (wake) wake();
    else pending = true;
  };
  const launcher: RunLauncher = {
    submit: async () => 'ci/x',
    retry: async () => undefined,
    terminate: async () => undefined,
    read: async () => {
      reads++;
      return structuredClone(run);
    },
    find: async () => [],
    logTail: async () => undefined,
    secretValues: async () => [],
    changes: () => feed,
  };
  const updates: Array<Record<string, unknown>> = [];
  const octokit = { rest: { checks: { update: async (request: Record<string, unknown>) => void updates.push(request) } } } as unknown as InstallationOctokit;
  const tracker = new RunCheckTracker({ launcher, intervalMs: 5 });
  tracker.track({ octokit, repo: { owner: 'acme', repo: 'flows' }, checkRunId: 8, key: run.key, workflow: 'watched' });
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(reads, 1, 'no change, no read: a 5 ms timer would have read about 40 times');
  status.nodes.a = { id: 'a', name: 'a', displayName: 'a', type: 'Pod', phase: 'Running', startedAt: new Date().toISOString() } as NodeStatus;
  changed();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(reads, 2, 'one change, one read');
  assert.equal(updates.at(-1)?.status, 'in_progress');
  const closing = tracker.close();
  await closing; // resolves at once: the waiting follower was woken, not left for the fallback minute
  assert.equal(reads, 2);
});
