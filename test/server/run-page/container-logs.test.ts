import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { localRunPageSource } from '../../../src/cli/local-run-page-source.js';
import { openLocalTarget } from '../../../src/cli/local-target.js';
import { readRun } from '../../../src/cli/read-run.js';
import { createRunPageHandler } from '../../../src/server/run-page/run-page-handler.js';
import { loadRunPageSecret, RunLinkSigner } from '../../../src/server/run-page/run-link-signer.js';
import { startRunPageServer } from '../../../src/server/run-page/run-page-server.js';
import { skiff, workspace } from '../../cli/run-cli.js';

const WORKFLOW = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: set}
spec:
  entrypoint: group
  templates:
  - name: group
    containerSet:
      containers:
      - {name: first, image: alpine, command: [sh, -c, "echo said by first"]}
      - {name: main, image: alpine, command: [sh, -c, "echo said by main"], dependencies: [first]}
`;

describe("a containerSet step's logs on the run page, one per container (real sandboxed containers)", () => {
  let dir: string;
  let base: string;
  let query: string;
  let podNode: string;
  let close: () => Promise<void>;

  before(async () => {
    dir = workspace({ 'wf.yaml': WORKFLOW });
    const submitted = await skiff(dir, ['submit', 'wf.yaml', '--wait'], { env: { SKIFF_RUNTIME: 'local' } });
    assert.equal(submitted.status, 0, submitted.stderr);
    const target = openLocalTarget({ stdout: { write: () => true }, stderr: { write: () => true }, cwd: dir }, { stateDir: join(dir, 'state') });
    const run = (await readRun(target.layout, 'default/set'))!;
    podNode = Object.values(run.status.nodes).find((n) => n.type === 'Pod')!.id;
    const signer = new RunLinkSigner(await loadRunPageSecret(target.layout.root));
    query = signer.query('default', 'set', { expiresAt: Date.now() + 60_000 });
    const served = await startRunPageServer(createRunPageHandler({ source: localRunPageSource(target, process.env), signer }), '127.0.0.1', 0);
    base = `${served.url}/runs/default/set`;
    close = served.close;
  });

  after(async () => {
    await close?.();
    rmSync(dir, { recursive: true, force: true });
  });

  const log = async (id: string, container?: string): Promise<{ status: number; text: string }> => {
    const response = await fetch(`${base}/log?id=${encodeURIComponent(id)}${container ? `&container=${container}` : ''}&${query}`);
    return { status: response.status, text: response.status === 200 ? ((await response.json()) as { html: string }).html : await response.text() };
  };

  it("offers each container of the pod's step, showing the first's log and any other's when chosen", async () => {
    const view = await (await fetch(`${base}/node?id=${encodeURIComponent(podNode)}&${query}`)).text();
    assert.match(view, /<select class="log-container"><option value="first">first<\/option><option value="main">main<\/option><\/select>/);
    assert.match(view, /data-container="first"/);
    assert.equal((await log(podNode)).text, 'said by first');
    assert.equal((await log(podNode, 'main')).text, 'said by main');
    assert.equal((await log(podNode, 'first')).text, 'said by first');
  });

  it("opens a container's own node at its log, and refuses a container the step does not have", async () => {
    const target = openLocalTarget({ stdout: { write: () => true }, stderr: { write: () => true }, cwd: dir }, { stateDir: join(dir, 'state') });
    const run = (await readRun(target.layout, 'default/set'))!;
    const mainNode = Object.values(run.status.nodes).find((n) => n.type === 'Container' && n.displayName === 'main')!;
    assert.equal((await log(mainNode.id)).text, 'said by main');
    const view = await (await fetch(`${base}/node?id=${encodeURIComponent(mainNode.id)}&${query}`)).text();
    assert.ok(!view.includes('log-container'), 'one container: no choice');
    for (const other of ['wait', 'init', '../main', 'nope']) assert.equal((await log(podNode, other)).status, 404, other);
  });
});
