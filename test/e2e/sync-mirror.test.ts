// The repository mirror and the desired set at a commit, against the real `git http-backend`:
// commits pushed with the git CLI, fetched by the mirror (its own first clone, then isomorphic-git),
// read without a checkout.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, truncate, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { HttpClient } from 'isomorphic-git';
import nodeHttp from 'isomorphic-git/http/node';
import { startGitServer, type GitServer } from '../env/git/start-git-server.js';
import { runGit } from '../env/git/run-git.js';
import { desiredSetAt, type DesiredSetResult } from '../../src/sync/desired-set.js';
import { readRepositoryConfig } from '../../src/sync/repository-config.js';
import { RepositoryMirror, type MirrorEvent } from '../../src/sync/repository-mirror.js';
import { ARTIFACT_REPOSITORIES, CLUSTER_TEMPLATE, CONFIG, CRON_WORKFLOW, LINT_ERROR, SECRET, WORKFLOW, workflowTemplate } from '../sync/sync-fixtures.js';

let server: GitServer;
let scratch: string;

before(async () => {
  server = await startGitServer();
  scratch = await mkdtemp(join(tmpdir(), 'skiff-sync-mirror-'));
});

after(async () => {
  await server?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** A working clone of a server repository that commits with the git CLI and pushes over HTTP. */
async function workClone(url: string, name: string) {
  const dir = join(scratch, `work-${name}`);
  await runGit(['clone', '--quiet', url, dir]);
  return {
    dir,
    async write(files: Record<string, string | Uint8Array>) {
      for (const [file, content] of Object.entries(files)) {
        await mkdir(dirname(join(dir, file)), { recursive: true });
        await writeFile(join(dir, file), content);
      }
    },
    async remove(...files: string[]) {
      await runGit(['rm', '--quiet', ...files], { cwd: dir });
    },
    async link(file: string, target: string) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await symlink(target, join(dir, file));
    },
    /** Commits everything and pushes to `ref` on the server; returns the commit. */
    async commit(message: string, ref = 'refs/heads/main') {
      await runGit(['add', '--all'], { cwd: dir });
      await runGit(['commit', '--quiet', '-m', message], { cwd: dir });
      await runGit(['push', '--quiet', 'origin', `HEAD:${ref}`], { cwd: dir });
      return runGit(['rev-parse', 'HEAD'], { cwd: dir });
    },
  };
}

/** An HTTP client that counts response bytes and records each request's span, optionally slowed down. */
function instrumentedHttp(delayMs = 0) {
  const spans: Array<{ url: string; start: number; end: number; bytes: number }> = [];
  const client: HttpClient = {
    async request(request) {
      const span = { url: request.url, start: performance.now(), end: Number.NaN, bytes: 0 };
      spans.push(span);
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      const response = await nodeHttp.request(request);
      const chunks: Uint8Array[] = [];
      for await (const chunk of response.body ?? []) chunks.push(chunk);
      span.bytes = chunks.reduce((sum, c) => sum + c.length, 0);
      span.end = performance.now();
      return {
        ...response,
        body: (async function* () {
          yield* chunks;
        })(),
      };
    },
  };
  return { client, spans };
}

function summary(result: DesiredSetResult) {
  assert.ok(result.ok, `expected a desired set, got ${JSON.stringify(!result.ok && result.diagnostics, null, 1)}`);
  return {
    apply: result.desired.apply.map((o) => `${o.identity.kind} ${o.identity.namespace ?? '-'}/${o.identity.name} @${o.source.file}:${o.source.line}`).sort(),
    run: result.desired.run.map((r) => `${r.namespace}/${r.name ?? r.generateName} @${r.source.file}`),
  };
}

function desiredAt(mirror: RepositoryMirror, url: string, commit: string, configCommit = commit): Promise<DesiredSetResult> {
  return desiredSetAt(mirror.treeAt(url, commit), mirror.treeAt(url, configCommit));
}

test('three commits (create, change, delete) are fetched incrementally, and each desired set is exactly what is there', async () => {
  const bulk = randomBytes(300_000); // makes the first transfer large, so an incremental one stands out
  const repo = await server.createRepo('acme/three', { 'README.md': '# flows\n', 'docs/bulk.bin': bulk });
  const work = await workClone(repo.url, 'three');
  const { client, spans } = instrumentedHttp();
  const events: MirrorEvent[] = [];
  const mirror = new RepositoryMirror({ root: join(scratch, 'mirrors-three'), http: client, onEvent: (e) => events.push(e) });

  await work.write({
    '.skiff.yml': CONFIG,
    'workflows/build.yaml': workflowTemplate('build'),
    'workflows/artifacts.yaml': ARTIFACT_REPOSITORIES,
    'workflows/run.yaml': WORKFLOW,
    'workflows/drafts/wip.yaml': 'not: [yaml',
  });
  const first = await work.commit('create');
  const f1 = await mirror.fetchCommit({ url: repo.url, ref: 'main', commit: first });
  const cloneBytes = spans.reduce((sum, s) => sum + s.bytes, 0);
  assert.equal(f1.commit, first);
  assert.ok(cloneBytes > 300_000, `the clone carried the bulk file (${cloneBytes} bytes)`);
  assert.deepEqual(summary(await desiredAt(mirror, repo.url, first)), {
    apply: ['ConfigMap ci/artifact-repositories @workflows/artifacts.yaml:1', 'WorkflowTemplate ci/build @workflows/build.yaml:1'],
    run: ['ci/build- @workflows/run.yaml'],
  });

  await work.write({
    'workflows/build.yaml': workflowTemplate('build', 'changed'),
    'workflows/nightly.yaml': CRON_WORKFLOW,
    'cluster/shared.yaml': CLUSTER_TEMPLATE,
  });
  const second = await work.commit('change');
  let before = spans.length;
  const f2 = await mirror.fetchCommit({ url: repo.url, ref: 'main', commit: second });
  const secondBytes = spans.slice(before).reduce((sum, s) => sum + s.bytes, 0);
  assert.equal(f2.fetched, true);
  assert.ok(secondBytes < 20_000, `only the new objects were fetched (${secondBytes} bytes)`);
  const changed = await desiredAt(mirror, repo.url, second);
  assert.deepEqual(summary(changed), {
    apply: [
      'ClusterWorkflowTemplate -/shared @cluster/shared.yaml:1',
      'ConfigMap ci/artifact-repositories @workflows/artifacts.yaml:1',
      'CronWorkflow nightly/nightly @workflows/nightly.yaml:1',
      'WorkflowTemplate ci/build @workflows/build.yaml:1',
    ],
    run: ['ci/build- @workflows/run.yaml'],
  });
  const build = changed.ok && changed.desired.apply.find((o) => o.identity.name === 'build');
  assert.match(JSON.stringify(build ? build.object : undefined), /changed/);

  await work.remove('workflows/artifacts.yaml', 'workflows/run.yaml');
  const third = await work.commit('delete');
  before = spans.length;
  await mirror.fetchCommit({ url: repo.url, ref: 'main', commit: third });
  assert.ok(spans.slice(before).reduce((sum, s) => sum + s.bytes, 0) < 20_000);
  assert.deepEqual(summary(await desiredAt(mirror, repo.url, third)), {
    apply: [
      'ClusterWorkflowTemplate -/shared @cluster/shared.yaml:1',
      'CronWorkflow nightly/nightly @workflows/nightly.yaml:1',
      'WorkflowTemplate ci/build @workflows/build.yaml:1',
    ],
    run: [],
  });

  // Every commit stays readable, and one already present costs no request at all.
  before = spans.length;
  const again = await mirror.fetchCommit({ url: repo.url, ref: 'main', commit: first });
  assert.equal(again.fetched, false);
  assert.equal(spans.length, before);
  assert.equal(summary(await desiredAt(mirror, repo.url, first)).apply.length, 2);
  assert.deepEqual(
    events.filter((e) => e.type === 'clone' || e.type === 'reclone').map((e) => e.type),
    ['clone'],
  );
});

test('the first clone is shallow; a commit older than it deepens the mirror once', async () => {
  const repo = await server.createRepo('acme/history', { '.skiff.yml': CONFIG, 'workflows/build.yaml': workflowTemplate('build', 'v0') });
  const work = await workClone(repo.url, 'history');
  const old = [repo.commit];
  for (let i = 1; i <= 3; i++) {
    await work.write({ [`workflows/t${i}.yaml`]: workflowTemplate(`t${i}`), 'docs/bulk.bin': randomBytes(100_000) });
    old.push(await work.commit(`revision ${i}`));
  }
  const { client, spans } = instrumentedHttp();
  const mirror = new RepositoryMirror({ root: join(scratch, 'mirrors-history'), http: client });
  const tip = await mirror.fetchCommit({ url: repo.url, ref: 'main' });
  assert.equal(tip.commit, old[3]);
  assert.ok((await readFile(join(tip.gitdir, 'shallow'), 'utf8')).includes(old[3]!), 'the clone stopped at the tip');
  const cloneBytes = spans.reduce((sum, s) => sum + s.bytes, 0);
  assert.ok(cloneBytes < 200_000, `old revisions of the bulk file were not transferred (${cloneBytes} bytes)`);
  // The first pack is downloaded and indexed by Skiff: git itself must find the mirror whole.
  await runGit(['fsck', '--full', '--strict'], { cwd: tip.gitdir });

  const first = await mirror.fetchCommit({ url: repo.url, ref: 'main', commit: repo.commit });
  assert.equal(first.commit, repo.commit);
  assert.deepEqual(summary(await desiredAt(mirror, repo.url, repo.commit)).apply, ['WorkflowTemplate ci/build @workflows/build.yaml:1']);
  assert.deepEqual(summary(await desiredAt(mirror, repo.url, old[3]!)).apply.length, 4);
  await runGit(['fsck', '--full', '--strict'], { cwd: tip.gitdir });

  // A first clone of an annotated tag gives the commit it names, not the tag object.
  await runGit(['tag', '-a', 'v1', '-m', 'release one', old[2]!], { cwd: work.dir });
  await runGit(['push', '--quiet', 'origin', 'refs/tags/v1'], { cwd: work.dir });
  const tagMirror = new RepositoryMirror({ root: join(scratch, 'mirrors-history-tag') });
  const tagged = await tagMirror.fetchCommit({ url: repo.url, ref: 'refs/tags/v1' });
  assert.equal(tagged.commit, old[2]);
  assert.equal(summary(await desiredAt(tagMirror, repo.url, old[2]!)).apply.length, 3);
});

test("a fork's pull-request head is fetched through refs/pull/N/head and read with the base branch's config", async () => {
  const repo = await server.createRepo('acme/forked', { '.skiff.yml': CONFIG, 'workflows/build.yaml': workflowTemplate('build') });
  // The fork is another repository; the server exposes its head as refs/pull/7/head, as GitHub does.
  const fork = await server.createRepo('someone/forked', { x: 'x\n' });
  const forkWork = await workClone(repo.url, 'fork');
  await runGit(['remote', 'add', 'fork', fork.url], { cwd: forkWork.dir });
  await forkWork.write({
    '.skiff.yml': CONFIG.replace('namespace: ci', 'namespace: kube-system').replace('paths: [workflows, cluster]', 'paths: [.]'),
    'workflows/lint.yaml': workflowTemplate('lint'),
  });
  await runGit(['add', '--all'], { cwd: forkWork.dir });
  await runGit(['commit', '--quiet', '-m', 'fork change'], { cwd: forkWork.dir });
  await runGit(['push', '--quiet', '--force', 'fork', 'HEAD:refs/heads/feature'], { cwd: forkWork.dir });
  const head = await runGit(['rev-parse', 'HEAD'], { cwd: forkWork.dir });
  await runGit(['fetch', '--quiet', fork.path, 'refs/heads/feature:refs/pull/7/head'], { cwd: repo.path });

  const mirror = new RepositoryMirror({ root: join(scratch, 'mirrors-fork') });
  await mirror.fetchCommit({ url: repo.url, ref: 'main', commit: repo.commit });
  const fetched = await mirror.fetchCommit({ url: repo.url, ref: 'refs/pull/7/head', commit: head });
  assert.equal(fetched.commit, head);
  assert.equal(fetched.fetched, true);

  const result = await desiredAt(mirror, repo.url, head, repo.commit);
  assert.deepEqual(summary(result).apply, ['WorkflowTemplate ci/build @workflows/build.yaml:1', 'WorkflowTemplate ci/lint @workflows/lint.yaml:1']);
  // With the fork's own config the same commit would go to kube-system: the base's config decides.
  const forkConfig = await readRepositoryConfig(mirror.treeAt(repo.url, head));
  assert.ok(forkConfig.ok && forkConfig.config.namespace === 'kube-system');

  // A ref the server does not have fails the fetch and leaves the mirror alone.
  await assert.rejects(mirror.fetchCommit({ url: repo.url, ref: 'refs/pull/99/head' }), /refs\/pull\/99\/head/);
  await assert.rejects(mirror.fetchCommit({ url: repo.url, ref: 'refs/heads/../../config' }), /name a branch, a tag or refs\/pull\/N\/head/);
  assert.equal((await mirror.fetchCommit({ url: repo.url, ref: 'refs/pull/7/head', commit: head })).fetched, false, 'the mirror was kept');
  // A head SHA the ref no longer reaches (force-pushed away) is an error, not another commit.
  await assert.rejects(mirror.fetchCommit({ url: repo.url, ref: 'refs/pull/7/head', commit: 'f'.repeat(40) }), /not reachable from refs\/pull\/7\/head/);
});

test('hostile or broken contents are refused with their file and line, and nothing is to be applied', async () => {
  const mirror = new RepositoryMirror({ root: join(scratch, 'mirrors-hostile') });
  const base = { '.skiff.yml': CONFIG, 'workflows/build.yaml': workflowTemplate('build') };
  const cases: Array<{ name: string; files?: Record<string, string | Uint8Array>; link?: [string, string]; expect: Array<[string, number, string, RegExp]> }> =
    [
      { name: 'secret', files: { 'workflows/creds.yaml': SECRET }, expect: [['workflows/creds.yaml', 2, 'secret-in-git', /never read from git/]] },
      { name: 'lint', files: { 'workflows/broken.yaml': LINT_ERROR }, expect: [['workflows/broken.yaml', 11, 'unknown-template', /"missing" is not defined/]] },
      {
        name: 'documents',
        files: { 'workflows/many.yaml': Array.from({ length: 5000 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}}\n`).join('---\n') },
        expect: [['workflows/many.yaml', 1, 'too-many-documents', /more than 1000 YAML documents/]],
      },
      { name: 'symlink', link: ['workflows/passwd.yaml', '/etc/passwd'], expect: [['workflows/passwd.yaml', 1, 'symlink', /symbolic link.*never follows/]] },
      {
        name: 'large',
        files: { 'workflows/large.yaml': `# ${'x'.repeat(5 * 1024 * 1024)}\n` },
        expect: [['workflows/large.yaml', 1, 'file-too-large', /larger than the 5 MiB limit/]],
      },
      // 64 MiB of zeros compress to well under a MiB: refused from its size, never inflated.
      {
        name: 'bomb',
        files: { 'workflows/zeros.yaml': Buffer.alloc(64 * 1024 * 1024) },
        expect: [['workflows/zeros.yaml', 1, 'file-too-large', /larger than the 5 MiB limit/]],
      },
      {
        name: 'count',
        files: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`workflows/many/t${i}.yaml`, workflowTemplate(`t${i}`)])),
        expect: [['.skiff.yml', 3, 'sync-limit', /more than 1000 files match/]],
      },
      {
        name: 'config',
        files: { '.skiff.yml': 'paths: workflows\nnamepsace: ci\nkinds: [ConfigMap, Secret]\n' },
        expect: [
          ['.skiff.yml', 1, 'config-invalid', /paths must be a non-empty list/],
          ['.skiff.yml', 2, 'config-invalid', /unknown setting "namepsace"/],
          ['.skiff.yml', 3, 'config-invalid', /Secrets are never read from git/],
        ],
      },
    ];
  for (const c of cases) {
    const repo = await server.createRepo(`hostile/${c.name}`, base);
    const work = await workClone(repo.url, `hostile-${c.name}`);
    if (c.files) await work.write(c.files);
    if (c.link) await work.link(...c.link);
    const commit = await work.commit(c.name);
    await mirror.fetchCommit({ url: repo.url, ref: 'main', commit });
    const result = await desiredAt(mirror, repo.url, commit);
    assert.equal(result.ok, false, `${c.name}: the desired set is an error`);
    const found = !result.ok ? result.diagnostics.filter((d) => d.severity === 'error') : [];
    for (const [file, line, rule, message] of c.expect) {
      assert.ok(
        found.some((d) => d.file === file && d.line === line && d.rule === rule && message.test(d.message)),
        `${c.name}: expected ${file}:${line} ${rule} ${message}, got ${JSON.stringify(found.map((d) => `${d.file}:${d.line} ${d.rule} ${d.message}`))}`,
      );
    }
    assert.ok(!JSON.stringify(result).includes('root:x:0:0'), 'nothing of /etc/passwd was read');
    if (c.name === 'bomb') {
      // The mirror answers from the object's header: the blob was never inflated into memory.
      assert.equal(await mirror.treeAt(repo.url, commit).readFile('workflows/zeros.yaml', 5 * 1024 * 1024), 'too-large');
    }
  }
});

