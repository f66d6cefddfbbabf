// The run page's retry on a cluster, as skiff serve --in-cluster and skiff ui --kubeconfig carry it
// out: through the connection the server already has, with no kubeconfig or context to name the
// cluster again (a pod's own service account is neither). A real kube-apiserver, the controller
// embedded as skiff serve embeds it, pods shared as a cluster's are (SharedPods): retry-failed runs
// only the failed step again, retry-all every step, and a run still going is refused.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CliIO } from '../../src/cli/cli-io.js';
import { type ClusterTarget, openClusterTarget } from '../../src/cli/cluster-target.js';
import { runPageAction } from '../../src/cli/run-page-actions.js';
import { openServeCluster, type ServeCluster } from '../../src/cli/serve-cluster.js';
import { isWorkflowDone } from '../../src/engine/workflow-status.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import type { RunKey } from '../../src/ports/run-key.js';
import type { StoredRun } from '../../src/ports/run-store.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import { startSkiffKube, type KubeEnv } from '../env/kube/index.js';
import { SharedPods } from '../helpers/shared-pods.js';

const FLAKY: Workflow = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata: { generateName: 'flaky-', namespace: 'ci' },
  spec: {
    entrypoint: 'main',
    templates: [
      { name: 'main', steps: [[{ name: 'first', template: 'steady' }], [{ name: 'second', template: 'flaky' }]] },
      { name: 'steady', container: { image: 'busybox', command: ['true'] } },
      { name: 'flaky', container: { image: 'busybox', command: ['false'] } },
    ],
  },
} as Workflow;

let kube: KubeEnv;
let target: ClusterTarget;
let cluster: ServeCluster;
let dir: string;
/** Where the page's action runs: no $KUBECONFIG, no ~/.kube, nothing that names the cluster but the open target. */
let pageIo: CliIO;
const pods = new SharedPods({ held: ['held'], failing: ['flaky'] });

before(async () => {
  const started = await startSkiffKube();
  kube = started.kube;
  const client = started.client;
  await serverSideApply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ci' } });
  dir = await mkdtemp(join(tmpdir(), 'skiff-page-retry-'));
  const quiet = { write: () => true };
  target = openClusterTarget({ cwd: dir, env: {}, stdout: quiet, stderr: quiet } as CliIO, { kubeconfig: kube.kubeconfigPath });
  cluster = openServeCluster(target, {
    controller: 'embedded',
    runtime: pods.runtime(),
    identity: 'page-retry-test',
    lease: { leaseDurationSeconds: 2, retryPeriodMs: 200, renewDeadlineMs: 1500 },
    log: () => undefined,
  });
  pageIo = { cwd: dir, env: { HOME: dir }, stdout: quiet, stderr: quiet } as CliIO;
});
after(async () => {
  await cluster?.close();
  await kube?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function finished(key: RunKey): Promise<StoredRun> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const run = await cluster.launcher.read(key);
    if (run && isWorkflowDone(run.status.phase) && !run.workflow.metadata?.annotations?.['skiff.dev/retried-pods']) return run;
    if (Date.now() > deadline) assert.fail(`${key} did not finish: ${run?.status.phase}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const startsOf = (name: string, template: string) =>
  [...pods.starts].filter(([pod]) => pod.startsWith(`ci/${name}-${template}`)).reduce((sum, [, starts]) => sum + starts, 0);

test("the run page's retry of a cluster run goes through the open connection: failed steps, then every step", { timeout: 120_000 }, async () => {
  const key = await cluster.launcher.submit(FLAKY, {});
  const name = key.split('/')[1]!;
  const first = await finished(key);
  assert.equal(first.status.phase, 'Failed');
  assert.equal(startsOf(name, 'steady'), 1);
  assert.equal(startsOf(name, 'flaky'), 1);

  pods.failing.clear();
  assert.equal(await runPageAction(target, [], pageIo, key, 'retry-failed'), 'retried');
  const retried = await finished(key);
  assert.equal(retried.status.phase, 'Succeeded');
  assert.equal(startsOf(name, 'steady'), 1, 'the step that succeeded did not run again');
  assert.equal(startsOf(name, 'flaky'), 2, 'the failed step ran again');

  // A succeeded run has nothing failed to retry; retry-all runs every step again.
  await assert.rejects(runPageAction(target, [], pageIo, key, 'retry-failed'), /cannot retry run "flaky-\w+" in namespace "ci": /);
  assert.equal(await runPageAction(target, [], pageIo, key, 'retry-all'), 'retried');
  assert.equal((await finished(key)).status.phase, 'Succeeded');
  assert.equal(startsOf(name, 'steady'), 2, 'retry-all ran the succeeded step again');
  assert.equal(startsOf(name, 'flaky'), 3);
});

test('a cluster run still going is not retried from the page, and nothing about it changes', { timeout: 60_000 }, async () => {
  const held = {
    ...FLAKY,
    metadata: { generateName: 'held-', namespace: 'ci' },
    spec: { entrypoint: 'held', templates: [{ name: 'held', container: { image: 'busybox', command: ['sleep', '60'] } }] },
  } as Workflow;
  const key = await cluster.launcher.submit(held, {});
  const deadline = Date.now() + 30_000;
  while (!pods.running.some((pod) => pod.startsWith(key))) {
    if (Date.now() > deadline) assert.fail('the held pod did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const before = await cluster.launcher.read(key);
  await assert.rejects(runPageAction(target, [], pageIo, key, 'retry-failed'), /cannot retry run "held-\w+" in namespace "ci": .*still running/);
  const afterRefusal = await cluster.launcher.read(key);
  assert.equal(afterRefusal?.workflow.metadata?.annotations?.['skiff.dev/retried-pods'], undefined, 'no pods noted for deletion');
  assert.equal(afterRefusal?.status.phase, before?.status.phase);
  pods.release();
  assert.equal((await finished(key)).status.phase, 'Succeeded');
});
