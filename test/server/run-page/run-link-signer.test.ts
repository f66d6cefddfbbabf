import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadRunPageSecret, RunLinkSigner } from '../../../src/server/run-page/run-link-signer.js';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const signer = new RunLinkSigner(Buffer.alloc(32, 7));
const params = (query: string) => new URLSearchParams(query);

describe('RunLinkSigner', () => {
  it('opens the run it was signed for until it expires, as a reader unless signed for writing', () => {
    const reader = signer.query('ci', 'build-1', { expiresAt: NOW + 60_000 });
    assert.deepEqual(signer.check('ci', 'build-1', params(reader), NOW), { exp: (NOW + 60_000) / 1000, sig: params(reader).get('sig'), cap: 'read' });
    const writer = signer.query('ci', 'build-1', { expiresAt: NOW + 60_000, capability: 'write' });
    assert.equal((signer.check('ci', 'build-1', params(writer), NOW) as { cap: string }).cap, 'write');
    assert.deepEqual(signer.check('ci', 'build-1', params(reader), NOW + 60_000), { refused: 'expired' });
  });

  it('refuses a link of another run, namespace or secret, a changed expiry, and a reader link made a writer', () => {
    const reader = signer.query('ci', 'build-1', { expiresAt: NOW + 60_000 });
    assert.deepEqual(signer.check('ci', 'build-2', params(reader), NOW), { refused: 'invalid' });
    assert.deepEqual(signer.check('other', 'build-1', params(reader), NOW), { refused: 'invalid' });
    assert.deepEqual(new RunLinkSigner(Buffer.alloc(32, 8)).check('ci', 'build-1', params(reader), NOW), { refused: 'invalid' });
    const later = params(reader);
    later.set('exp', String(Number(later.get('exp')) + 3600));
    assert.deepEqual(signer.check('ci', 'build-1', later, NOW), { refused: 'invalid' });
    const promoted = params(reader);
    promoted.set('cap', 'write');
    assert.deepEqual(signer.check('ci', 'build-1', promoted, NOW), { refused: 'invalid' });
    assert.deepEqual(signer.check('ci', 'build-1', params(''), NOW), { refused: 'missing' });
    assert.deepEqual(signer.check('ci', 'build-1', params('exp=1e99&sig=x'), NOW), { refused: 'invalid' });
  });

  it('does not let a namespace and name run together into another pair', () => {
    const query = signer.query('ci-a', 'b', { expiresAt: NOW + 60_000 });
    assert.deepEqual(signer.check('ci', 'a-b', params(query), NOW), { refused: 'invalid' });
  });

  it('binds form tokens to the link', () => {
    const grant = signer.check('ci', 'build-1', params(signer.query('ci', 'build-1', { expiresAt: NOW + 60_000, capability: 'write' })), NOW);
    assert.ok(!('refused' in grant));
    const token = signer.formToken('ci', 'build-1', grant);
    assert.equal(signer.checkFormToken('ci', 'build-1', grant, token), true);
    assert.equal(signer.checkFormToken('ci', 'build-2', grant, token), false);
    assert.equal(signer.checkFormToken('ci', 'build-1', grant, `${token.slice(0, -1)}A`), false);
    assert.equal(signer.checkFormToken('ci', 'build-1', grant, null), false);
  });

  it('refuses a short secret', () => {
    assert.throws(() => new RunLinkSigner(Buffer.alloc(16)), /at least 32 bytes/);
  });
});

describe('loadRunPageSecret', () => {
  it('creates the secret once, owner-only, and reads the same one afterwards', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'skiff-secret-'));
    try {
      const [a, b] = await Promise.all([loadRunPageSecret(join(dir, 'state')), loadRunPageSecret(join(dir, 'state'))]);
      assert.equal(a.length, 32);
      assert.deepEqual(a, b);
      assert.deepEqual(await loadRunPageSecret(join(dir, 'state')), a);
      assert.equal(statSync(join(dir, 'state', 'ui-secret')).mode & 0o777, 0o600);
      assert.equal((await readFile(join(dir, 'state', 'ui-secret'), 'utf8')).trim(), a.toString('hex'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