test('a truncated pack or a half-written mirror is detected and cloned again, never used', async () => {
  const repo = await server.createRepo('acme/damaged', { '.skiff.yml': CONFIG, 'workflows/build.yaml': workflowTemplate('build') });
  const events: MirrorEvent[] = [];
  const mirror = new RepositoryMirror({ root: join(scratch, 'mirrors-damaged'), onEvent: (e) => events.push(e) });
  const gitdir = mirror.gitdirFor(repo.url);
  const recloneReasons = () => events.filter((e): e is Extract<MirrorEvent, { type: 'reclone' }> => e.type === 'reclone').map((e) => e.reason);
  await mirror.fetchCommit({ url: repo.url, ref: 'main', commit: repo.commit });

  const packDir = join(gitdir, 'objects', 'pack');
  const pack = (await readdir(packDir)).find((name) => name.endsWith('.pack'))!;
  await truncate(join(packDir, pack), (await stat(join(packDir, pack))).size - 100);
  const afterTruncate = await mirror.fetchCommit({ url: repo.url, ref: 'main', commit: repo.commit });
  assert.match(afterTruncate.recloned ?? '', /\.pack does not match its own checksum/);
  assert.equal(afterTruncate.fetched, true, 'the commit was fetched again, not read from the damaged pack');
  assert.ok((await desiredAt(mirror, repo.url, repo.commit)).ok);

  const damages: Array<[string, () => Promise<void>, RegExp]> = [
    ['HEAD removed', () => rm(join(gitdir, 'HEAD')), /HEAD is missing/],
    ['HEAD garbage', () => writeFile(join(gitdir, 'HEAD'), '\u0000\u0001garbage'), /HEAD is missing or not a ref/],
    ['clone killed before it finished', () => rm(join(gitdir, 'skiff-mirror.json')), /never completely cloned/],
    [
      'index without its pack',
      async () => {
        const name = (await readdir(packDir)).find((n) => n.endsWith('.pack'))!;
        await rm(join(packDir, name));
      },
      /\.idx has no pack/,
    ],
  ];
  for (const [name, damage, reason] of damages) {
    await damage();
    const result = await mirror.fetchCommit({ url: repo.url, ref: 'main', commit: repo.commit });
    assert.match(result.recloned ?? '', reason, name);
    assert.equal(result.commit, repo.commit);
  }
  assert.equal(recloneReasons().length, 5);
  // A clone killed midway leaves only a `.partial-` sibling, which the next clone clears away.
  const leftover = `${gitdir}.partial-deadbeef`;
  await mkdir(join(leftover, 'objects'), { recursive: true });
  await rm(join(gitdir, 'HEAD'));
  await mirror.fetchCommit({ url: repo.url, ref: 'main', commit: repo.commit });
  assert.deepEqual(
    (await readdir(dirname(gitdir))).filter((n) => n.includes('.partial-')),
    [],
  );
});

