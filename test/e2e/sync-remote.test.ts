// `skiff plan --repo URL --ref REF` and `skiff sync --repo`: a remote repository fetched over the
// real git http-backend (with a token), planned and applied against the local state directory.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type GitServer, startGitServer } from '../env/git/start-git-server.js';
import { skiff, workspace } from '../cli/run-cli.js';
import { LocalObjectStore } from '../../src/state/local-object-store.js';
import { StateLayout } from '../../src/state/state-layout.js';
import { CONFIG, workflowTemplate } from '../sync/sync-fixtures.js';

const TOKEN = 'ghs_remote-sync-token-1234';
let server: GitServer;

before(async () => {
  server = await startGitServer({ auth: { username: 'x-access-token', password: TOKEN } });
});
after(() => server?.stop());

test('a remote repository is planned and synced by URL and ref, with the token from SKIFF_GIT_TOKEN and never stored', async () => {
  const repo = await server.createRepo('acme/remote', { '.skiff.yml': CONFIG, 'workflows/build.yaml': workflowTemplate('build') });
  const dir = workspace();
  const env = { SKIFF_GIT_TOKEN: TOKEN };

  const anonymous = await skiff(dir, ['plan', '--repo', repo.url, '--ref', 'main']);
  assert.equal(anonymous.status, 1, 'a private repository without a token is refused');

  const plan = await skiff(dir, ['plan', '--repo', repo.url, '--ref', 'main'], { env });
  assert.equal(plan.status, 2, plan.stderr);
  assert.match(plan.stdout, new RegExp(`^Plan for acme/remote at ${repo.commit.slice(0, 7)}: 1 to create`, 'm'));

  const synced = await skiff(dir, ['sync', '--repo', repo.url, '--ref', 'main'], { env });
  assert.equal(synced.status, 0, synced.stderr);
  const objects = new LocalObjectStore(new StateLayout(join(dir, 'state')).objects);
  const stored = await objects.getObject('WorkflowTemplate', 'ci', 'build');
  assert.ok(stored, 'the template is in the state directory');
  assert.equal(stored.metadata.annotations?.['skiff.dev/commit'], repo.commit);

  const again = await skiff(dir, ['plan', '--repo', repo.url, '--ref', 'main', '--commit', repo.commit], { env });
  assert.equal(again.status, 0, again.stdout + again.stderr);

  // The token is asked for on each fetch and kept nowhere in the state directory.
  const files = await listFiles(join(dir, 'state'));
  const { readFile } = await import('node:fs/promises');
  for (const file of files) assert.equal((await readFile(file)).includes(TOKEN), false, `${file} holds the token`);

  const bad = await skiff(dir, ['plan', '--repo', `http://x-access-token:${TOKEN}@127.0.0.1:1/a.git`]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /no credentials in the URL/);
  assert.doesNotMatch(bad.stderr, new RegExp(TOKEN));
  assert.equal((await skiff(dir, ['plan', '.', '--repo', repo.url])).status, 2, 'a PATH and --repo together are refused');
});

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  }
  return out;
}
