// startWorkflowRuns for a delivery handled, then handled again (its process killed after part of
// the work): each Workflow runs once, on one check run, whether the kill came after the runs
// started or between a check run's creation and its run's start.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DELIVERY_LABEL, deliveryLabel } from '../../src/github/delivery-label.js';
import type { InstallationOctokit } from '../../src/github/github-types.js';
import type { RunCheckTracker, TrackedRun } from '../../src/github/run-check-tracker.js';
import { CHECK_RUN_LABEL, type RunStartContext, startWorkflowRuns } from '../../src/github/start-workflow-runs.js';
import type { RunLauncher } from '../../src/ports/run-launcher.js';
import type { StoredRun } from '../../src/ports/run-store.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import type { DesiredRun } from '../../src/sync/desired-set.js';

const SHA = 'a'.repeat(40);
const DELIVERY = '72d3162e-cc78-11e3-81ab-4c9367dc0958';

function desired(name: string): DesiredRun {
  return {
    namespace: 'ci',
    generateName: `${name}-`,
    source: { file: `workflows/${name}.yaml`, line: 1, document: 0 },
    object: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { generateName: `${name}-` }, spec: { entrypoint: 'main' } },
  };
}

/** A launcher keeping runs in memory, finding them by labels as both real launchers do. */
function memoryLauncher() {
  const runs: StoredRun[] = [];
  const calls = { submit: 0, find: 0 };
  const launcher: RunLauncher = {
    submit: async (workflow: Workflow, labels: Record<string, string>) => {
      calls.submit++;
      const name = `${workflow.metadata?.generateName}${runs.length}`;
      const named = { ...workflow, metadata: { ...workflow.metadata, name, labels: { ...workflow.metadata?.labels, ...labels } } } as Workflow;
      runs.push({ key: `${workflow.metadata?.namespace}/${name}`, workflow: named, status: { phase: 'Running', nodes: {} } });
      return `${workflow.metadata?.namespace}/${name}`;
    },
    retry: async () => undefined,
    terminate: async () => undefined,
    read: async (key) => runs.find((run) => run.key === key),
    find: async (labels) => {
      calls.find++;
      return runs.filter((run) => Object.entries(labels).every(([name, value]) => run.workflow.metadata?.labels?.[name] === value));
    },
    logTail: async () => undefined,
    secretValues: async () => [],
  };
  return { launcher, runs, calls };
}

/** GitHub's check runs of one commit, in memory; `beforeAuth` runs where a kill between a check run and its run can strike. */
function memoryChecks(hooks: { beforeAuth?: () => void } = {}) {
  const checks: Array<{ id: number; name: string; status: string; external_id: string | null }> = [];
  const octokit = {
    auth: async () => {
      hooks.beforeAuth?.();
      return { installationId: 3 };
    },
    rest: {
      checks: {
        create: async (request: { name: string; status: string; external_id?: string }) => {
          const check = { id: 100 + checks.length, name: request.name, status: request.status, external_id: request.external_id ?? null };
          checks.push(check);
          return { data: check };
        },
        update: async (request: { check_run_id: number; status?: string }) => {
          const check = checks.find((c) => c.id === request.check_run_id)!;
          if (request.status) check.status = request.status;
          return { data: check };
        },
        listForRef: async (request: { check_name: string }) => ({
          data: { total_count: 0, check_runs: checks.filter((c) => c.name === request.check_name).map((c) => ({ ...c })) },
        }),
      },
    },
  } as unknown as InstallationOctokit;
  return { octokit, checks };
}

function recordingTracker() {
  const tracked: TrackedRun[] = [];
  const tracker = { track: (run: TrackedRun) => void tracked.push(run), reportedAlready: () => false } as unknown as RunCheckTracker;
  return { tracker, tracked };
}

function context(octokit: InstallationOctokit, launcher: RunLauncher, tracker: RunCheckTracker, resumed: boolean): RunStartContext {
  return { octokit, repo: { owner: 'acme', repo: 'flows' }, fullName: 'acme/flows', headSha: SHA, launcher, tracker, delivery: DELIVERY, resumed };
}

