import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { ArtifactDriver } from '../../src/artifacts/artifact-driver.js';
import { executorWait } from '../../src/executor/executor-wait.js';
import { TransferProgressFile } from '../../src/executor/transfer-progress-file.js';
import type { TransferProgress } from '../../src/runtime/pod-spec/executor-plan.js';
import { readTransferProgress } from '../../src/runtime/local/read-transfer-progress.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skiff-progress-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

async function until<T>(probe: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('TransferProgressFile', () => {
  it('rewrites the file while an artifact moves and removes it when the artifact is done', async () => {
    const path = join(dir, 'one.json');
    const progress = new TransferProgressFile(path, 20);
    progress.begin('save', 'out');
    progress.add(1000);
    progress.add(24);
    const first = await until(
      () => (existsSync(path) ? ((JSON.parse(readFileSyncSafe(path) ?? 'null') as TransferProgress | null) ?? undefined) : undefined),
      'the progress file',
    );
    assert.equal(first.direction, 'save');
    assert.equal(first.artifact, 'out');
    assert.equal(first.bytes, 1024);
    progress.add(1024);
    await until(() => ((JSON.parse(readFileSyncSafe(path) ?? '{}') as TransferProgress).bytes === 2048 ? true : undefined), 'the count to grow');
    await progress.end();
    assert.equal(existsSync(path), false);
    await sleep(60);
    assert.equal(existsSync(path), false, 'nothing is written after the transfer ended');
  });

  it('writes nothing for a transfer shorter than one interval', async () => {
    const path = join(dir, 'short.json');
    const progress = new TransferProgressFile(path, 10_000);
    progress.begin('load', 'in');
    progress.add(5);
    await progress.end();
    assert.equal(existsSync(path), false);
  });

  it('is fed by the wait executor for each output artifact, by name', async () => {
    const paths = { mainDir: join(dir, 'main'), outputsDir: join(dir, 'outputs'), reportPath: join(dir, 'report.json'), secretsDir: join(dir, 'secrets') };
    await mkdir(paths.mainDir, { recursive: true });
    await mkdir(join(paths.outputsDir, 'artifacts'), { recursive: true });
    await writeFile(join(paths.outputsDir, 'artifacts', 'big'), 'x');
    await writeFile(join(paths.mainDir, 'exitcode'), '0');
    const path = join(dir, 'wait.json');
    const progress = new TransferProgressFile(path, 10);
    const seen: TransferProgress[] = [];
    // A store that takes its time, moving 1 KiB every 5 ms, as a slow network would.
    const driver: ArtifactDriver = {
      async save() {
        for (let i = 0; i < 12; i++) {
          progress.add(1024);
          await sleep(5);
          const text = readFileSyncSafe(path);
          if (text) seen.push(JSON.parse(text) as TransferProgress);
        }
        return { objects: 1, bytes: 12 * 1024 };
      },
      load: async () => ({ form: 'file', objects: 1 }),
      delete: async () => undefined,
      list: async () => [],
      openRead: async () => (async function* () {})(),
      close: () => undefined,
    };
    const report = await executorWait(
      {
        namespace: 'default',
        inputs: [],
        parameters: [],
        artifacts: [{ name: 'big', path: '/tmp/big' }],
        result: false,
        archiveLocation: { local: { root: dir, key: 'k' } },
      },
      { paths, driver, pollMs: 5, progress },
    );
    assert.equal(report.error, undefined);
    assert.ok(seen.length > 0, 'the progress file appeared during the save');
    assert.ok(seen.every((p) => p.direction === 'save' && p.artifact === 'big'));
    assert.ok(seen.some((p) => p.bytes > 0));
    assert.equal(existsSync(path), false, 'and went away after it');
  });
});

describe('readTransferProgress', () => {
  const podDir = (name: string) => join(dir, 'pods', name);
  const file = (name: string) => join(podDir(name), 'volumes', 'argo-run', 'progress.json');

  it('reads a fresh progress file of a pod and ignores stale, broken or absent ones', async () => {
    const now = Date.now();
    for (const name of ['fresh', 'stale', 'broken', 'wrong']) await mkdir(join(podDir(name), 'volumes', 'argo-run'), { recursive: true });
    await writeFile(file('fresh'), JSON.stringify({ direction: 'load', artifact: 'data', bytes: 10, startedAt: now - 2000, updatedAt: now - 100 }));
    await writeFile(file('stale'), JSON.stringify({ direction: 'load', artifact: 'data', bytes: 10, startedAt: now - 60_000, updatedAt: now - 30_000 }));
    await writeFile(file('broken'), '{"direction":"lo');
    await writeFile(file('wrong'), JSON.stringify({ direction: 'sideways', artifact: 3, bytes: 'many', startedAt: now, updatedAt: now }));
    assert.deepEqual(readTransferProgress(podDir('fresh'), now), {
      direction: 'load',
      artifact: 'data',
      bytes: 10,
      startedAt: now - 2000,
      updatedAt: now - 100,
    });
    assert.equal(readTransferProgress(podDir('stale'), now), undefined);
    assert.equal(readTransferProgress(podDir('broken'), now), undefined);
    assert.equal(readTransferProgress(podDir('wrong'), now), undefined);
    assert.equal(readTransferProgress(podDir('absent'), now), undefined);
  });

  it('neither follows a link the step put there, nor hangs on a FIFO, nor reads a huge file whole', async () => {
    const now = Date.now();
    for (const name of ['link', 'fifo', 'huge']) await mkdir(join(podDir(name), 'volumes', 'argo-run'), { recursive: true });
    // A file the step cannot see, which would read as a valid progress file if the link were followed.
    const elsewhere = join(dir, 'elsewhere.json');
    await writeFile(elsewhere, JSON.stringify({ direction: 'load', artifact: 'secret', bytes: 1, startedAt: now, updatedAt: now }));
    await symlink(elsewhere, file('link'));
    execFileSync('mkfifo', [file('fifo')]);
    await writeFile(file('huge'), JSON.stringify({ direction: 'load', artifact: 'x'.repeat(8192), bytes: 1, startedAt: now, updatedAt: now }));
    assert.equal(readTransferProgress(podDir('link'), now), undefined);
    assert.equal(readTransferProgress(podDir('fifo'), now), undefined);
    assert.equal(readTransferProgress(podDir('huge'), now), undefined, 'only the first KiBs are read, and they are not a whole document');
  });
});

function readFileSyncSafe(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
