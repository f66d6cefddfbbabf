import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { executorInit } from '../../src/executor/executor-init.js';

describe('executor init with a busybox to hand over', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-init-busybox-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("copies the executor's busybox into the pod's bin volume, executable", async () => {
    const from = join(dir, 'image', 'busybox');
    const to = join(dir, 'bin', 'busybox');
    await mkdir(join(dir, 'image'));
    await mkdir(join(dir, 'bin'));
    await writeFile(from, 'ELF...', { mode: 0o600 });
    const paths = { inputsDir: join(dir, 'inputs'), scriptPath: join(dir, 'staging', 'script'), secretsDir: join(dir, 'secrets') };
    await executorInit({ namespace: 'default', inputs: [], parameters: [], artifacts: [], result: false, busybox: { from, to } }, { paths });
    assert.equal(await readFile(to, 'utf8'), 'ELF...');
    assert.equal((await stat(to)).mode & 0o777, 0o755);
  });

  it('fails naming the file when the image has no busybox', async () => {
    const paths = { inputsDir: join(dir, 'inputs'), scriptPath: join(dir, 'staging', 'script'), secretsDir: join(dir, 'secrets') };
    await assert.rejects(
      executorInit(
        { namespace: 'default', inputs: [], parameters: [], artifacts: [], result: false, busybox: { from: join(dir, 'none'), to: join(dir, 'x') } },
        { paths },
      ),
      /none/,
    );
  });
});
