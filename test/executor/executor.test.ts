import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createArtifactDriver, saveOutputArtifact } from '../../src/artifacts/index.js';
import { executorInit } from '../../src/executor/executor-init.js';
import { executorWait } from '../../src/executor/executor-wait.js';
import type { ExecutorPlan } from '../../src/runtime/pod-spec/executor-plan.js';

describe('executor init and wait', () => {
  let dir: string;
  const driver = createArtifactDriver({ secrets: { get: async () => undefined }, namespace: 'default' });
  const repo = () => ({ local: { root: join(dir, 'repo'), key: 'wf/pod' } });
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-executor-'));
  });
  after(async () => {
    driver.close();
    await rm(dir, { recursive: true, force: true });
  });
  const plan = (extra: Partial<ExecutorPlan>): ExecutorPlan => ({
    namespace: 'default',
    inputs: [],
    parameters: [],
    artifacts: [],
    result: false,
    archiveLocation: repo(),
    ...extra,
  });

  it('init stages the script and loads inputs (key-only, fan-in, optional)', async () => {
    const src = join(dir, 'src.txt');
    await writeFile(src, 'data\n');
    const saved = await saveOutputArtifact({ name: 'a', path: '/tmp/a' }, { driver, archiveLocation: repo(), sourcePath: src });
    assert.ok(saved.saved);
    const key = (saved.recorded as { local: { key: string } }).local.key;
    const paths = { inputsDir: join(dir, 'inputs'), scriptPath: join(dir, 'staging', 'script'), secretsDir: join(dir, 'secrets') };
    const notes = await executorInit(
      plan({
        script: 'echo hi',
        inputs: [
          { name: 'one', path: '/tmp/one', local: { key } } as never,
          {
            name: 'many',
            path: '/tmp/many',
            fanIn: [
              { index: 0, artifact: { name: 'a', local: { key } } },
              { index: 2, artifact: { name: 'a', local: { key } } },
            ],
          } as never,
          { name: 'maybe', path: '/tmp/maybe', optional: true, local: { key: 'nothing/here' } } as never,
        ],
      }),
      { paths },
    );
    assert.equal(await readFile(paths.scriptPath, 'utf8'), 'echo hi');
    assert.equal((await stat(paths.scriptPath)).mode & 0o777, 0o755);
    assert.equal(await readFile(join(paths.inputsDir, 'one'), 'utf8'), 'data\n');
    assert.equal(await readFile(join(paths.inputsDir, 'many', '2'), 'utf8'), 'data\n');
    assert.match(notes.join('\n'), /optional artifact "maybe"/);
  });

  it('init fails naming a missing required artifact', async () => {
    const paths = { inputsDir: join(dir, 'inputs2'), scriptPath: join(dir, 'staging2', 'script'), secretsDir: join(dir, 'secrets') };
    await assert.rejects(executorInit(plan({ inputs: [{ name: 'need', path: '/x', local: { key: 'absent' } } as never] }), { paths }), /"need"/);
  });

  it('wait collects parameters, the result and artifacts once main has written its exit code', async () => {
    const paths = { mainDir: join(dir, 'main'), outputsDir: join(dir, 'outputs'), reportPath: join(dir, 'report.json'), secretsDir: join(dir, 'secrets') };
    await mkdir(join(paths.outputsDir, 'parameters'), { recursive: true });
    await mkdir(join(paths.outputsDir, 'artifacts', 'out'), { recursive: true });
    await mkdir(paths.mainDir, { recursive: true });
    await writeFile(join(paths.outputsDir, 'parameters', 'p'), 'value\n\n');
    await writeFile(join(paths.outputsDir, 'artifacts', 'out', 'f'), 'x');
    await writeFile(join(paths.mainDir, 'stdout'), 'printed\n');
    const waiting = executorWait(
      plan({
        parameters: [
          { name: 'p', path: '/tmp/p' },
          { name: 'q', path: '/tmp/q' },
        ],
        artifacts: [{ name: 'out', path: '/tmp/out' }],
        result: true,
      }),
      { paths, driver, pollMs: 5 },
    );
    await new Promise((r) => setTimeout(r, 30));
    await writeFile(join(paths.mainDir, 'exitcode'), '0\n');
    const report = await waiting;
    assert.deepEqual(report.parameters, [{ name: 'p', value: 'value\n' }]);
    assert.equal(report.result, 'printed\n');
    assert.equal(report.exitCode, 0);
    assert.deepEqual(report.artifacts, [{ name: 'out', path: '/tmp/out', local: { key: 'wf/pod/out.tgz' } }]);
    assert.deepEqual(JSON.parse(await readFile(paths.reportPath, 'utf8')), report);
  });

  it('wait does not fail a failed step again for its missing artifacts, but does fail a successful one', async () => {
    const paths = { mainDir: join(dir, 'm2'), outputsDir: join(dir, 'o2'), reportPath: join(dir, 'r2.json'), secretsDir: join(dir, 'secrets') };
    await mkdir(paths.mainDir, { recursive: true });
    await writeFile(join(paths.mainDir, 'exitcode'), '2\n');
    const failed = await executorWait(plan({ artifacts: [{ name: 'out', path: '/tmp/out' }] }), { paths, driver, pollMs: 5 });
    assert.equal(failed.error, undefined);
    assert.equal(failed.exitCode, 2);
    await writeFile(join(paths.mainDir, 'exitcode'), '0\n');
    const succeeded = await executorWait(plan({ artifacts: [{ name: 'out', path: '/tmp/out' }] }), { paths, driver, pollMs: 5 });
    assert.match(succeeded.error ?? '', /"out"/);
  });

  it("wait waits for every container of a containerSet, reports each, and takes main's exit code as the pod's", async () => {
    const ctr = join(dir, 'set', 'ctr');
    const paths = {
      mainDir: join(ctr, 'main'),
      outputsDir: join(dir, 'set', 'outputs'),
      reportPath: join(dir, 'set', 'report.json'),
      secretsDir: join(dir, 'secrets'),
    };
    for (const name of ['a', 'b', 'main']) await mkdir(join(ctr, name), { recursive: true });
    await writeFile(join(ctr, 'a', 'exitcode'), '2\n');
    await writeFile(join(ctr, 'main', 'exitcode'), '2\n');
    await writeFile(join(ctr, 'main', 'blocked-by'), 'a\n');
    let done = false;
    const waiting = executorWait(plan({ containers: ['a', 'b', 'main'] }), { paths, driver, pollMs: 5 }).then((r) => ((done = true), r));
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(done, false, 'b has not ended yet');
    await writeFile(join(ctr, 'b', 'exitcode'), '0\n');
    const report = await waiting;
    assert.equal(report.exitCode, 2);
    assert.deepEqual(report.containers, [
      { name: 'a', exitCode: 2 },
      { name: 'b', exitCode: 0 },
      { name: 'main', exitCode: 2, blockedBy: 'a' },
    ]);
    // Without main, the pod's exit code is its first failed container's.
    const noMain = await executorWait(plan({ containers: ['b', 'a'] }), { paths: { ...paths, reportPath: join(dir, 'set', 'r2.json') }, driver, pollMs: 5 });
    assert.equal(noMain.exitCode, 2);
  });
});
