// A retry asked by a delivery labels the run with it, in the retry's own write; the same delivery
// handled again (its process killed before it replied) follows the run instead of retrying it twice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RETRIED_BY_LABEL } from '../../src/github/delivery-label.js';
import type { InstallationOctokit } from '../../src/github/github-types.js';
import { retryRuns } from '../../src/github/retry-runs.js';
import type { RunCheckTracker, TrackedRun } from '../../src/github/run-check-tracker.js';
import type { RetryLaunch, RunLauncher } from '../../src/ports/run-launcher.js';
import type { StoredRun } from '../../src/ports/run-store.js';

const DELIVERY = '72d3162e-cc78-11e3-81ab-4c9367dc0958';

test('a delivery retries a run once however often it is handled; another delivery retries it again', async () => {
  const run: StoredRun = {
    key: 'ci/flaky-abcde',
    workflow: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { name: 'flaky-abcde', labels: { 'skiff.dev/check-run': '9' }, annotations: { 'skiff.dev/workflow': 'flaky' } },
      spec: {},
    } as never,
    status: { phase: 'Failed', nodes: {} },
  };
  const retries: RetryLaunch[] = [];
  const launcher = {
    retry: async (_key: string, options: RetryLaunch) => {
      retries.push(options);
      // As both launchers do: the labels are saved with the retried run.
      run.workflow.metadata!.labels = { ...run.workflow.metadata!.labels, ...options.labels };
      run.status.phase = 'Running';
    },
  } as unknown as RunLauncher;
  const tracked: TrackedRun[] = [];
  const tracker = { track: (t: TrackedRun) => void tracked.push(t) } as unknown as RunCheckTracker;
  const request = { octokit: {} as InstallationOctokit, repo: { owner: 'acme', repo: 'flows' }, delivery: DELIVERY };

  assert.deepEqual(await retryRuns({ launcher, tracker }, request, [run]), [{ workflow: 'flaky', run: run.key }]);
  assert.deepEqual(retries, [{ labels: { [RETRIED_BY_LABEL]: DELIVERY } }]);
  assert.deepEqual(await retryRuns({ launcher, tracker }, request, [run]), [{ workflow: 'flaky', run: run.key }], 'said the same way again');
  assert.equal(retries.length, 1, 'not retried a second time');
  assert.deepEqual(
    tracked.map((t) => t.checkRunId),
    [9, 9],
    'followed on its check run both times',
  );

  await retryRuns({ launcher, tracker }, { ...request, delivery: 'b2d3162e-cc78-11e3-81ab-4c9367dc0958' }, [run]);
  assert.equal(retries.length, 2, 'a new delivery is a new retry');
});
