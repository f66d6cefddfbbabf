// The one pull-request comment and the artifact links, against skiff serve, the fake GitHub, the
// real local runtime and a real MinIO: one comment per pull request, edited in place through
// pushes and a restart, with each run, its diagram and links that download the artifact's bytes
// (through the run page for the state directory's artifacts, presigned from MinIO for S3 ones).
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, afterEach, before, test } from 'node:test';
import type { CliIO } from '../../src/cli/cli-io.js';
import { openLocalTarget } from '../../src/cli/local-target.js';
import { COMMENT_MARKER } from '../../src/report/pull-request-comment.js';
import { localArtifactPlaces, RunArtifactLinks } from '../../src/server/run-page/run-artifact-links.js';
import { type RunPageMount, runPageMount } from '../../src/server/run-page/run-page-mount.js';
import { localRunPageSource } from '../../src/cli/local-run-page-source.js';
import { LocalObjectStore } from '../../src/state/local-object-store.js';
import { StateLayout } from '../../src/state/state-layout.js';
import { startMinio, type MinioServer } from '../env/minio/start-minio.js';
import { minioS3Repository, minioSecret } from '../helpers/minio-repository.js';
import { GitHubAppHarness } from '../helpers/github-app-harness.js';

const MAKE = (name: string, text: string) => `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: ${name}-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: make, template: make}
    - - {name: check, template: check}
  - name: make
    container: {image: alpine, command: [sh, -c, "printf '${text}' > /tmp/out"]}
    outputs:
      artifacts:
      - {name: report, path: /tmp/out, archive: {none: {}}}
  - name: check
    container: {image: alpine, command: [sh, -c, "echo checked"]}
`;

let h: GitHubAppHarness;
let page: RunPageMount;
let minio: MinioServer;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

before(async () => {
  minio = await startMinio();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  h = await GitHubAppHarness.start({ port });
  const target = openLocalTarget({ cwd: h.stateDir, env: {} } as unknown as CliIO, { stateDir: h.stateDir });
  page = await runPageMount(localRunPageSource(target, process.env), target.layout.root);
  const options = {
    port,
    mounts: [
      { prefix: '/runs/', handler: page.handler },
      { prefix: '/_skiff/', handler: page.handler },
    ],
    runPageUrl: (key: string) => page.link(base, key),
    artifactLinks: new RunArtifactLinks(localArtifactPlaces(target), { publicUrl: base, signer: page.signer }),
  };
  await h.server.close();
  await h.startServer(options);
  restart = async () => {
    await h.server.close();
    await h.startServer(options);
  };
});
let restart: () => Promise<void>;
afterEach(() => h.github.assertNoViolations());
after(async () => {
  await h?.close();
  page?.handler.close();
  await minio?.stop();
});

const skiffComments = (fullName: string, number: number) => {
  const [owner, name] = fullName.split('/') as [string, string];
  const repoId = h.github.state.repo(owner, name).id;
  return [...h.github.state.comments.values()].filter(
    (c) => c.repoId === repoId && c.issueNumber === number && c.user.login === h.github.app.botLogin && c.body.startsWith(COMMENT_MARKER),
  );
};

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url);
  assert.equal(response.status, 200, url);
  return Buffer.from(await response.arrayBuffer());
}