test('a delivery handled again after its runs started takes them over: one run and one check run per workflow', async () => {
  const { launcher, runs, calls } = memoryLauncher();
  const { octokit, checks } = memoryChecks();
  const first = recordingTracker();
  await startWorkflowRuns(context(octokit, launcher, first.tracker, false), [desired('build'), desired('test')]);
  assert.equal(calls.find, 0, 'a delivery handled for the first time looks for nothing');
  assert.deepEqual(
    runs.map((run) => run.workflow.metadata?.labels?.[DELIVERY_LABEL]),
    [DELIVERY, DELIVERY],
    'each run names its delivery',
  );

  const again = recordingTracker();
  await startWorkflowRuns(context(octokit, launcher, again.tracker, true), [desired('build'), desired('test')]);
  assert.equal(calls.submit, 2, 'nothing submitted a second time');
  assert.equal(checks.length, 2, 'no check run made a second time');
  assert.deepEqual(
    again.tracked.map((t) => [t.workflow, t.key, t.checkRunId]),
    first.tracked.map((t) => [t.workflow, t.key, t.checkRunId]),
    'each run is followed again on the check run it was started with',
  );
});

test('a kill between a check run and its run: handling again starts the run once, on that check run', async () => {
  const { launcher, runs } = memoryLauncher();
  let kill = true;
  const { octokit, checks } = memoryChecks({
    beforeAuth: () => {
      if (kill) throw new Error('killed');
    },
  });
  const first = recordingTracker();
  await assert.rejects(startWorkflowRuns(context(octokit, launcher, first.tracker, false), [desired('build')]), /killed/);
  assert.equal(runs.length, 0);
  assert.deepEqual(
    checks.map((c) => [c.name, c.status]),
    [['skiff / build', 'queued']],
  );

  kill = false;
  const again = recordingTracker();
  await startWorkflowRuns(context(octokit, launcher, again.tracker, true), [desired('build')]);
  assert.equal(checks.length, 1, 'the queued check run is taken over, not left beside a new one');
  assert.equal(runs.length, 1);
  assert.equal(runs[0]!.workflow.metadata?.labels?.[CHECK_RUN_LABEL], String(checks[0]!.id));
  assert.deepEqual(
    again.tracked.map((t) => t.checkRunId),
    [checks[0]!.id],
  );
});

test('another delivery about the same commit starts its own runs and check runs', async () => {
  const { launcher, runs } = memoryLauncher();
  const { octokit, checks } = memoryChecks();
  const { tracker } = recordingTracker();
  await startWorkflowRuns(context(octokit, launcher, tracker, false), [desired('build')]);
  await startWorkflowRuns({ ...context(octokit, launcher, tracker, true), delivery: 'b2d3162e-cc78-11e3-81ab-4c9367dc0958' }, [desired('build')]);
  assert.equal(runs.length, 2);
  assert.equal(checks.length, 2);
});

test('two Workflows of one name in one delivery are each taken over once', async () => {
  const { launcher, runs } = memoryLauncher();
  const { octokit, checks } = memoryChecks();
  await startWorkflowRuns(context(octokit, launcher, recordingTracker().tracker, false), [desired('build'), desired('build')]);
  const again = recordingTracker();
  await startWorkflowRuns(context(octokit, launcher, again.tracker, true), [desired('build'), desired('build')]);
  assert.equal(runs.length, 2);
  assert.equal(checks.length, 2);
  assert.equal(new Set(again.tracked.map((t) => t.key)).size, 2, 'two runs followed, not one twice');
});

test('attacker: a delivery id that could not be a label value is hashed, never written as it is', () => {
  assert.equal(deliveryLabel(DELIVERY), DELIVERY);
  for (const hostile of ['-leading-dash', 'x'.repeat(64), 'a,b=c', 'evil -->', '']) {
    const value = deliveryLabel(hostile);
    assert.match(value, /^[0-9a-f]{40}$/, hostile);
  }
});