test('a mirror that gathered too many packs is cloned afresh before the next fetch', async () => {
  const repo = await server.createRepo('acme/packs', { 'a.txt': 'a\n' });
  const work = await workClone(repo.url, 'packs');
  const events: MirrorEvent[] = [];
  const mirror = new RepositoryMirror({ root: join(scratch, 'mirrors-packs'), maxPacks: 2, onEvent: (e) => events.push(e) });
  await mirror.fetchCommit({ url: repo.url, ref: 'main' });
  for (let i = 1; i <= 3; i++) {
    await work.write({ 'a.txt': `${i}\n` });
    const commit = await work.commit(`change ${i}`);
    const fetched = await mirror.fetchCommit({ url: repo.url, ref: 'main', commit });
    assert.equal(fetched.commit, commit);
    if (i < 3) assert.equal(fetched.recloned, undefined);
    else assert.match(fetched.recloned ?? '', /3 packs, over 2/);
  }
  const packs = (await readdir(join(mirror.gitdirFor(repo.url), 'objects', 'pack'))).filter((n) => n.endsWith('.pack'));
  assert.equal(packs.length, 1);
  assert.equal(events.filter((e) => e.type === 'clone').length, 2);
});

test('fetches of one repository are serialised; fetches of two repositories run in parallel', async () => {
  const one = await server.createRepo('acme/one', { 'a.txt': 'a\n' });
  const two = await server.createRepo('acme/two', { 'b.txt': 'b\n' });
  const work = await workClone(one.url, 'one');
  await work.write({ 'c.txt': 'c\n' });
  const onBranch = await work.commit('on a branch', 'refs/heads/other');
  await work.write({ 'd.txt': 'd\n' });
  const onThird = await work.commit('on another branch', 'refs/heads/third');

  const { client, spans } = instrumentedHttp(150);
  const mirror = new RepositoryMirror({ root: join(scratch, 'mirrors-concurrent'), http: client });
  await mirror.fetchCommit({ url: one.url, ref: 'main' });
  spans.length = 0;
  // Both wanted commits are new to the mirror of `one`, so both go to the server.
  await Promise.all([
    mirror.fetchCommit({ url: one.url, ref: 'other', commit: onBranch }),
    mirror.fetchCommit({ url: one.url, ref: 'third', commit: onThird }),
    mirror.fetchCommit({ url: two.url, ref: 'main' }),
  ]);
  assert.equal(spans.filter((s) => s.url.startsWith(one.url) && s.url.endsWith('/git-upload-pack')).length, 2, 'both fetches of one went to the server');
  const ofOne = spans.filter((s) => s.url.startsWith(one.url)).sort((a, b) => a.start - b.start);
  for (let i = 1; i < ofOne.length; i++) assert.ok(ofOne[i]!.start >= ofOne[i - 1]!.end, `requests to one repository never overlap: ${JSON.stringify(ofOne)}`);
  const ofTwo = spans.filter((s) => s.url.startsWith(two.url));
  assert.ok(ofTwo.length >= 2);
  const overlaps = ofTwo.some((b) => ofOne.some((a) => a.start < b.end && b.start < a.end));
  assert.ok(overlaps, 'requests to the two repositories overlap in time');
});

