import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openLocalTarget } from '../../../src/cli/local-target.js';
import { localRunPageSource } from '../../../src/cli/local-run-page-source.js';
import { runPageAction } from '../../../src/cli/run-page-actions.js';
import { podNameOfNode } from '../../../src/report/node-tree.js';
import { readRun } from '../../../src/cli/read-run.js';
import { leaseOwner } from '../../../src/cli/run-lease.js';
import { createRunPageHandler } from '../../../src/server/run-page/run-page-handler.js';
import { loadRunPageSecret, RunLinkSigner } from '../../../src/server/run-page/run-link-signer.js';
import { startRunPageServer } from '../../../src/server/run-page/run-page-server.js';
import { skiff, workspace } from '../../cli/run-cli.js';

const HOSTILE = '<script>alert(1)</script>';
const WORKFLOW = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: hostile}
spec:
  entrypoint: main
  arguments: {parameters: [{name: p, value: ${JSON.stringify(HOSTILE)}}]}
  templates:
  - name: main
    container:
      image: busybox
      command: [echo, hi]
      env: [{name: T, valueFrom: {secretKeyRef: {name: creds, key: token}}}]
`;
const SECRET = `apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {token: s3cr3t-token}
`;

describe('the run page handler over HTTP (no browser)', () => {
  let dir: string;
  let base: string;
  let signer: RunLinkSigner;
  let close: () => Promise<void>;
  let logPath: string;
  let nodeId: string;
  const link = (name = 'hostile', capability: 'read' | 'write' = 'read', expiresAt = Date.now() + 60_000) =>
    `${base}/runs/default/${name}?${signer.query('default', name, { expiresAt, capability })}`;

  before(async () => {
    dir = workspace({ 'wf.yaml': WORKFLOW, 'secret.yaml': SECRET });
    assert.equal((await skiff(dir, ['apply', 'secret.yaml'])).status, 0);
    const submitted = await skiff(dir, ['submit', 'wf.yaml', '--wait']);
    assert.equal(submitted.status, 0, submitted.stderr);
    const io = { stdout: { write: () => true }, stderr: { write: () => true }, cwd: dir };
    const target = openLocalTarget(io, { stateDir: join(dir, 'state') });
    const run = (await readRun(target.layout, 'default/hostile'))!;
    const node = Object.values(run.status.nodes)[0]!;
    nodeId = node.id;
    logPath = target.layout.containerLog(run.key, podNameOfNode('hostile', node)!, 'main');
    mkdirSync(dirname(logPath), { recursive: true });
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} \u001b[31m${HOSTILE}\u001b[0m token=s3cr3t-token`);
    writeFileSync(logPath, `${lines.join('\n')}\n`);
    signer = new RunLinkSigner(await loadRunPageSecret(target.layout.root));
    // Actions start background drivers: with the instant runtime, as the CLI's tests run them.
    const served = await startRunPageServer(
      createRunPageHandler({
        source: localRunPageSource(target, process.env),
        signer,
        act: (key, action) =>
          runPageAction(target, ['--state-dir', target.layout.root], { ...io, env: { ...process.env, SKIFF_RUNTIME: 'instant' } }, key, action),
      }),
      '127.0.0.1',
      0,
    );
    base = served.url;
    close = served.close;
  });

  after(async () => {
    await close?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the page for a good link, with parameters escaped and a policy that runs no inline script', async () => {
    const response = await fetch(link());
    assert.equal(response.status, 200);
    const page = await response.text();
    assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!page.includes(HOSTILE));
    assert.match(response.headers.get('content-security-policy')!, /script-src 'self'/);
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
    assert.ok(!page.includes('class="actions"'), 'a reader gets no buttons');
  });

  it('answers 403 to no link, an expired or forged one, one of another run, and a name that leaves its folder', async () => {
    const good = new URL(link());
    const forged = new URL(good);
    forged.searchParams.set('sig', `${good.searchParams.get('sig')!.slice(0, -2)}AA`);
    const others = [
      `${base}/runs/default/hostile`,
      link('hostile', 'read', Date.now() - 1000),
      forged.toString(),
      `${base}/runs/default/other${good.search}`,
      `${base}/runs/default/..%2F..%2Fobjects${good.search}`,
      `${base}/runs/default/hostile/node${good.search.replace('sig=', 'sig=x')}&id=${nodeId}`,
    ];
    for (const url of others) {
      const response = await fetch(url);
      assert.equal(response.status, 403, url);
      assert.match(await response.text(), /403/);
    }
    assert.equal((await fetch(`${base}/_skiff/../package.json`)).status, 404);
    for (const part of ['node', 'log', 'artifact-info', 'loop']) {
      const response = await fetch(`${base}/runs/default/hostile/${part}?id=__proto__&name=x&${good.searchParams}`);
      assert.equal(response.status, 404, `${part} of __proto__`);
    }
    assert.equal((await fetch(`${base}/_skiff/run-page.js`)).status, 200);
  });

  it("streams the run's changes; the first says whether the graph the page drew is the run's", async () => {
    const url = new URL(link());
    const page = await (await fetch(url)).text();
    const shape = /data-shape="([^"]+)"/.exec(page)![1]!;
    const firstEvent = async (shown: string) => {
      const controller = new AbortController();
      const response = await fetch(`${base}/runs/default/hostile/events?shape=${shown}&${url.searchParams}`, { signal: controller.signal });
      assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
      const reader = response.body!.getReader();
      let text = '';
      while (!text.includes('event: change')) text += new TextDecoder().decode((await reader.read()).value);
      while (!/event: change\ndata: .*\n\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
      controller.abort();
      return JSON.parse(/event: change\ndata: (.*)\n/.exec(text)![1]!) as {
        structure: boolean;
        items: Array<{ id: string; phase: string }>;
        run: { phase: string };
      };
    };
    const same = await firstEvent(shape);
    assert.equal(same.structure, false);
    assert.equal(same.run.phase, 'Succeeded');
    assert.deepEqual(
      same.items.map((i) => [i.id, i.phase]),
      [[nodeId, 'Succeeded']],
    );
    assert.equal((await firstEvent('drawn-before-the-run-grew')).structure, true);
  });

  it('pages a long log from its end, redacted, with colours as spans', async () => {
    const url = new URL(link());
    const page = (await (await fetch(`${base}/runs/default/hostile/log?id=${encodeURIComponent(nodeId)}&${url.searchParams}`)).json()) as {
      html: string;
      start: number;
      end: number;
    };
    assert.ok(page.start > 0, 'the last page of a long log');
    assert.match(page.html, /^line \d+ /, 'the page starts at a whole line');
    assert.match(page.html, /line 4999 <span class="ansi-red">&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/span> token=\[redacted\]$/);
    assert.ok(!page.html.includes('s3cr3t'));
    const earlier = (await (
      await fetch(`${base}/runs/default/hostile/log?id=${encodeURIComponent(nodeId)}&before=${page.start}&${url.searchParams}`)
    ).json()) as {
      html: string;
      end: number;
    };
    assert.equal(earlier.end, page.start);
    const download = await fetch(`${base}/runs/default/hostile/log?id=${encodeURIComponent(nodeId)}&download=1&${url.searchParams}`);
    assert.match(download.headers.get('content-disposition')!, /attachment/);
    const whole = await download.text();
    assert.equal(whole.split('\n').length, 5001);
    assert.ok(!whole.includes('s3cr3t'));
  });

  it("refuses a reader's POST, a writer's POST without the link's token or from another site, and says why", async () => {
    const reader = new URL(link());
    const post = (url: URL, body: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${base}/runs/default/hostile/action${url.search}`, { method: 'POST', body: new URLSearchParams(body), headers, redirect: 'manual' });
    assert.equal((await post(reader, { op: 'stop', token: 'x' })).status, 403);
    const writer = new URL(link('hostile', 'write'));
    assert.equal((await post(writer, { op: 'stop', token: 'x' })).status, 403);
    const page = await (await fetch(writer)).text();
    const token = /name="token" value="([^"]+)"/.exec(page)![1]!;
    assert.equal((await post(writer, { op: 'stop', token }, { origin: 'http://evil.example' })).status, 403);
    // A finished run cannot be stopped: the writer is told so, as skiff stop tells it.
    const refused = await post(writer, { op: 'stop', token });
    assert.equal(refused.status, 409);
    assert.match(await refused.text(), /has already finished/);
  });

  it("shows a writer's link no buttons and refuses its POST where actions are not allowed (skiff ui without --allow-actions)", async () => {
    const target = openLocalTarget({ stdout: { write: () => true }, stderr: { write: () => true }, cwd: dir }, { stateDir: join(dir, 'state') });
    const served = await startRunPageServer(createRunPageHandler({ source: localRunPageSource(target, process.env), signer }), '127.0.0.1', 0);
    try {
      const writer = new URL(link('hostile', 'write').replace(base, served.url));
      const page = await (await fetch(writer)).text();
      assert.ok(!page.includes('class="actions"'), 'no buttons');
      const token = signer.formToken('default', 'hostile', signer.check('default', 'hostile', writer.searchParams, Date.now()) as never);
      const answer = await fetch(`${served.url}/runs/default/hostile/action${writer.search}`, {
        method: 'POST',
        body: new URLSearchParams({ op: 'retry-all', token }),
        redirect: 'manual',
      });
      assert.equal(answer.status, 403, 'even with the right token');
    } finally {
      await served.close();
    }
  });

  it("lets a writer retry all of a finished run's steps, succeeded ones too", async () => {
    const layout = openLocalTarget({ stdout: { write: () => true }, stderr: { write: () => true }, cwd: dir }, { stateDir: join(dir, 'state') }).layout;
    const before = (await readRun(layout, 'default/hostile'))!;
    const writer = new URL(link('hostile', 'write'));
    const token = /name="token" value="([^"]+)"/.exec(await (await fetch(writer)).text())![1]!;
    const answer = await fetch(`${base}/runs/default/hostile/action${writer.search}`, {
      method: 'POST',
      body: new URLSearchParams({ op: 'retry-all', token }),
      redirect: 'manual',
    });
    assert.equal(answer.status, 303, await answer.text());
    assert.match(answer.headers.get('location')!, /^\/runs\/default\/hostile\?exp=\d+&sig=[^&]+&cap=write&notice=retried$/);
    // The retry hands the run to a background driver (its log appears), which runs it to its end again.
    assert.ok(existsSync(join(layout.runDir('default/hostile'), 'driver.log')));
    for (let i = 0; i < 200 && (await leaseOwner(layout, 'default/hostile')) !== undefined; i++) await new Promise((r) => setTimeout(r, 50));
    const after = (await readRun(layout, 'default/hostile'))!;
    assert.equal(after.status.phase, 'Succeeded');
    assert.ok(Date.parse(after.status.startedAt!) >= Date.parse(before.status.startedAt!));
  });
});
