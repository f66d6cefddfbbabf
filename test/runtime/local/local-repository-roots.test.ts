import assert from 'node:assert/strict';
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LocalRepositoryRoots, localRepositoryRootsFromEnv } from '../../../src/runtime/local/local-repository-roots.js';

describe('LocalRepositoryRoots', () => {
  let dir: string;
  let allowed: string;
  before(async () => {
    dir = realpathSync(await mkdtemp(join(tmpdir(), 'skiff-roots-')));
    allowed = join(dir, 'artifacts');
    await mkdir(join(dir, 'elsewhere'), { recursive: true });
    await mkdir(allowed, { recursive: true });
    // A link inside the allowed directory that leads out of it, as a step could leave one.
    await symlink(join(dir, 'elsewhere'), join(allowed, 'way-out'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('admits a root inside an allowed directory, creating it', async () => {
    const roots = new LocalRepositoryRoots([allowed]);
    assert.equal(await roots.admit(join(allowed, 'team')), join(allowed, 'team'));
    assert.ok(existsSync(join(allowed, 'team')));
    assert.equal(await roots.confine(join(allowed, 'not-yet')), join(allowed, 'not-yet'));
    assert.equal(existsSync(join(allowed, 'not-yet')), false, 'confine creates nothing');
  });

  it('refuses a root outside, by `..`, through a link, or relative, creating nothing', async () => {
    const roots = new LocalRepositoryRoots([allowed]);
    for (const root of ['/etc', join(allowed, '..', 'elsewhere'), join(allowed, 'way-out'), join(allowed, 'way-out', 'deeper'), 'artifacts/team']) {
      await assert.rejects(roots.admit(root), /outside the directories Skiff may use|must be an absolute path/, root);
      await assert.rejects(roots.confine(root), /outside the directories Skiff may use|must be an absolute path/, root);
    }
    assert.equal(existsSync(join(dir, 'elsewhere', 'deeper')), false, 'mkdir did not follow the link');
  });

  it('reads SKIFF_LOCAL_REPOSITORY_ROOTS as absolute directories separated by colons', () => {
    assert.deepEqual(localRepositoryRootsFromEnv('/srv/a:/srv/b'), ['/srv/a', '/srv/b']);
    assert.deepEqual(localRepositoryRootsFromEnv(undefined), []);
    assert.throws(() => localRepositoryRootsFromEnv('/srv/a:relative'), /"relative", which is not an absolute path/);
  });
});
