import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadRunPageSecret, RunLinkSigner } from '../../src/server/run-page/run-link-signer.js';
import { HELLO, skiff, workspace } from './run-cli.js';

describe('skiff ui --link and skiff get --ui-url', () => {
  let dir: string;
  let name: string;
  let signer: RunLinkSigner;
  before(async () => {
    dir = workspace({ 'wf.yaml': HELLO });
    const submitted = await skiff(dir, ['submit', 'wf.yaml', '--wait', '-o', 'name']);
    assert.equal(submitted.status, 0, submitted.stderr);
    name = submitted.stdout.trim().split('\n').pop()!;
    signer = new RunLinkSigner(await loadRunPageSecret(join(dir, 'state')));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const check = (link: string) => {
    const url = new URL(link);
    assert.equal(url.pathname, `/runs/default/${name}`);
    return signer.check('default', name, url.searchParams, Date.now());
  };

  it("prints a reader's link by default and a writer's with --write, signed with the state directory's secret", async () => {
    const reader = await skiff(dir, ['ui', '--link', name, '--ui-url', 'https://skiff.example/']);
    assert.equal(reader.status, 0, reader.stderr);
    assert.match(reader.stdout, /^https:\/\/skiff\.example\/runs\/default\//);
    assert.equal((check(reader.stdout.trim()) as { cap: string }).cap, 'read');
    const writer = await skiff(dir, ['ui', '--link', name, '--write', '--expires', '30m']);
    assert.match(writer.stdout, /^http:\/\/127\.0\.0\.1:8090\/runs\//);
    const grant = check(writer.stdout.trim()) as { cap: string; exp: number };
    assert.equal(grant.cap, 'write');
    assert.ok(grant.exp * 1000 <= Date.now() + 30 * 60_000 && grant.exp * 1000 > Date.now() + 29 * 60_000);
  });

  it('get prints the link when a UI address is configured, and only then', async () => {
    const plain = await skiff(dir, ['get', name]);
    assert.doesNotMatch(plain.stdout, /Run page:/);
    const flagged = await skiff(dir, ['get', name, '--ui-url', 'http://127.0.0.1:9999']);
    const line = /Run page: (\S+)/.exec(flagged.stdout)![1]!;
    assert.ok(!('refused' in check(line)));
    const fromEnv = await skiff(dir, ['get', name], { env: { SKIFF_UI_URL: 'http://ui.local' } });
    assert.match(fromEnv.stdout, /Run page: http:\/\/ui\.local\/runs\/default\//);
    const json = await skiff(dir, ['get', name, '-o', 'json', '--ui-url', 'http://ui.local']);
    assert.doesNotMatch(json.stdout, /Run page:/, 'machine-readable output stays as it was');
  });

  it('refuses an unknown run and a bad port', async () => {
    const missing = await skiff(dir, ['ui', '--link', 'nope']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /nope/);
    const port = await skiff(dir, ['ui', '--port', 'x']);
    assert.equal(port.status, 2);
    assert.match(port.stderr, /--port x/);
  });

  it('takes a cluster as the run commands do, and refuses a state directory with it', async () => {
    const both = await skiff(dir, ['ui', '--link', name, '--kubeconfig', 'nowhere.yaml', '--state-dir', join(dir, 'state')]);
    assert.equal(both.status, 1);
    assert.match(both.stderr, /--state-dir is for runs on this machine; it cannot go with --kubeconfig or --context/);
    const missing = await skiff(dir, ['ui', '--link', name, '--kubeconfig', 'nowhere.yaml']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /nowhere\.yaml/);
    const help = await skiff(dir, ['ui', '--help']);
    assert.match(help.stdout, /--allow-actions/);
    assert.match(help.stdout, /a link is easily pasted into a\s+chat or a ticket/);
  });
});
