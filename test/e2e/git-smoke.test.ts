// Smoke test of the git test server: real `git http-backend` behind test/env/git, exercised with
// isomorphic-git (what Skiff uses) and the git CLI (what people push with).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { startGitServer, type GitServer } from '../env/git/start-git-server.js';
import { runGit } from '../env/git/run-git.js';

const WORKFLOW = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: hello-
spec:
  entrypoint: main
  templates:
    - name: main
      container:
        image: alpine:3.20
        command: [echo, hello]
`;

let server: GitServer;
let scratch: string;

before(async () => {
  const started = Date.now();
  server = await startGitServer();
  console.log(`git server started in ${Date.now() - started} ms at ${server.baseUrl}`);
  scratch = await mkdtemp(join(tmpdir(), 'skiff-git-smoke-'));
});

after(async () => {
  await server?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test('isomorphic-git clones, then fetches a commit pushed with the git CLI', async () => {
  const repo = await server.createRepo('acme/flows', { 'workflows/hello.yaml': WORKFLOW, 'README.md': '# flows\n' });

  const dir = join(scratch, 'iso-clone');
  await git.clone({ fs, http, dir, url: repo.url, ref: 'main', singleBranch: true });
  assert.equal(await git.resolveRef({ fs, dir, ref: 'HEAD' }), repo.commit);
  assert.equal(await readFile(join(dir, 'workflows/hello.yaml'), 'utf8'), WORKFLOW);

  // Someone pushes a change with the git CLI over HTTP (asynchronously: this process serves it).
  const cliDir = join(scratch, 'cli-clone');
  await runGit(['clone', '--quiet', repo.url, cliDir]);
  await writeFile(join(cliDir, 'workflows/hello.yaml'), WORKFLOW.replace('hello]', 'hello, again]'));
  await runGit(['commit', '--quiet', '-am', 'Say hello again'], { cwd: cliDir });
  await runGit(['push', '--quiet', 'origin', 'main'], { cwd: cliDir });
  const pushed = await runGit(['rev-parse', 'HEAD'], { cwd: cliDir });
  assert.notEqual(pushed, repo.commit);
  assert.equal(await runGit(['rev-parse', 'refs/heads/main'], { cwd: repo.path }), pushed, 'the push reached the bare repo');
  assert.ok(
    server.requests.some((r) => r.method === 'POST' && r.path.endsWith('/git-receive-pack') && r.status === 200),
    'the push went through the HTTP server',
  );

  const fetched = await git.fetch({ fs, http, dir, url: repo.url, ref: 'main', singleBranch: true });
  assert.equal(fetched.fetchHead, pushed);
  assert.equal(await git.resolveRef({ fs, dir, ref: 'refs/remotes/origin/main' }), pushed);
  const { commit } = await git.readCommit({ fs, dir, oid: pushed });
  assert.equal(commit.message.trim(), 'Say hello again');
  assert.deepEqual(commit.parent, [repo.commit]);
});

test('isomorphic-git pushes a commit that the server stores', async () => {
  const repo = await server.createRepo('push-target', { 'a.txt': 'a\n' });
  const dir = join(scratch, 'iso-push');
  await git.clone({ fs, http, dir, url: repo.url, ref: 'main', singleBranch: true });
  await writeFile(join(dir, 'b.txt'), 'b\n');
  await git.add({ fs, dir, filepath: 'b.txt' });
  const oid = await git.commit({
    fs,
    dir,
    message: 'Add b',
    author: { name: 'Skiff Test', email: 'test@skiff.invalid' },
  });
  const result = await git.push({ fs, http, dir, url: repo.url, ref: 'main' });
  assert.equal(result.ok, true);
  assert.equal(await runGit(['rev-parse', 'refs/heads/main'], { cwd: repo.path }), oid);
  assert.equal(await runGit(['show', 'main:b.txt'], { cwd: repo.path }), 'b');
});

test('the git CLI fetches with a gzipped negotiation', async () => {
  const repo = await server.createRepo('busy', { 'n.txt': '0\n' });
  const dir = join(scratch, 'busy-clone');
  await runGit(['clone', '--quiet', repo.url, dir]);
  // Local commits the server lacks make the client send many "have" lines: a request body over
  // 1 KiB, which git gzips.
  for (let i = 1; i <= 40; i++) {
    await writeFile(join(dir, 'n.txt'), `${i}\n`);
    await runGit(['commit', '--quiet', '-am', `local ${i}`], { cwd: dir });
  }
  const upstream = await server.createRepo('busy-upstream', { 'other.txt': 'x\n' });
  const before = server.requests.length;
  await runGit(['fetch', '--quiet', upstream.url, 'main'], { cwd: dir });
  assert.equal(await runGit(['rev-parse', 'FETCH_HEAD'], { cwd: dir }), upstream.commit);
  const negotiation = server.requests.slice(before).filter((r) => r.path.endsWith('/git-upload-pack') && r.method === 'POST');
  assert.ok(
    negotiation.some((r) => r.contentEncoding === 'gzip' && r.status === 200),
    JSON.stringify(negotiation),
  );
});

test('an unknown repository is a 404, not a hang or a 500', async () => {
  const dir = join(scratch, 'missing');
  await assert.rejects(
    git.clone({ fs, http, dir, url: server.url('does-not-exist') }),
    (err: unknown) => err instanceof Error && /404/.test(String((err as { data?: { statusCode?: number } }).data?.statusCode ?? err.message)),
  );
});

test('with auth on, wrong credentials are refused and right ones clone', async () => {
  const guarded = await startGitServer({ auth: { username: 'skiff', password: 's3cret' } });
  try {
    const repo = await guarded.createRepo('private', { 'x.txt': 'x\n' });
    await assert.rejects(
      git.clone({
        fs,
        http,
        dir: join(scratch, 'auth-wrong'),
        url: repo.url,
        onAuth: () => ({ username: 'skiff', password: 'wrong' }),
        onAuthFailure: () => ({ cancel: true }),
      }),
    );
    assert.ok(guarded.requests.every((r) => r.status === 401 || r.status === 0));

    const dir = join(scratch, 'auth-right');
    await git.clone({ fs, http, dir, url: repo.url, onAuth: () => ({ username: 'skiff', password: 's3cret' }) });
    assert.equal(await git.resolveRef({ fs, dir, ref: 'HEAD' }), repo.commit);
  } finally {
    await guarded.stop();
  }
});
