import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { isWorkflowDone, type WorkflowStatus } from '../../src/engine/workflow-status.js';
import { readRun } from '../../src/cli/read-run.js';
import { loadRunPageSecret, RunLinkSigner } from '../../src/server/run-page/run-link-signer.js';
import { buildRunGraph } from '../../src/server/run-page/run-graph.js';
import { StateLayout } from '../../src/state/state-layout.js';
import { launchChromium, SCREENSHOT_DIR, skiffBin, startSkiffUi, type UiProcess } from './run-page-browser.js';

const HOSTILE = `<script>window.__pwned=1</script><a href="javascript:window.__pwned=2">click</a>`;
/** What a locator's element holds as text. */
const text = async (locator: Locator): Promise<string> => (await locator.textContent()) ?? '';
const ARTIFACT_BYTES = 'bytes of the artifact\n\u00e9\u0001\n';

const workflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: page-test}
spec:
  entrypoint: main
  arguments:
    parameters: [{name: note, value: ${JSON.stringify(HOSTILE)}}]
  volumeClaimTemplates:
  - metadata: {name: gate}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Mi}}}
  templates:
  - name: main
    steps:
    - - {name: slow, template: slow}
    - - {name: flaky, template: flaky}
      - name: each
        template: echo
        arguments: {parameters: [{name: v, value: "{{item}}"}]}
        withItems: [a, b, c, d, e, ${JSON.stringify('<img src=x onerror=window.__pwned=3>')}]
  - name: slow
    script:
      image: alpine
      command: [sh]
      volumeMounts: [{name: gate, mountPath: /mnt/gate}]
      source: |
        printf '\\033[32mgreen line\\033[0m\\n'
        echo '<script>window.__pwned=4</script>'
        for i in 1 2 3; do echo "line $i"; done
        while [ ! -e /mnt/gate/slow ]; do sleep 0.1; done
        for i in 4 5 6; do echo "line $i"; done
        printf '${ARTIFACT_BYTES.replace(/\n/g, '\\n').replace('\u00e9', '\\303\\251').replace('\u0001', '\\001')}' > /tmp/data.bin
        echo done > /tmp/msg
        mkdir -p /tmp/tree/sub && echo alpha > /tmp/tree/a.txt && echo beta > /tmp/tree/sub/b.txt
    outputs:
      parameters: [{name: msg, valueFrom: {path: /tmp/msg}}]
      artifacts: [{name: data, path: /tmp/data.bin, archive: {none: {}}}, {name: tree, path: /tmp/tree}]
  - name: flaky
    container:
      image: alpine
      command: [sh, -c, "while [ ! -e /mnt/gate/go ]; do sleep 0.1; done; [ -e /mnt/gate/pass ] || { echo failing; exit 3; }; echo fixed"]
      volumeMounts: [{name: gate, mountPath: /mnt/gate}]
  - name: echo
    inputs: {parameters: [{name: v}]}
    container: {image: alpine, command: [sh, -c, "echo '{{inputs.parameters.v}}'"]}
