import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createArtifactDriver } from '../../src/artifacts/index.js';
import type { Artifact } from '../../src/spec/model/workflow.js';
import { executorWait, type WaitPaths } from '../../src/executor/executor-wait.js';
import { repositoryText } from '../helpers/repository-text.js';
import type { ExecutorPlan } from '../../src/runtime/pod-spec/executor-plan.js';

/**
 * The wait container as an attacker meets it: a step that leaves links among its output copies,
 * hoping the wait container (which sees the repository's Secrets) reads what they name.
 */
describe('executor wait: outputs are read as the step sees them', () => {
  let dir: string;
  let secret: string;
  const SECRET = 'SECRET-ACCESS-KEY-0123';
  const driver = createArtifactDriver({ secrets: { get: async () => undefined }, namespace: 'default' });
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-wait-links-'));
    await mkdir(join(dir, 'secrets', 's3'), { recursive: true });
    secret = join(dir, 'secrets', 's3', 'secretkey');
    await writeFile(secret, SECRET);
  });
  after(async () => {
    driver.close();
    await rm(dir, { recursive: true, force: true });
  });

  let pods = 0;
  /** A pod's run volume with main finished (exit code 0), laid out as the wrapper leaves it. */
  const pod = async (): Promise<{ paths: WaitPaths; run: string; repo: string }> => {
    const run = join(dir, `pod-${++pods}`, 'run');
    const paths = {
      mainDir: join(run, 'ctr', 'main'),
      outputsDir: join(run, 'outputs'),
      reportPath: join(run, 'report.json'),
      secretsDir: join(dir, 'secrets'),
    };
    await mkdir(paths.mainDir, { recursive: true });
    await mkdir(join(paths.outputsDir, 'parameters'), { recursive: true });
    await mkdir(join(paths.outputsDir, 'artifacts'), { recursive: true });
    await writeFile(join(paths.mainDir, 'exitcode'), '0\n');
    return { paths, run, repo: join(dir, `pod-${pods}`, 'repo') };
  };
  const plan = (repo: string, extra: Partial<ExecutorPlan>): ExecutorPlan => ({
    namespace: 'default',
    inputs: [],
    parameters: [],
    artifacts: [],
    result: false,
    archiveLocation: { local: { root: repo, key: 'wf/pod' } },
    ...extra,
  });
  const wait = (paths: WaitPaths, repo: string, extra: Partial<ExecutorPlan>) => executorWait(plan(repo, extra), { paths, driver, pollMs: 5 });

  const NOTE = /outputs are read as the step sees them, and links that leave the output are not followed/;

  it('refuses a link to /etc/passwd inside an output directory, naming the output and the link', async () => {
    const { paths, repo } = await pod();
    const out = join(paths.outputsDir, 'artifacts', 'out');
    await mkdir(join(out, 'sub'), { recursive: true });
    await writeFile(join(out, 'sub', 'ok.txt'), 'fine');
    await symlink('/etc/passwd', join(out, 'sub', 'passwd'));
    const report = await wait(paths, repo, { artifacts: [{ name: 'out', path: '/tmp/out' }] });
    assert.match(report.error ?? '', /^output artifact "out": "sub\/passwd" is a link to "\/etc\/passwd", outside the artifact; /);
    assert.match(report.error!, NOTE);
    assert.equal(report.artifacts, undefined);
    assert.doesNotMatch(await repositoryText(repo), /root:/);
    assert.deepEqual(JSON.parse(await readFile(paths.reportPath, 'utf8')), report);
  });

  it('refuses links to a Secret the wait container holds: absolute, by "..", as a parameter, as archive: none', async () => {
    const { paths, repo } = await pod();
    const out = join(paths.outputsDir, 'artifacts', 'out');
    await mkdir(out);
    await symlink(secret, join(out, 'key'));
    const climbs = join(paths.outputsDir, 'artifacts', 'climbs');
    await mkdir(join(climbs, 'a'), { recursive: true });
    const up = join('..', '..', '..', '..', '..', '..', 'secrets', 's3', 'secretkey');
    await symlink(up, join(climbs, 'a', 'key'));
    await symlink(secret, join(paths.outputsDir, 'parameters', 'p'));
    await symlink(secret, join(paths.outputsDir, 'artifacts', 'flat'));
    const none = join(paths.outputsDir, 'artifacts', 'tree');
    await mkdir(none);
    await symlink(secret, join(none, 'key'));
    const cases: Array<[Partial<ExecutorPlan>, RegExp]> = [
      [{ artifacts: [{ name: 'out', path: '/tmp/out' }] }, /^output artifact "out": "key" is a link to ".*secretkey", outside the artifact/],
      [{ artifacts: [{ name: 'climbs', path: '/tmp/c' }] }, /^output artifact "climbs": "a\/key" is a link to "\.\.\/.*secretkey", outside the artifact/],
      [
        { parameters: [{ name: 'p', path: '/tmp/p' }] },
        /^output parameter "p": "\/tmp\/p" is a link to ".*secretkey", which the step's own filesystem does not resolve/,
      ],
      [
        { artifacts: [{ name: 'flat', path: '/tmp/flat.txt', archive: { none: {} } } as Artifact] },
        /^output artifact "flat": "\/tmp\/flat\.txt" is a link to ".*secretkey"/,
      ],
      [
        { artifacts: [{ name: 'tree', path: '/tmp/tree', archive: { none: {} } } as Artifact] },
        /^output artifact "tree": "key" is a link to ".*secretkey", outside the artifact/,
      ],
    ];
    for (const [extra, message] of cases) {
      const report = await wait(paths, repo, extra);
      assert.match(report.error ?? '', message);
      assert.match(report.error!, NOTE);
      assert.ok(!report.error!.includes(SECRET));
      assert.equal(report.parameters, undefined);
    }
    assert.ok(!(await repositoryText(repo)).includes(SECRET));
    assert.ok(!(await readFile(paths.reportPath, 'utf8')).includes(SECRET));
  });

  it('refuses a dangling link and a link loop left at an output path, and reads no FIFO', async () => {
    const { paths, repo } = await pod();
    await symlink('/nowhere/at/all', join(paths.outputsDir, 'parameters', 'gone'));
    await symlink('loop', join(paths.outputsDir, 'artifacts', 'loop'));
    execFileSync('mkfifo', [join(paths.outputsDir, 'parameters', 'fifo')]);
    const gone = await wait(paths, repo, { parameters: [{ name: 'gone', path: '/tmp/gone' }] });
    assert.match(gone.error ?? '', /^output parameter "gone": "\/tmp\/gone" is a link to "\/nowhere\/at\/all"/);
    const loop = await wait(paths, repo, { artifacts: [{ name: 'loop', path: '/tmp/loop' }] });
    assert.match(loop.error ?? '', /^output artifact "loop": "\/tmp\/loop" is a link to "loop"/);
    const fifo = await wait(paths, repo, { parameters: [{ name: 'fifo', path: '/tmp/fifo' }] });
    assert.match(fifo.error ?? '', /^output parameter "fifo": "\/tmp\/fifo" is not a regular file/);
  });

  it('keeps links that stay inside the output directory, loops among them included, as links', async () => {
    const { paths, repo } = await pod();
    const out = join(paths.outputsDir, 'artifacts', 'out');
    await mkdir(join(out, 'data'), { recursive: true });
    await writeFile(join(out, 'data', 'v1.txt'), 'one');
    await symlink('data/v1.txt', join(out, 'latest'));
    await symlink('../latest', join(out, 'data', 'up'));
    await symlink('b', join(out, 'a'));
    await symlink('a', join(out, 'b'));
    const report = await wait(paths, repo, { artifacts: [{ name: 'out', path: '/tmp/out' }] });
    assert.equal(report.error, undefined);
    assert.deepEqual(report.artifacts, [{ name: 'out', path: '/tmp/out', local: { key: 'wf/pod/out.tgz' } }]);
    const loaded = join(dir, 'loaded');
    await driver.load({ local: { root: repo, key: 'wf/pod/out.tgz' } }, loaded, 'auto', 'out');
    assert.equal(await readlink(join(loaded, 'latest')), 'data/v1.txt');
    assert.equal(await readFile(join(loaded, 'latest'), 'utf8'), 'one');
    assert.equal(await readlink(join(loaded, 'data', 'up')), '../latest');
    assert.equal(await readlink(join(loaded, 'a')), 'b');
  });

  it('reads no output through a directory of the run volume the step made a link', async () => {
    const { paths, repo } = await pod();
    // The step replaced outputs/parameters with a link to the Secret's directory, and named its parameter after the key.
    await rm(join(paths.outputsDir, 'parameters'), { recursive: true });
    await symlink(join(dir, 'secrets', 's3'), join(paths.outputsDir, 'parameters'));
    const report = await wait(paths, repo, { parameters: [{ name: 'secretkey', path: '/tmp/k' }] });
    assert.match(report.error ?? '', /<outputs>\/parameters in the pod's run volume was replaced by a link/);
    assert.equal(report.parameters, undefined);
    await rm(join(paths.outputsDir, 'artifacts'), { recursive: true });
    await symlink(join(dir, 'secrets', 's3'), join(paths.outputsDir, 'artifacts'));
    const artifact = await wait(paths, repo, { artifacts: [{ name: 'secretkey', path: '/tmp/k' }] });
    assert.match(artifact.error ?? '', /<outputs>\/artifacts in the pod's run volume was replaced by a link/);
    assert.ok(!(await repositoryText(repo)).includes(SECRET));
  });

  it('refuses outputs.result when the step swapped its stdout file for a link, and never writes the report through one', async () => {
    const { paths, run, repo } = await pod();
    await symlink(secret, join(paths.mainDir, 'stdout'));
    const precious = join(dir, 'precious.txt');
    await writeFile(precious, 'keep me');
    await symlink(precious, join(run, 'report.json'));
    const report = await wait(paths, repo, { result: true });
    assert.match(report.error ?? '', /^outputs\.result: the step's stdout file was replaced by a link to ".*secretkey"/);
    assert.equal(report.result, undefined);
    assert.equal(await readFile(precious, 'utf8'), 'keep me');
    assert.ok((await lstat(paths.reportPath)).isFile());
    assert.ok(!(await readFile(paths.reportPath, 'utf8')).includes(SECRET));
  });

  it('takes an exit code or blocked-by file that is a link as no file at all', async () => {
    const { paths, repo } = await pod();
    await rm(join(paths.mainDir, 'exitcode'));
    await symlink(secret, join(paths.mainDir, 'exitcode'));
    const b = join(paths.mainDir, '..', 'b');
    await mkdir(b);
    await writeFile(join(b, 'exitcode'), '1\n');
    await symlink(secret, join(b, 'blocked-by'));
    const report = await wait(paths, repo, { containers: ['main', 'b'] });
    assert.equal(report.exitCode, 1);
    assert.deepEqual(report.containers, [
      { name: 'main', exitCode: 1 },
      { name: 'b', exitCode: 1 },
    ]);
    assert.ok(!JSON.stringify(report).includes(SECRET));
  });
});
