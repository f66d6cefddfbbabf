// A containerSet step on the run page, in Chromium: the step's log is its first container's, and
// choosing another container shows that one's log and points the download at it.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { localRunPageSource } from '../../src/cli/local-run-page-source.js';
import { openLocalTarget } from '../../src/cli/local-target.js';
import { createRunPageHandler } from '../../src/server/run-page/run-page-handler.js';
import { loadRunPageSecret, RunLinkSigner } from '../../src/server/run-page/run-link-signer.js';
import { startRunPageServer } from '../../src/server/run-page/run-page-server.js';
import { skiff, workspace } from '../cli/run-cli.js';
import { launchChromium } from './run-page-browser.js';

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

describe('a containerSet step on the run page in Chromium (real sandboxed containers)', () => {
  let dir: string;
  let link: string;
  let browser: Browser;
  let close: () => Promise<void>;

  before(async () => {
    dir = workspace({ 'wf.yaml': WORKFLOW });
    const submitted = await skiff(dir, ['submit', 'wf.yaml', '--wait'], { env: { SKIFF_RUNTIME: 'local' } });
    assert.equal(submitted.status, 0, submitted.stderr);
    const target = openLocalTarget({ stdout: { write: () => true }, stderr: { write: () => true }, cwd: dir }, { stateDir: join(dir, 'state') });
    const signer = new RunLinkSigner(await loadRunPageSecret(target.layout.root));
    const served = await startRunPageServer(createRunPageHandler({ source: localRunPageSource(target, process.env), signer }), '127.0.0.1', 0);
    close = served.close;
    link = `${served.url}/runs/default/set?${signer.query('default', 'set', { expiresAt: Date.now() + 600_000 })}`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await close?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows the first container's log, and another's when it is chosen", async () => {
    const page = await browser.newPage();
    await page.goto(`${link}#node=set`);
    const log = page.locator('#panel pre.log');
    await log.locator('text=said by first').waitFor();
    await page.locator('#panel select.log-container').selectOption('main');
    await log.locator('text=said by main').waitFor();
    assert.doesNotMatch((await log.textContent()) ?? '', /said by first/, 'the log is the chosen container only');
    assert.match((await page.locator('#panel .log-download').getAttribute('href')) ?? '', /container=main/);
    await page.close();
  });
});
