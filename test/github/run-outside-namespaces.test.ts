// A push or pull request whose Workflow names a namespace `skiff serve -n` does not manage starts
// nothing: the cluster launcher refuses it before any API call, and its check run fails saying why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClusterRunLauncher } from '../../src/cli/cluster-run-launcher.js';
import type { ClusterTarget } from '../../src/cli/cluster-target.js';
import type { InstallationOctokit } from '../../src/github/github-types.js';
import type { RunCheckTracker } from '../../src/github/run-check-tracker.js';
import { startWorkflowRuns } from '../../src/github/start-workflow-runs.js';
import type { DesiredRun } from '../../src/sync/desired-set.js';

test("a run for a namespace serve does not manage fails its check run, naming serve's namespaces, and reaches no API server", async () => {
  const apiCalls: string[] = [];
  // Any call to the cluster is recorded (and fails): none may happen.
  const client = new Proxy(
    { namespace: 'skiff' },
    {
      get: (target, property) =>
        property === 'namespace' ? target.namespace : (...args: unknown[]) => apiCalls.push(`${String(property)} ${JSON.stringify(args).slice(0, 80)}`),
    },
  );
  const target = { kind: 'cluster', namespace: 'skiff', client } as unknown as ClusterTarget;
  const launcher = new ClusterRunLauncher(target, { namespaces: ['team-a'] });
  const updates: Array<Record<string, unknown>> = [];
  const octokit = {
    auth: async () => ({}),
    rest: {
      checks: {
        create: async () => ({ data: { id: 7 } }),
        update: async (request: Record<string, unknown>) => void updates.push(request),
      },
    },
  } as unknown as InstallationOctokit;
  const tracked: unknown[] = [];
  const run: DesiredRun = {
    namespace: 'team-b',
    name: 'build',
    source: { file: '.skiff/build.yaml' } as DesiredRun['source'],
    object: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name: 'build' }, spec: { entrypoint: 'main', templates: [] } },
  };
  await startWorkflowRuns(
    {
      octokit,
      repo: { owner: 'o', repo: 'r' },
      fullName: 'o/r',
      headSha: 'a'.repeat(40),
      launcher,
      tracker: { track: (entry: unknown) => void tracked.push(entry) } as unknown as RunCheckTracker,
    },
    [run],
  );
  assert.deepEqual(apiCalls, []);
  assert.deepEqual(tracked, []);
  const completed = updates.at(-1) as { conclusion?: string; output?: { title?: string; summary?: string } };
  assert.equal(completed.conclusion, 'failure');
  assert.equal(completed.output?.title, 'Could not start');
  // Markdown-escaped in the summary.
  assert.match(completed.output?.summary ?? '', /namespace "team-b" is not one this server runs workflows in \\?\("team-a"\\?\).*-n team-b/);
  launcher.close();
});
