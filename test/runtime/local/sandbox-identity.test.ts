import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SANDBOX_UID, sandboxIdentity } from '../../../src/runtime/local/sandbox-identity.js';

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
