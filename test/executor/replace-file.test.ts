import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { executorInit } from '../../src/executor/executor-init.js';
import { replaceFile } from '../../src/executor/replace-file.js';

/** Writes into the run volume, where a step may have planted links first: none is written through. */
describe('replaceFile and the script staging', () => {
  let dir: string;
  let victim: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-replace-'));
    await mkdir(join(dir, 'elsewhere'));
    victim = join(dir, 'elsewhere', 'precious');
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('replaces a link at the path instead of writing through it', async () => {
    await writeFile(victim, 'keep');
    const run = join(dir, 'run1');
    await mkdir(run);
    await symlink(victim, join(run, 'report.json'));
    await replaceFile(join(run, 'report.json'), '{}');
    assert.equal(await readFile(victim, 'utf8'), 'keep');
    assert.ok((await lstat(join(run, 'report.json'))).isFile());
    assert.equal(await readFile(join(run, 'report.json'), 'utf8'), '{}');
    assert.deepEqual(await readdir(run), ['report.json']);
  });

  it('under a mount point, replaces linked directories on the way with real ones', async () => {
    const run = join(dir, 'run2');
    await mkdir(run);
    await symlink(join(dir, 'elsewhere'), join(run, 'ctr'));
    await replaceFile(join(run, 'ctr', 'wait', 'termination-log'), 'why', { under: run });
    assert.ok((await lstat(join(run, 'ctr'))).isDirectory());
    assert.equal(await readFile(join(run, 'ctr', 'wait', 'termination-log'), 'utf8'), 'why');
    assert.deepEqual(await readdir(join(dir, 'elsewhere')), ['precious']);
  });

  it('init stages the script as a real executable file, whatever was planted at its place', async () => {
    await writeFile(victim, 'keep');
    const run = join(dir, 'run3');
    await mkdir(join(run, 'staging'), { recursive: true });
    await symlink(victim, join(run, 'staging', 'script'));
    const paths = { inputsDir: join(dir, 'inputs'), scriptPath: join(run, 'staging', 'script'), secretsDir: join(dir, 'secrets') };
    await executorInit({ namespace: 'default', inputs: [], parameters: [], artifacts: [], result: false, script: 'echo hi' }, { paths });
    assert.equal(await readFile(victim, 'utf8'), 'keep');
    assert.equal(await readFile(paths.scriptPath, 'utf8'), 'echo hi');
    assert.equal((await stat(paths.scriptPath)).mode & 0o777, 0o755);

    await rm(join(run, 'staging'), { recursive: true });
    await symlink(join(dir, 'elsewhere'), join(run, 'staging'));
    await executorInit({ namespace: 'default', inputs: [], parameters: [], artifacts: [], result: false, script: 'echo again' }, { paths });
    assert.ok((await lstat(join(run, 'staging'))).isDirectory());
    assert.deepEqual(await readdir(join(dir, 'elsewhere')), ['precious']);
  });
});
