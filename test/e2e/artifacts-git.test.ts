// Git input artifacts against a real smart-HTTP server (git http-backend, test/env/git).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGitServer, type GitServer } from '../env/git/start-git-server.js';
import { runGit } from '../env/git/run-git.js';
import { isArtifactError } from '../../src/artifacts/artifact-error.js';
import { createArtifactDriver } from '../../src/artifacts/create-artifact-driver.js';
import { loadInputArtifact } from '../../src/artifacts/load-input-artifact.js';

let server: GitServer;
let dir: string;
let url: string;
let first: string;
const secrets = {
  get: async (_ns: string, name: string, key: string) => (name === 'git-cred' ? ({ user: 'skiff', pass: 'pw' } as Record<string, string>)[key] : undefined),
};
const driver = createArtifactDriver({ secrets, namespace: 'argo' });

before(async () => {
  server = await startGitServer();
  dir = await mkdtemp(join(tmpdir(), 'skiff-artifacts-git-'));
  const repo = await server.createRepo('flows', { 'README.md': 'v1\n' });
  url = repo.url;
  first = repo.commit;
  // A second commit on main and a tag on the first.
  const work = join(dir, 'seed');
  await runGit(['clone', '--quiet', repo.path, work]);
  await runGit(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '--allow-empty', '-m', 'v2'], { cwd: work });
  await runGit(['tag', 'v1', first], { cwd: work });
  await runGit(['push', '--quiet', '--tags', 'origin', 'HEAD:main'], { cwd: work });
});

after(async () => {
  driver.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('clones the default branch into the artifact path, keeping .git as Argo does', async () => {
  const dest = join(dir, 'in', 'src');
  await loadInputArtifact({ name: 'src', git: { repo: url } }, { driver, destPath: dest });
  assert.equal(await readFile(join(dest, 'README.md'), 'utf8'), 'v1\n');
  assert.ok(existsSync(join(dest, '.git')));
});

test('checks out a revision: a tag or a commit', async () => {
  await loadInputArtifact({ name: 'src', git: { repo: url, revision: 'v1' } }, { driver, destPath: join(dir, 'in', 'tag') });
  assert.equal(await readFile(join(dir, 'in', 'tag', 'README.md'), 'utf8'), 'v1\n');
  await loadInputArtifact({ name: 'src', git: { repo: url, revision: first.slice(0, 12) } }, { driver, destPath: join(dir, 'in', 'sha') });
  assert.ok(existsSync(join(dir, 'in', 'sha', 'README.md')));
});

test('depth and singleBranch with a branch', async () => {
  await loadInputArtifact({ name: 'src', git: { repo: url, depth: 1, singleBranch: true, branch: 'main' } }, { driver, destPath: join(dir, 'in', 'shallow') });
  assert.ok(existsSync(join(dir, 'in', 'shallow', 'README.md')));
  await assert.rejects(
    loadInputArtifact({ name: 'src', git: { repo: url, singleBranch: true } }, { driver, destPath: join(dir, 'in', 'nobranch') }),
    /singleBranch needs a branch/,
  );
});

test('bad input: an unknown revision or repository is not-found; a dead server unreachable', async () => {
  await assert.rejects(
    loadInputArtifact({ name: 'src', git: { repo: url, revision: 'no-such-tag' } }, { driver, destPath: join(dir, 'in', 'x1') }),
    /revision "no-such-tag" not found/,
  );
  await assert.rejects(loadInputArtifact({ name: 'src', git: { repo: server.url('missing') } }, { driver, destPath: join(dir, 'in', 'x2') }), (err: unknown) =>
    isArtifactError(err, 'not-found'),
  );
  await assert.rejects(
    loadInputArtifact({ name: 'src', git: { repo: 'http://127.0.0.1:1/x.git' } }, { driver, destPath: join(dir, 'in', 'x3') }),
    (err: unknown) => isArtifactError(err, 'unreachable'),
  );
  assert.equal(existsSync(join(dir, 'in', 'x1')), false, 'nothing is left at a failed path');
});
