// The run page of a cluster's run, in Chromium: `skiff ui --kubeconfig` against a real
// kube-apiserver, the run driven by KubeRunStore + KubeRuntime with the node agent standing in
// for a kubelet (it serves container logs, followed, through the API server) and a real MinIO as
// the artifact repository. The graph must follow the Workflow live, a step's log must grow while
// it runs, and an artifact must come from MinIO with its bytes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { parse } from 'yaml';
import type { KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeRunControl } from '../../src/kube/kube-run-control.js';
import { KubeRunStore } from '../../src/kube/kube-run-store.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import { RunDriver } from '../../src/runs/run-driver.js';
import { runPageLink } from '../../src/server/run-page/run-page-link.js';
import { createKubeRuntime, type KubeRuntime } from '../../src/runtime/cluster/kube-runtime.js';
import { localizePod } from '../../src/runtime/local/localize-pod.js';
import type { KubernetesObject } from '../../src/spec/model/kubernetes.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import { REPO_ROOT, startSkiffKube, type KubeEnv } from '../env/kube/index.js';
import { startMinio, type MinioServer } from '../env/minio/start-minio.js';
import { startNodeAgent, type NodeAgent } from '../env/node-agent/start-node-agent.js';
import { launchChromium, SCREENSHOT_DIR, skiffBin, startSkiffUi, type UiProcess } from './run-page-browser.js';
import { createMinioRepository } from '../helpers/minio-repository.js';

const NS = 'pages';
const EXECUTOR = 'ghcr.io/skiff/skiff:test';
const SECRET_VALUE = 'cluster-s3cr3t-value';
const text = async (locator: Locator): Promise<string> => (await locator.textContent()) ?? '';

