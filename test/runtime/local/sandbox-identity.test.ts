import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_SANDBOX_UID, makeSharedSandboxDir, sandboxIdentity } from '../../../src/runtime/local/sandbox-identity.js';

describe('sandbox identity', () => {
  it('is an unprivileged id of its own when Skiff runs as root, configurable', () => {
    assert.deepEqual(sandboxIdentity({}, 0, 0), { uid: DEFAULT_SANDBOX_UID, gid: DEFAULT_SANDBOX_UID, switchUser: true });
    assert.deepEqual(sandboxIdentity({ SKIFF_SANDBOX_UID: '70000' }, 0, 0), { uid: 70000, gid: 70000, switchUser: true });
    assert.deepEqual(sandboxIdentity({ SKIFF_SANDBOX_UID: '70000:70001' }, 0, 0), { uid: 70000, gid: 70001, switchUser: true });
  });

  it('refuses root or a malformed id', () => {
    assert.throws(() => sandboxIdentity({ SKIFF_SANDBOX_UID: '0' }, 0, 0), /not an unprivileged id/);
    assert.throws(() => sandboxIdentity({ SKIFF_SANDBOX_UID: '70000:0' }, 0, 0), /not an unprivileged id/);
    assert.throws(() => sandboxIdentity({ SKIFF_SANDBOX_UID: 'nobody' }, 0, 0), /not an unprivileged id/);
  });

  it("is Skiff's own user when Skiff does not run as root", () => {
    assert.deepEqual(sandboxIdentity({ SKIFF_SANDBOX_UID: '70000' }, 1000, 1000), { uid: 1000, gid: 1000, switchUser: false });
  });
});

describe('a directory the steps may be making at the same moment', {
  skip: process.getuid?.() !== 0 ? 'needs root to hand directories to another user' : false,
}, () => {
  const identity = { uid: 70123, gid: 70124, switchUser: true };

  it("appears already the sandbox's, 0755, every level that was missing, with nothing left aside", async () => {
    const root = await mkdtemp(join(tmpdir(), 'skiff-shared-dir-'));
    try {
      await makeSharedSandboxDir(join(root, 'ctr', 'a'), identity);
      for (const dir of [join(root, 'ctr'), join(root, 'ctr', 'a')]) {
        const info = await stat(dir);
        assert.deepEqual([info.uid, info.gid, info.mode & 0o777], [70123, 70124, 0o755], dir);
      }
      assert.deepEqual(await readdir(root), ['ctr'], 'no directory made aside is left');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('keeps a level someone made meanwhile, with what is in it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'skiff-shared-dir-'));
    try {
      await mkdir(join(root, 'ctr', 'b'), { recursive: true });
      await writeFile(join(root, 'ctr', 'b', 'blocked-by'), 'a\n');
      await makeSharedSandboxDir(join(root, 'ctr', 'a'), identity);
      assert.deepEqual((await readdir(join(root, 'ctr'))).sort(), ['a', 'b']);
      assert.equal((await stat(join(root, 'ctr', 'b', 'blocked-by'))).isFile(), true);
      assert.equal((await stat(join(root, 'ctr', 'a'))).uid, 70123);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
