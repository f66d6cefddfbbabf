import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InstallationOctokit } from '../../src/github/github-types.js';
import { PullRequestComments } from '../../src/github/pull-request-comment.js';
import type { RunLauncher } from '../../src/ports/run-launcher.js';
import type { StoredRun } from '../../src/ports/run-store.js';
import { COMMENT_MARKER } from '../../src/report/pull-request-comment.js';

/** Just enough of GitHub's comment and check-run endpoints, recording each write with its time. */
function fakeGitHub(existing: Array<{ id: number; login: string; body: string }> = []) {
  const comments = [...existing];
  const writes: Array<{ at: number; op: 'create' | 'update'; id: number; body: string }> = [];
  const octokit = {
    rest: {
      checks: { listForRef: async () => ({ data: { check_runs: [] } }) },
      pulls: { get: async () => ({ data: { state: 'open', head: { sha: 'a'.repeat(40) } } }) },
      issues: {
        listComments: async () => ({ data: comments.map((c) => ({ id: c.id, user: { login: c.login }, body: c.body })) }),
        createComment: async ({ body }: { body: string }) => {
          const id = 100 + comments.length;
          comments.push({ id, login: 'skiff[bot]', body });
          writes.push({ at: Date.now(), op: 'create', id, body });
          return { data: { id } };
        },
        updateComment: async ({ comment_id, body }: { comment_id: number; body: string }) => {
          const comment = comments.find((c) => c.id === comment_id)!;
          comment.body = body;
          writes.push({ at: Date.now(), op: 'update', id: comment_id, body });
          return { data: { id: comment_id } };
        },
      },
    },
    paginate: {
      iterator: (method: (p: unknown) => Promise<unknown>, params: unknown) =>
        (async function* () {
          yield await method(params);
        })(),
    },
  };
  return { octokit: octokit as unknown as InstallationOctokit, comments, writes };
}

/** Runs whose phase the test changes between touches. */
function launcherOf(phases: { current: StoredRun['status']['phase'] }): RunLauncher {
  return {
    find: async () => [
      {
        key: 'ci/build-1',
        workflow: { metadata: { name: 'build-1', annotations: { 'skiff.dev/workflow': 'build' }, creationTimestamp: '2026-01-01T00:00:00Z' } },
        status: { phase: phases.current, nodes: {} },
      } as unknown as StoredRun,
    ],
    secretValues: async () => [],
  } as unknown as RunLauncher;
}

const target = (octokit: InstallationOctokit) => ({
  octokit,
  repo: { owner: 'acme', repo: 'flows' },
  fullName: 'acme/flows',
  number: 7,
  headSha: 'a'.repeat(40),
});

test('touches in a burst make one edit at once and one at the end of the interval, with the last state', async () => {
  const github = fakeGitHub();
  const phases = { current: 'Pending' as StoredRun['status']['phase'] };
  const comments = new PullRequestComments({ launcher: launcherOf(phases), minIntervalMs: 300, botLogin: async () => 'skiff[bot]' });
  comments.touch(target(github.octokit), true);
  await comments.settled();
  // Right after an edit, a burst of changes: none is written before the interval is out.
  for (const phase of ['Running', 'Running', 'Failed', 'Succeeded'] as const) {
    phases.current = phase;
    comments.touch(target(github.octokit), false);
  }
  await comments.settled();
  assert.deepEqual(
    github.writes.map((w) => w.op),
    ['create', 'update'],
  );
  assert.ok(github.writes[1]!.at - github.writes[0]!.at >= 290, `edits ${github.writes[1]!.at - github.writes[0]!.at} ms apart`);
  assert.match(github.writes[1]!.body, /build: Succeeded/, 'the last state is the one written');
  // Nothing changed: no edit at all.
  comments.touch(target(github.octokit), false);
  await comments.settled();
  assert.equal(github.writes.length, 2);
});

test("the comment is found again by its marker among the App's own comments only; a run of an older head changes nothing", async () => {
  const github = fakeGitHub([
    { id: 1, login: 'mallory', body: `${COMMENT_MARKER}\nfake` },
    { id: 2, login: 'skiff[bot]', body: 'a reply to a command' },
    { id: 3, login: 'skiff[bot]', body: `${COMMENT_MARKER}\nold` },
  ]);
  const phases = { current: 'Running' as StoredRun['status']['phase'] };
  const comments = new PullRequestComments({ launcher: launcherOf(phases), minIntervalMs: 0, botLogin: async () => 'skiff[bot]' });
  comments.touch(target(github.octokit), false); // after a restart: the head is checked with GitHub first
  await comments.settled();
  assert.deepEqual(
    github.writes.map((w) => `${w.op} ${w.id}`),
    ['update 3'],
  );
  assert.equal(github.comments[0]!.body, `${COMMENT_MARKER}\nfake`, "another user's comment with the marker is left alone");
  comments.touch({ ...target(github.octokit), headSha: 'b'.repeat(40) }, false);
  await comments.settled();
  assert.equal(github.writes.length, 1);
  // A merge group (no pull request number) gets no comment.
  comments.touch({ ...target(github.octokit), number: 0 }, true);
  await comments.settled();
  assert.equal(github.writes.length, 1);
});