describe('the run page of a cluster run in Chromium (skiff ui --kubeconfig, kube-apiserver, node agent, MinIO)', () => {
  let kube: KubeEnv;
  let client: KubeConnection;
  let agent: NodeAgent;
  let minio: MinioServer;
  let runtime: KubeRuntime;
  let driver: RunDriver;
  let browser: Browser;
  let ui: UiProcess;
  let page: Page;
  let dir: string;
  let gate: Server;
  let gateOpen = false;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-run-page-cluster-'));
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    // The step waits until this answers 200: the test decides when it goes on (pods share the host's network here).
    gate = createServer((req, res) => res.writeHead(gateOpen && req.url === '/open' ? 200 : 404).end());
    await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
    ({ kube, client } = await startSkiffKube());
    minio = await startMinio();
    await serverSideApply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await createMinioRepository(client, minio, NS);
    await client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'page-creds', namespace: NS },
      stringData: { token: SECRET_VALUE },
    } as KubernetesObject);
    agent = await startNodeAgent({
      kubeconfigPath: kube.kubeconfigPath,
      localize: (pod) => localizePod(pod, { projectDir: REPO_ROOT, nodePath: process.execPath, executorImage: EXECUTOR }),
    });
    runtime = createKubeRuntime({ client, executorImage: EXECUTOR, namespaces: [NS] });
    driver = new RunDriver({ store: new KubeRunStore(client, { namespaces: [NS] }), runtime });
    browser = await launchChromium();
  });

  after(async () => {
    gateOpen = true;
    await browser?.close();
    await ui?.stop();
    await runtime?.close();
    await agent?.stop();
    await minio?.stop();
    await kube?.stop();
    await new Promise((resolve) => gate?.close(resolve));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("follows the Workflow live, streams a running pod's log, redacts the Secret it read, and downloads an artifact from MinIO", async () => {
    const port = (gate.address() as AddressInfo).port;
    const workflow = parse(`
metadata: {name: page-cluster, namespace: ${NS}, labels: {workflows.argoproj.io/controller-instanceid: skiff}}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: slow, template: slow}
    - - {name: last, template: last}
  - name: slow
    script:
      image: alpine
      command: [sh]
      env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: page-creds, key: token}}}]
      source: |
        printf '\\033[32mgreen line\\033[0m\\n'
        echo "token=$TOKEN"
        for i in 1 2 3; do echo "line $i"; done
        until wget -q -O /dev/null http://127.0.0.1:${port}/open; do sleep 0.2; done
        for i in 4 5 6; do echo "line $i"; done
        printf 'bytes from the cluster\\n' > /tmp/data.bin
    outputs:
      artifacts: [{name: data, path: /tmp/data.bin, archive: {none: {}}}]
  - name: last
    container: {image: alpine, command: [sh, -c, "echo last-ran"]}
`) as Workflow;
    const id = await driver.submit(workflow);
    const stateDir = join(dir, 'state');
    ui = await startSkiffUi(stateDir, ['page-cluster'], ['--kubeconfig', kube.kubeconfigPath, '--namespace', NS]);
    assert.match(ui.links[0]!, new RegExp(`/runs/${NS}/page-cluster\\?exp=\\d+&sig=`));
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const response = await page.goto(ui.links[0]!);
    assert.equal(response?.status(), 200);
    await page.evaluate(() => {
      (globalThis as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });
    const box = (label: string) => page.locator('.graph .box', { has: page.locator('.box-label', { hasText: new RegExp(`^${label}$`) }) });

    await box('slow').locator('.phase-word', { hasText: 'Running' }).waitFor({ timeout: 60_000 });
    await box('slow').click();
    const log = page.locator('#panel pre.log');
    await log.locator('text=line 3').waitFor({ timeout: 30_000 });
    assert.doesNotMatch(await text(log), /line 6/, 'the step is still waiting at its gate');
    assert.equal(await log.locator('.ansi-green', { hasText: 'green line' }).count(), 1);
    assert.match(await text(log), /token=\[redacted\]/);
    assert.doesNotMatch(await text(log), new RegExp(SECRET_VALUE));
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'cluster-node-running.png') });

    gateOpen = true;
    await log.locator('text=line 6').waitFor({ timeout: 30_000 });
    await box('slow').locator('.phase-word', { hasText: 'Succeeded' }).waitFor({ timeout: 30_000 });
    await box('last').locator('.phase-word', { hasText: 'Succeeded' }).waitFor({ timeout: 60_000 });
    await page.locator('#run-phase .phase', { hasText: 'Succeeded' }).waitFor({ timeout: 30_000 });
    assert.equal(await page.evaluate(() => (globalThis as unknown as { __sameDocument?: boolean }).__sameDocument), true, 'updated without a reload');
    assert.equal((await driver.wait(id)).phase, 'Succeeded');

    // The artifact, from the repository the run recorded (MinIO), with its size and bytes.
    await page
      .locator('#panel .artifact-info', { hasText: /B · s3 / })
      .first()
      .waitFor({ timeout: 30_000 });
    assert.match(await text(page.locator('#panel .artifact-info').first()), new RegExp(`^${'bytes from the cluster\n'.length} B · s3 ${minio.bucket}/`));
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#panel .artifacts a', { hasText: 'data' }).click()]);
    await download.saveAs(join(dir, 'data.bin'));
    assert.equal(readFileSync(join(dir, 'data.bin'), 'utf8'), 'bytes from the cluster\n');

    // A finished step's log, opened afresh: read whole from its pod.
    await box('last').click();
    await page.locator('#panel pre.log', { hasText: 'last-ran' }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'cluster-run-page.png') });

    // A pod deleted since (by pod GC, or a person) took its log with it: the page says so.
    const last = Object.values((await driver.wait(id)).nodes).find((n) => n.displayName === 'last')!;
    const lastPod = (await client.list<KubernetesObject>('v1', 'Pod', NS)).items.find(
      (p) => p.metadata?.annotations?.['workflows.argoproj.io/node-id'] === last.id,
    );
    assert.ok(lastPod, "the last step's pod");
    await client.delete({ apiVersion: 'v1', kind: 'Pod', namespace: NS, name: lastPod.metadata!.name! });
    let left = true;
    for (let i = 0; i < 300 && left; i++) {
      left = (await client.list<KubernetesObject>('v1', 'Pod', NS)).items.some((p) => p.metadata?.name === lastPod.metadata!.name);
      if (left) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(left, false, 'the pod was deleted');
    const logUrl = `${ui.url}/runs/${NS}/page-cluster/log?id=${encodeURIComponent(last.id)}&${new URL(ui.links[0]!).searchParams}`;
    assert.match(JSON.stringify(await (await fetch(logUrl)).json()), /is gone/);
    await page.goto(`${ui.links[0]}#node=${encodeURIComponent(last.id)}`);
    await page.reload(); // the step was open already: opened afresh
    await page.locator('#panel pre.log', { hasText: /is gone, and its log with it/ }).waitFor({ timeout: 30_000 });

    // skiff get prints the run's link, signed with the same secret as skiff ui's for this cluster.
    const got = execFileSync(process.execPath, [skiffBin, 'get', 'page-cluster', '--kubeconfig', kube.kubeconfigPath, '-n', NS, '--ui-url', ui.url], {
      encoding: 'utf8',
      env: { ...process.env, SKIFF_STATE_DIR: stateDir },
    });
    const printed = /Run page: (\S+)/.exec(got)?.[1];
    assert.ok(printed, got);
    assert.equal((await fetch(printed)).status, 200);
  });

  it("terminates a running cluster run from a writer's page of skiff ui --allow-actions", async () => {
    const port = (gate.address() as AddressInfo).port;
    const workflow = parse(`
metadata: {name: page-stuck, namespace: ${NS}, labels: {workflows.argoproj.io/controller-instanceid: skiff}}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine, command: [sh, -c, "echo waiting; until wget -q -O /dev/null http://127.0.0.1:${port}/never; do sleep 0.2; done"]}
`) as Workflow;
    const id = await driver.submit(workflow);
    // As the controller does: the run's control signals (spec.shutdown) go to its driver.
    const control = new KubeRunControl(client).watch(id, (signal) => driver.signal(id, signal));
    const stateDir = join(dir, 'state');
    const actions = await startSkiffUi(stateDir, [], ['--kubeconfig', kube.kubeconfigPath, '--namespace', NS, '--allow-actions']);
    try {
      const writer = await runPageLink(stateDir, actions.url, id, { capability: 'write' });
      const tab = await browser.newPage();
      await tab.goto(writer);
      await tab.locator('.graph .box .phase-word', { hasText: 'Running' }).first().waitFor({ timeout: 60_000 });
      assert.equal(await tab.locator('.actions button').count(), 4);
      await tab.locator('button[data-op="terminate"]').click();
      await tab.locator('.notice', { hasText: 'Terminate asked' }).waitFor({ timeout: 30_000 });
      await tab.locator('#run-phase .phase', { hasText: 'Failed' }).waitFor({ timeout: 60_000 });
      const status = await driver.wait(id);
      assert.equal(status.phase, 'Failed');
      assert.match(status.message ?? '', /Terminate/);
      await tab.close();
    } finally {
      control.close();
      await actions.stop();
    }
  });
});