`;

describe('the run page in Chromium, against skiff ui and a run on the local runtime', () => {
  let dir: string;
  let stateDir: string;
  let browser: Browser;
  let ui: UiProcess;
  let page: Page;
  const skiff = (...args: string[]) => execFileSync(process.execPath, [skiffBin, ...args, '--state-dir', stateDir], { encoding: 'utf8' });
  const status = async (): Promise<WorkflowStatus> => (await readRun(new StateLayout(stateDir), 'default/page-test'))!.status;
  // The steps wait for files in their run's volume (a directory of the state directory the test
  // can write), so the test decides when each step goes on.
  const openGate = async (file: string): Promise<void> => {
    const claims = join(stateDir, 'claims');
    for (let i = 0; i < 400; i++) {
      const found = existsSync(claims) ? readdirSync(claims, { recursive: true, encoding: 'utf8' }).find((p) => p.endsWith('gate')) : undefined;
      if (found) {
        writeFileSync(join(claims, found, file), '');
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("the run's gate volume never appeared");
  };
  const box = (label: string) => page.locator('.graph .box', { has: page.locator('.box-label', { hasText: new RegExp(`^${label}$`) }) });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-run-page-'));
    stateDir = join(dir, 'state');
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    writeFileSync(join(dir, 'wf.yaml'), workflow);
    browser = await launchChromium();
    skiff('submit', join(dir, 'wf.yaml'));
    ui = await startSkiffUi(stateDir, ['page-test'], ['--allow-actions']);
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  });

  after(async () => {
    // The background driver ends with the run: end it, so no process is left.
    if (stateDir && !isWorkflowDone((await status().catch(() => undefined))?.phase ?? 'Succeeded')) {
      try {
        skiff('terminate', 'page-test');
      } catch {
        // it finished meanwhile
      }
      for (let i = 0; i < 200 && !isWorkflowDone((await status()).phase); i++) await new Promise((r) => setTimeout(r, 100));
    }
    await browser?.close();
    await ui?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the run live: the graph, a step opened with its live log, its outputs, and an artifact download', async () => {
    const response = await page.goto(ui.links[0]!);
    assert.equal(response?.status(), 200);
    await page.evaluate(() => {
      (globalThis as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });
    await box('slow').locator('.phase-word', { hasText: 'Running' }).waitFor();
    await box('slow').click();
    const log = page.locator('#panel pre.log');
    await log.locator('text=line 3').waitFor();
    assert.doesNotMatch(await text(log), /line 6/);
    assert.equal(await log.locator('.ansi-green', { hasText: 'green line' }).count(), 1, 'ANSI colours become spans');
    assert.match(await text(page.locator('#panel')), /Inputs[\s\S]*Outputs/);
    assert.match(page.url(), /#node=page-test-/, 'the step has a link of its own');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'node-running.png') });

    await openGate('slow');
    await log.locator('text=line 6').waitFor({ timeout: 20_000 });
    await box('slow').locator('.phase-word', { hasText: 'Succeeded' }).waitFor({ timeout: 20_000 });
    await page.locator('#panel .phase', { hasText: 'Succeeded' }).waitFor();
    assert.equal(await page.evaluate(() => (globalThis as unknown as { __sameDocument?: boolean }).__sameDocument), true, 'updated without a reload');
    const panelText = await text(page.locator('#panel'));
    assert.match(panelText, /msg\s*done/, 'output parameter shown');
    await page
      .locator('#panel .artifact-info', { hasText: /B · local/ })
      .first()
      .waitFor();
    assert.match(await text(page.locator('#panel .artifact-info').first()), new RegExp(`^${Buffer.byteLength(ARTIFACT_BYTES)} B · local `));

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#panel .artifacts a', { hasText: 'data' }).click()]);
    const saved = join(dir, 'downloaded');
    await download.saveAs(saved);
    assert.deepEqual(readFileSync(saved), Buffer.from(ARTIFACT_BYTES), 'the artifact downloads with its bytes');
    // A directory artifact (a tarball in the repository) lists its files, each a download of its own.
    const file = page.locator('#panel .artifact-files a', { hasText: /sub\/b\.txt$/ });
    await file.waitFor();
    assert.equal(await page.locator('#panel .artifact-files a').count(), 2);
    const [fileDownload] = await Promise.all([page.waitForEvent('download'), file.click()]);
    await fileDownload.saveAs(join(dir, 'b.txt'));
    assert.equal(readFileSync(join(dir, 'b.txt'), 'utf8'), 'beta\n');

    // flaky fails (its volume has no pass file), so the run ends Failed; every node shows its phase.
    await openGate('go');
    await page.locator('#run-phase .phase', { hasText: 'Failed' }).waitFor({ timeout: 30_000 });
    const final = await status();
    const graph = buildRunGraph(final, 'page-test');
    for (const node of Object.values(final.nodes)) {
      const itemId = graph.itemOf.get(node.id)!;
      const item = graph.items.find((i) => i.id === itemId)!;
      const shown = page.locator(`[id="box-${itemId}"] .phase-word`);
      assert.equal(await text(shown), item.phase, `${node.displayName} is shown ${item.phase}`);
      if (item.kind === 'node') assert.equal(item.phase, node.phase);
    }
    assert.equal(await page.locator('.graph .box').count(), graph.items.length);
    await page.goto(`${ui.links[0]}#node=${encodeURIComponent(Object.values(final.nodes).find((n) => n.displayName === 'slow')!.id)}`);
    await page.locator('#panel pre.log', { hasText: 'line 6' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'run-page.png') });
    // On a phone the step opens under the graph, and nothing is wider than the screen.
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await phone.goto(page.url());
    await phone.locator('#panel pre.log', { hasText: 'line 6' }).waitFor();
    const widths = await phone.evaluate(() => {
      const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
      return [doc.documentElement.scrollWidth, doc.documentElement.clientWidth];
    });
    assert.ok(widths[0]! <= widths[1]!, `the page is ${widths[0]} px wide on a ${widths[1]} px screen`);
    await phone.screenshot({ path: join(SCREENSHOT_DIR, 'run-page-phone.png'), fullPage: true });
    await phone.close();
  });

  it('renders hostile names, parameters and logs as inert text', async () => {
    await page.goto(ui.links[0]!);
    assert.match(await text(page.locator('.params')), /<script>window.__pwned=1<\/script><a href="javascript:window.__pwned=2">click<\/a>/);
    await box('each').click();
    await page.locator('#panel .iterations li', { hasText: '<img src=x onerror=window.__pwned=3>' }).waitFor();
    await box('slow').click();
    await page.locator('#panel pre.log', { hasText: '<script>window.__pwned=4</script>' }).waitFor();
    assert.equal(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned), undefined);
    // The keyboard alone: a box is a link, the arrows move between boxes, Escape closes the step.
    await box('slow').focus();
    await page.keyboard.press('ArrowUp');
    assert.equal(
      await page.evaluate(() =>
        (globalThis as unknown as { document: { activeElement: { className: string } } }).document.activeElement.className.includes('type-StepGroup'),
      ),
      true,
    );
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.locator('#panel h2', { hasText: /^flaky$/ }).waitFor();
    await page.keyboard.press('Escape');
    await page.locator('#panel').waitFor({ state: 'hidden' });
    assert.equal(await page.locator('a[href^="javascript:"], img, script:not([src])').count(), 0);
  });

  it("refuses expired, forged and other runs' links with 403; a reader has no actions", async () => {
    const signer = new RunLinkSigner(await loadRunPageSecret(stateDir));
    const expired = `${ui.url}/runs/default/page-test?${signer.query('default', 'page-test', { expiresAt: Date.now() - 1000 })}`;
    const forged = ui.links[0]!.replace(/sig=([^&]{4})/, 'sig=AAAA');
    const otherRun = `${ui.url}/runs/default/another-run?${new URL(ui.links[0]!).searchParams}`;
    const unsigned = `${ui.url}/runs/default/page-test`;
    for (const link of [expired, forged, otherRun, unsigned]) {
      const response = await page.goto(link);
      assert.equal(response?.status(), 403, link);
      assert.match(await text(page.locator('h1')), /403/);
    }
    await page.goto(ui.links[0]!);
    assert.equal(await page.locator('.actions button').count(), 0, 'a reader sees no buttons');
    const posted = await page.evaluate(
      async (action) => (await fetch(action, { method: 'POST', body: new URLSearchParams({ op: 'retry-failed', token: 'x' }) })).status,
      `/runs/default/page-test/action?${new URL(ui.links[0]!).searchParams}`,
    );
    assert.equal(posted, 403, "the server refuses a reader's POST");
  });

  it('lets a writer retry the failed step', async () => {
    const writer = skiff('ui', '--link', 'page-test', '--write', '--ui-url', ui.url).trim();
    await page.goto(writer);
    assert.equal(await page.locator('.actions button').count(), 4);
    const forgedToken = await page.evaluate(
      async (action) => (await fetch(action, { method: 'POST', body: new URLSearchParams({ op: 'retry-failed', token: 'x' }) })).status,
      `/runs/default/page-test/action?${new URL(writer).searchParams}`,
    );
    assert.equal(forgedToken, 403, "a POST without the link's token is refused");
    const before = await status();
    assert.equal(before.phase, 'Failed');
    await page.locator('button[data-op="retry-failed"]').click();
    await page.locator('.notice', { hasText: 'Retried' }).waitFor();
    await box('flaky').locator('.phase-word', { hasText: 'Running' }).waitFor({ timeout: 20_000 });
    await openGate('pass');
    await openGate('go');
    await page.locator('#run-phase .phase', { hasText: 'Succeeded' }).waitFor({ timeout: 30_000 });
    const after = await status();
    const flaky = Object.values(after.nodes).find((n) => n.displayName === 'flaky')!;
    assert.equal(flaky.phase, 'Succeeded');
    assert.equal(after.phase, 'Succeeded');
  });
});