test('one comment per pull request: lint, plan, each run with its diagram and artifact links; edited in place through pushes and a restart', async () => {
  const config = 'paths: [workflows]\nnamespace: ci\non:\n  pull_request: {workflows: [build]}\n';
  await h.github.createRepo('acme/commented', { '.skiff.yml': config, 'workflows/build.yaml': MAKE('build', 'first artifact\\n') });
  const headSha = await h.github.pushCommit('acme/commented', 'feature', { 'notes.txt': 'one\n' });
  const pull = await h.github.openPullRequest('acme/commented', { head: 'feature', user: 'alice' });
  await h.github.webhooks.pullRequest('opened', 'acme/commented', pull.number);
  await h.server.runsSettled();
  assert.deepEqual(h.logs, []);

  let [comment] = skiffComments('acme/commented', pull.number);
  assert.ok(comment, 'the comment was made');
  let body = comment.body;
  assert.match(body, new RegExp(`Skiff at \`${headSha.slice(0, 7)}\``));
  assert.match(body, /\| lint \| ✔ .*No problems/);
  assert.match(body, /\| plan \| ✔ /);
  assert.match(body, /#### ✔ build: Succeeded \(\[build-[a-z0-9]+\]\(http:\/\/127\.0\.0\.1:\d+\/runs\/ci\/build-/);
  assert.match(body, /```mermaid\nflowchart TD\n/);
  assert.match(body, /\["✔ make"\]/);
  assert.match(body, /classDef Succeeded /);
  const link = /\[make \/ report\]\((http[^)]+)\)/.exec(body)?.[1];
  assert.ok(link, body);
  assert.equal((await download(link)).toString(), 'first artifact\n', 'the link downloads the artifact');
  // The same link is on the run's check run.
  const check = h.checkRuns('skiff / build').find((r) => r.headSha === headSha)!;
  assert.match(check.output.summary ?? '', /### Artifacts\n\n- \[make \/ report\]\(http:\/\/127\.0\.0\.1:\d+\/runs\/ci\/build-[a-z0-9]+\/artifact\?/);
  const tampered = new URL(link);
  tampered.searchParams.set('name', 'other');
  assert.equal((await fetch(tampered)).status, 404, 'no such artifact (the signature is the run’s, the artifact must be one of its)');
  tampered.searchParams.set('sig', 'x');
  assert.equal((await fetch(tampered)).status, 403);

  // A new push: the same comment now speaks of the new head.
  const second = await h.github.pushCommit('acme/commented', 'feature', { 'workflows/build.yaml': MAKE('build', 'second artifact\\n') });
  await h.github.webhooks.pullRequest('synchronize', 'acme/commented', pull.number);
  await h.server.runsSettled();
  assert.equal(skiffComments('acme/commented', pull.number).length, 1);
  [comment] = skiffComments('acme/commented', pull.number);
  body = comment!.body;
  assert.match(body, new RegExp(`Skiff at \`${second.slice(0, 7)}\``));
  const secondLink = /\[make \/ report\]\((http[^)]+)\)/.exec(body)![1]!;
  assert.equal((await download(secondLink)).toString(), 'second artifact\n');

  // After a restart, the comment is found again by its marker and edited, not made twice.
  await restart();
  const third = await h.github.pushCommit('acme/commented', 'feature', { 'notes.txt': 'three\n' });
  await h.github.webhooks.pullRequest('synchronize', 'acme/commented', pull.number);
  await h.server.runsSettled();
  assert.deepEqual(h.logs, []);
  const all = skiffComments('acme/commented', pull.number);
  assert.equal(all.length, 1, 'one comment after several updates and a restart');
  assert.match(all[0]!.body, new RegExp(`Skiff at \`${third.slice(0, 7)}\``));
  const creates = h.github.requests.filter(
    (r) => r.operationId === 'issues/create-comment' && String((r.body as { body?: string }).body).startsWith(COMMENT_MARKER),
  );
  assert.equal(creates.length, 1);
  const edits = h.github.requests.filter((r) => r.operationId === 'issues/update-comment' && r.path.endsWith(`/comments/${all[0]!.id}`));
  assert.ok(edits.length >= 3, `edited for each push: ${edits.length}`);
  assert.ok(
    h.github.requests.some((r) => r.operationId === 'issues/list-comments' && r.path.includes('/acme/commented/')),
    'found again by listing the comments',
  );
});

test('a push to a branch with no pull request gets check runs and no comment', async () => {
  const config = 'paths: [workflows]\nnamespace: ci\non:\n  push: {branches: [main]}\n';
  const repo = await h.github.createRepo('acme/nopr', { '.skiff.yml': config, 'workflows/build.yaml': MAKE('build', 'main\\n') });
  const before = h.github.state.comments.size;
  await h.github.webhooks.push('acme/nopr', { ref: 'refs/heads/main', before: '0'.repeat(40), after: repo.commit });
  await h.server.runsSettled();
  assert.equal(h.checkRuns('skiff / build').find((r) => r.headSha === repo.commit)?.conclusion, 'success');
  assert.equal(h.github.state.comments.size, before);
  assert.equal(h.github.requests.filter((r) => r.operationId === 'issues/list-comments' && r.path.includes('/acme/nopr/')).length, 0);
});

test('artifacts in S3 get presigned links expiring as the config says; the link downloads the bytes from MinIO', async () => {
  const objects = new LocalObjectStore(new StateLayout(h.stateDir).objects);
  await objects.apply(minioSecret(minio, 'ci'));
  const repository = minioS3Repository(minio, ['keyPrefix: app']);
  await objects.apply({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'artifact-repositories', namespace: 'ci', annotations: { 'workflows.argoproj.io/default-artifact-repository': 'minio' } },
    data: { minio: repository },
  } as never);
  const config = 'paths: [workflows]\nnamespace: ci\nartifacts: {linkLifetime: 1h}\non:\n  push: {branches: [main]}\n';
  const repo = await h.github.createRepo('acme/s3links', { '.skiff.yml': config, 'workflows/build.yaml': MAKE('build', 'bytes in s3\\n') });
  await h.github.webhooks.push('acme/s3links', { ref: 'refs/heads/main', before: '0'.repeat(40), after: repo.commit });
  await h.server.runsSettled();
  const check = h.checkRuns('skiff / build').find((r) => r.headSha === repo.commit)!;
  assert.equal(check.conclusion, 'success', check.output.summary ?? '');
  const link = /\[make \/ report\]\((http[^)]+)\)/.exec(check.output.summary ?? '')?.[1];
  assert.ok(link, check.output.summary ?? '');
  const url = new URL(link);
  assert.equal(url.origin, new URL(minio.endpoint).origin, 'straight from MinIO');
  assert.equal(url.searchParams.get('X-Amz-Expires'), '3600');
  assert.ok(!link.includes(minio.secretKey), 'the secret key is never in the link');
  const response = await fetch(link);
  assert.equal(response.status, 200);
  assert.equal(Buffer.from(await response.arrayBuffer()).toString(), 'bytes in s3\n');
  assert.match(response.headers.get('content-disposition') ?? '', /^attachment/);
  const forged = new URL(link);
  forged.searchParams.set('X-Amz-Expires', '604800');
  assert.equal((await fetch(forged)).status, 403, 'the lifetime is signed');
});

