import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planRootMounts, type HostTree } from '../../../src/runtime/local/sandbox-mounts.js';

// A small host: /bin -> usr/bin, /usr/{bin,share/{doc,man}}, /etc/{hosts,ssl}, /home/me, /tmp.
const tree: HostTree = {
  list(dir) {
    const entries: Record<string, ReturnType<HostTree['list']>> = {
      '/': [
        { name: 'bin', kind: 'symlink', target: 'usr/bin' },
        { name: 'usr', kind: 'dir' },
        { name: 'etc', kind: 'dir' },
        { name: 'home', kind: 'dir' },
        { name: 'tmp', kind: 'dir' },
        { name: 'evil', kind: 'symlink', target: '/home/me' },
      ],
      '/usr': [{ name: 'bin', kind: 'dir' }, { name: 'share', kind: 'dir' }],
      '/usr/share': [{ name: 'doc', kind: 'dir' }, { name: 'man', kind: 'dir' }],
      '/etc': [{ name: 'hosts', kind: 'file' }, { name: 'ssl', kind: 'dir' }],
    };
    return entries[dir];
  },
};

describe('sandbox root plan', () => {
  it('binds the system directories read-only and keeps system symlinks, nothing else of the host', () => {
    assert.deepEqual(planRootMounts(tree, [], ['usr', 'etc']), ['--symlink', 'usr/bin', '/bin', '--ro-bind', '/usr', '/usr', '--ro-bind', '/etc', '/etc']);
  });

  it('shadows only the directories on the path to a mount inside a system directory', () => {
    const args = planRootMounts(tree, [{ hostPath: '/state/cfg', containerPath: '/usr/share/config/', readOnly: true }], ['usr', 'etc']);
    assert.deepEqual(args, [
      '--symlink', 'usr/bin', '/bin',
      '--tmpfs', '/usr',
      '--ro-bind', '/usr/bin', '/usr/bin',
      '--tmpfs', '/usr/share',
      '--ro-bind', '/usr/share/doc', '/usr/share/doc',
      '--ro-bind', '/usr/share/man', '/usr/share/man',
      '--ro-bind', '/etc', '/etc',
      '--ro-bind', '/state/cfg', '/usr/share/config',
    ]);
  });

  it('replaces a host entry that a mount covers, and orders nested mounts parent first', () => {
    const args = planRootMounts(tree, [
      { hostPath: '/state/ssl-inner', containerPath: '/etc/ssl/inner' },
      { hostPath: '/state/ssl', containerPath: '/etc/ssl' },
    ], ['etc']);
    assert.deepEqual(args, [
      '--tmpfs', '/etc',
      '--ro-bind', '/etc/hosts', '/etc/hosts',
      '--bind', '/state/ssl', '/etc/ssl',
      '--bind', '/state/ssl-inner', '/etc/ssl/inner',
    ]);
  });
});
