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
      '/usr': [
        { name: 'bin', kind: 'dir' },
        { name: 'share', kind: 'dir' },
      ],
      '/usr/share': [
        { name: 'doc', kind: 'dir' },
        { name: 'man', kind: 'dir' },
      ],
      '/etc': [
        { name: 'hosts', kind: 'file' },
        { name: 'ssl', kind: 'dir' },
      ],
    };
    return entries[dir];
  },
};

describe('sandbox root plan', () => {
  it('binds the system directories read-only and keeps system symlinks, nothing else of the host, not even /etc', () => {
    assert.deepEqual(planRootMounts(tree, [], { systemDirs: ['usr'], etcEntries: [], etcFiles: {} }), [
      '--symlink',
      'usr/bin',
      '/bin',
      '--ro-bind',
      '/usr',
      '/usr',
      '--dir',
      '/etc',
    ]);
  });

  it('gives /etc only the allowed host entries and the files written for the sandbox', () => {
    const args = planRootMounts(tree, [], {
      systemDirs: ['usr'],
      etcEntries: ['ssl', 'shadow', 'passwd'],
      etcFiles: { passwd: '/run/skiff-etc/passwd', hosts: '/run/skiff-etc/hosts' },
    });
    assert.deepEqual(args, [
      '--symlink',
      'usr/bin',
      '/bin',
      '--ro-bind',
      '/usr',
      '/usr',
      '--dir',
      '/etc',
      '--ro-bind',
      '/etc/ssl',
      '/etc/ssl',
      '--ro-bind',
      '/run/skiff-etc/hosts',
      '/etc/hosts',
      '--ro-bind',
      '/run/skiff-etc/passwd',
      '/etc/passwd',
    ]);
  });

  it('shadows only the directories on the path to a mount inside a system directory', () => {
    const args = planRootMounts(tree, [{ hostPath: '/state/cfg', containerPath: '/usr/share/config/', readOnly: true }], {
      systemDirs: ['usr'],
      etcEntries: ['hosts', 'ssl'],
      etcFiles: {},
    });
    assert.deepEqual(args, [
      '--symlink',
      'usr/bin',
      '/bin',
      '--tmpfs',
      '/usr',
      '--ro-bind',
      '/usr/bin',
      '/usr/bin',
      '--tmpfs',
      '/usr/share',
      '--ro-bind',
      '/usr/share/doc',
      '/usr/share/doc',
      '--ro-bind',
      '/usr/share/man',
      '/usr/share/man',
      '--dir',
      '/etc',
      '--ro-bind',
      '/etc/hosts',
      '/etc/hosts',
      '--ro-bind',
      '/etc/ssl',
      '/etc/ssl',
      '--ro-bind',
      '/state/cfg',
      '/usr/share/config',
    ]);
  });

  it('makes the directories leading to a mount itself, open to the step, not inside another mount', () => {
    const args = planRootMounts(
      tree,
      [
        { hostPath: '/state/out', containerPath: '/work/dir/out' },
        { hostPath: '/state/in', containerPath: '/work/dir/out/in/x' },
      ],
      { systemDirs: [], etcEntries: [], etcFiles: {} },
    );
    assert.deepEqual(args, [
      '--dir',
      '/etc',
      '--perms',
      '0777',
      '--dir',
      '/work',
      '--perms',
      '0777',
      '--dir',
      '/work/dir',
      '--bind',
      '/state/out',
      '/work/dir/out',
      '--bind',
      '/state/in',
      '/work/dir/out/in/x',
    ]);
  });

  it('replaces a host entry that a mount covers, and orders nested mounts parent first', () => {
    const args = planRootMounts(
      tree,
      [
        { hostPath: '/state/ssl-inner', containerPath: '/etc/ssl/inner' },
        { hostPath: '/state/ssl', containerPath: '/etc/ssl' },
      ],
      { systemDirs: [], etcEntries: ['hosts', 'ssl'], etcFiles: {} },
    );
    assert.deepEqual(args, [
      '--dir',
      '/etc',
      '--ro-bind',
      '/etc/hosts',
      '/etc/hosts',
      '--bind',
      '/state/ssl',
      '/etc/ssl',
      '--bind',
      '/state/ssl-inner',
      '/etc/ssl/inner',
    ]);
  });
});