test('attacker: an archived log (archiveLogs) is linked through the run page, which hides the Secret a step printed, never straight from MinIO', async () => {
  const objects = new LocalObjectStore(new StateLayout(h.stateDir).objects);
  const token = 'tok-4f9a2c-never-in-a-comment';
  await objects.apply(minioSecret(minio, 'ci'));
  await objects.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'deploy', namespace: 'ci' }, stringData: { token } } as never);
  const repository = minioS3Repository(minio, ['keyPrefix: app']);
  await objects.apply({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'artifact-repositories', namespace: 'ci', annotations: { 'workflows.argoproj.io/default-artifact-repository': 'minio' } },
    data: { minio: repository },
  } as never);
  const workflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: leaky-}
spec:
  entrypoint: leak
  archiveLogs: true
  templates:
  - name: leak
    container:
      image: alpine
      command: [sh, -c, "echo before; echo token=$TOKEN; echo after"]
      env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: deploy, key: token}}}]
`;
  const config = 'paths: [workflows]\nnamespace: ci\non:\n  push: {branches: [main]}\n';
  const repo = await h.github.createRepo('acme/leaky', { '.skiff.yml': config, 'workflows/leaky.yaml': workflow });
  await h.github.webhooks.push('acme/leaky', { ref: 'refs/heads/main', before: '0'.repeat(40), after: repo.commit });
  await h.server.runsSettled();
  const check = h.checkRuns('skiff / leaky').find((r) => r.headSha === repo.commit)!;
  assert.equal(check.conclusion, 'success', check.output.summary ?? '');
  const link = /\[[^\]]*main-logs\]\((http[^)]+)\)/.exec(check.output.summary ?? '')?.[1];
  assert.ok(link, check.output.summary ?? '');
  assert.notEqual(new URL(link).origin, new URL(minio.endpoint).origin, 'not a presigned link to the raw log');
  const response = await fetch(link);
  assert.equal(response.status, 200);
  const text = Buffer.from(await response.arrayBuffer()).toString();
  assert.match(text, /before\n/);
  assert.match(text, /token=\[redacted\]/);
  assert.ok(!text.includes(token), text);
});

test("attacker: a PR's loop items and messages cannot inject Mermaid or Markdown into the comment", async () => {
  const hostile = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: hostile-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: each
        template: say
        arguments: {parameters: [{name: x, value: "{{item}}"}]}
        withItems: ['a"] --> evil["', '<img src=x onerror=alert(1)>', '\`\`\`', '[x](https://evil.example)']
    - - {name: fail, template: fail}
  - name: say
    inputs: {parameters: [{name: x}]}
    container: {image: alpine, command: [sh, -c, "echo ok"]}
  - name: fail
    container: {image: alpine, command: [sh, -c, "exit 3"]}
`;
  const config = 'paths: [workflows]\nnamespace: ci\non:\n  pull_request: {workflows: [hostile]}\n';
  await h.github.createRepo('acme/hostile', { '.skiff.yml': config, 'workflows/hostile.yaml': hostile });
  await h.github.pushCommit('acme/hostile', 'feature', { 'notes.txt': 'x\n' });
  const pull = await h.github.openPullRequest('acme/hostile', { head: 'feature', user: 'mallory' });
  await h.github.webhooks.pullRequest('opened', 'acme/hostile', pull.number);
  await h.server.runsSettled();
  const [comment] = skiffComments('acme/hostile', pull.number);
  assert.ok(comment, h.logs.join('\n'));
  const body = comment.body;
  assert.match(body, /#### ✖ hostile: Failed/);
  const diagram = /```mermaid\n([\s\S]*?)\n```/.exec(body)?.[1];
  assert.ok(diagram, body);
  assert.equal((body.match(/```/g) ?? []).length, 2, 'one fenced block, closed where it should be');
  assert.doesNotMatch(body, /<img/);
  assert.doesNotMatch(body, /\]\(https:\/\/evil/);
  for (const line of diagram.split('\n').slice(1)) {
    assert.match(
      line,
      /^ {2}(n\d+(\("[^"]*"\)|\["[^"]*"\]|\[\["[^"]*"\]\])|n\d+ --> n\d+|classDef \w+ [^"]+|class [n0-9,]+ \w+)$/,
      `a line the renderer wrote: ${line}`,
    );
  }
  assert.match(diagram, /#34;#93; --#62; evil#91;#34;/, 'the item is shown, as text');
});
