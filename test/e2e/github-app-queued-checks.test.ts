// Pull-request deliveries sent at once to skiff serve (fake GitHub, local state directory): each
// delivery's `skiff / lint` and `skiff / plan` are opened queued moments after it is acknowledged,
// while its work still waits behind the repository's earlier deliveries; the work then takes them
// over (in progress, completed), so each exists exactly once.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, test } from 'node:test';
import { GitHubAppHarness } from '../helpers/github-app-harness.js';

let h: GitHubAppHarness;
before(async () => {
  h = await GitHubAppHarness.start();
  await h.github.createRepo('acme/flows', {
    '.skiff.yml': 'paths: [workflows]\nnamespace: ci\n',
    'workflows/hello.yaml':
      'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: hello-}\nspec:\n  entrypoint: main\n  templates:\n  - name: main\n    container: {image: alpine, command: [echo, hi]}\n',
  });
});
afterEach(() => h.github.assertNoViolations());
after(async () => h?.close());

test("every pull-request delivery's checks are opened queued at once, then taken over by its work: each exactly once", async () => {
  await h.github.pushCommit('acme/flows', 'feature', { 'notes.txt': 'x\n' });
  const pull = await h.github.openPullRequest('acme/flows', { head: 'feature' });
  const repo = h.github.state.repo('acme', 'flows');
  const payload = h.github.webhooks.payloads.pullRequest('synchronize', repo, h.github.state.pull(repo, pull.number), [], 1);
  const headSha = h.github.state.pull(repo, pull.number).head.sha;
  const ids = Array.from({ length: 6 }, () => randomUUID());
  const requestsBefore = h.github.requests.length;
  const statuses = await Promise.all(ids.map(async (id) => (await h.sendRaw('pull_request', payload, id)).status));
  assert.deepEqual(
    statuses,
    ids.map(() => 202),
  );
  await h.server.idle();

  const requests = h.github.requests.slice(requestsBefore);
  for (const id of ids) {
    for (const [check, prefix] of [
      ['skiff / lint', 'lint'],
      ['skiff / plan', 'plan'],
    ] as const) {
      const externalId = `${prefix}:${headSha}:${id}`;
      const runs = h.checkRuns(check).filter((r) => r.externalId === externalId);
      assert.equal(runs.length, 1, `${check} of delivery ${id}: exactly one`);
      assert.equal(runs[0]!.status, 'completed');
      const creates = requests.filter((r) => r.operationId === 'checks/create' && (r.body as { external_id?: string }).external_id === externalId);
      assert.deepEqual(
        creates.map((r) => (r.body as { status?: string }).status),
        ['queued'],
        `${check} of delivery ${id} was opened queued, before its work`,
      );
    }
  }
  // The last delivery's checks were opened before the first delivery's work had finished: queued
  // while they waited, not opened when their own work began.
  const firstDone = requests.findIndex((r) => r.operationId === 'checks/update' && (r.body as { status?: string }).status === 'completed');
  const lastOpened = requests.findIndex(
    (r) => r.operationId === 'checks/create' && (r.body as { external_id?: string }).external_id === `plan:${headSha}:${ids.at(-1)}`,
  );
  assert.ok(
    lastOpened >= 0 && lastOpened < firstDone,
    `the last delivery's checks were opened (request ${lastOpened}) before any check was completed (request ${firstDone})`,
  );
});
