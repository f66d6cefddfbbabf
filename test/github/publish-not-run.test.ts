// publishNotRun against an octokit keeping check runs in memory: a delivery handled again finds
// the "Not run" check runs it made instead of making them twice; another delivery makes its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InstallationOctokit } from '../../src/github/github-types.js';
import { publishNotRun } from '../../src/github/start-workflow-runs.js';

interface Run {
  id: number;
  name: string;
  head_sha: string;
  external_id: string;
  status: string;
}

function checksInMemory() {
  const runs: Run[] = [];
  const octokit = {
    rest: {
      checks: {
        listForRef: async (q: { ref: string; check_name: string; filter?: string }) => {
          const named = runs.filter((r) => r.head_sha === q.ref && r.name === q.check_name);
          // As GitHub: without filter=all only the newest run of the name is listed.
          return { data: { check_runs: q.filter === 'all' ? named : named.slice(-1) } };
        },
        create: async (body: Omit<Run, 'id'>) => {
          runs.push({ ...body, id: runs.length + 1 });
          return { data: { id: runs.length } };
        },
        update: async (body: { check_run_id: number; status?: string }) => {
          const run = runs.find((r) => r.id === body.check_run_id)!;
          if (body.status) run.status = body.status;
        },
      },
    },
  } as unknown as InstallationOctokit;
  return { runs, octokit };
}

test('a delivery handled again finds its "Not run" check runs; another delivery makes its own', async () => {
  const { runs, octokit } = checksInMemory();
  const subject = (delivery: string) => ({ repo: { owner: 'acme', repo: 'flows' }, headSha: 'c'.repeat(40), delivery });
  await publishNotRun(octokit, subject('first'), ['build', 'test'], 'the repository does not lint');
  await publishNotRun(octokit, subject('second'), ['build', 'test'], 'the repository does not lint');
  assert.equal(runs.length, 4);
  await publishNotRun(octokit, subject('first'), ['build', 'test'], 'the repository does not lint');
  await publishNotRun(octokit, subject('second'), ['build', 'test'], 'the repository does not lint');
  assert.deepEqual(
    runs.map((r) => `${r.name} ${r.external_id.replace(/:c+:/, ':')}`),
    ['skiff / build not-run:first', 'skiff / test not-run:first', 'skiff / build not-run:second', 'skiff / test not-run:second'],
  );
  assert.ok(runs.every((r) => r.status === 'completed'));
});