test('the token callback authenticates each fetch and is never stored in the mirror', async () => {
  const guarded = await startGitServer({ auth: { username: 'x-access-token', password: 'ghs_installation_1' } });
  try {
    const repo = await guarded.createRepo('private/flows', { '.skiff.yml': CONFIG, 'workflows/build.yaml': workflowTemplate('build') });
    const asked: string[] = [];
    const mirror = new RepositoryMirror({ root: join(scratch, 'mirrors-auth'), token: (url) => (asked.push(url), 'ghs_installation_1') });
    const fetched = await mirror.fetchCommit({ url: repo.url, ref: 'main' });
    assert.equal(fetched.commit, repo.commit);
    assert.ok(asked.length >= 1 && asked.every((url) => url.startsWith(repo.url)), JSON.stringify(asked));
    assert.ok(guarded.requests.some((r) => r.status === 200));
    for (const file of ['config', 'skiff-mirror.json']) {
      assert.ok(!(await readFile(join(fetched.gitdir, file), 'utf8')).includes('ghs_'), `${file} holds no token`);
    }

    const refused = new RepositoryMirror({ root: join(scratch, 'mirrors-auth-wrong'), token: () => 'ghs_expired' });
    await assert.rejects(refused.fetchCommit({ url: repo.url, ref: 'main' }));
    const anonymous = new RepositoryMirror({ root: join(scratch, 'mirrors-auth-none') });
    await assert.rejects(anonymous.fetchCommit({ url: repo.url, ref: 'main' }));
    await assert.rejects(anonymous.fetchCommit({ url: repo.url.replace('http://', 'http://x:y@'), ref: 'main' }), /must not carry credentials/);
  } finally {
    await guarded.stop();
  }
});
