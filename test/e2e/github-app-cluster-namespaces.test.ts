// skiff serve on a cluster limited to one namespace (`serve --in-cluster -n ci`, as the chart runs
// it), connected as the chart's ServiceAccount with only the chart's RBAC (Roles in `ci`, the Lease
// in the release's namespace) on a real kube-apiserver with RBAC authorization, with the fake
// GitHub, the real git server and the node agent. A push runs its workflow in `ci` to a success
// check run, driven by the embedded controller, with no call refused and none to another namespace
// or across every namespace; a workflow naming another namespace starts nothing and its check run
// says why.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { CliIO } from '../../src/cli/cli-io.js';
import { openClusterTarget } from '../../src/cli/cluster-target.js';
import { openServeCluster, type ServeCluster } from '../../src/cli/serve-cluster.js';
import type { KubeConnection } from '../../src/kube/kube-connection.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import { localizePod } from '../../src/runtime/local/localize-pod.js';
import type { KubernetesObject } from '../../src/spec/model/kubernetes.js';
import { REPO_ROOT, startSkiffKube, type KubeEnv } from '../env/kube/index.js';
import { startNodeAgent, type NodeAgent } from '../env/node-agent/start-node-agent.js';
import { runCommand } from '../env/tools/run-command.js';
import { helmPath } from '../env/tools/tool-paths.js';
import { GitHubAppHarness } from '../helpers/github-app-harness.js';
import { RecordingKubeClient } from '../helpers/recording-kube-client.js';

const EXECUTOR = 'ghcr.io/skiff/skiff:test';
const RELEASE_NS = 'skiff-system';
const ACCOUNT = `system:serviceaccount:${RELEASE_NS}:skiff`;
const CONFIG = 'paths: [workflows]\nnamespace: ci\non:\n  push: {branches: [main]}\n';
const HELLO = (namespace?: string) => `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: hello-${namespace ? `, namespace: ${namespace}` : ''}}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine, command: [echo, hi]}
`;

let kube: KubeEnv;
let admin: KubeConnection;
let agent: NodeAgent;
let cluster: ServeCluster;
let recording: RecordingKubeClient;
let h: GitHubAppHarness;
const clusterLog: string[] = [];

before(async () => {
  ({ kube, client: admin } = await startSkiffKube());
  for (const name of [RELEASE_NS, 'ci', 'other']) await serverSideApply(admin, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const chart = await runCommand(helmPath(), [
    'template',
    'skiff',
    join(REPO_ROOT, 'charts', 'skiff'),
    '--namespace',
    RELEASE_NS,
    '-f',
    join(REPO_ROOT, 'charts', 'skiff', 'ci', 'serve-embedded-values.yaml'),
    '--set',
    'watchNamespaces={ci}',
  ]);
  assert.equal(chart.code, 0, chart.stderr);
  for (const document of parseAllDocuments(chart.stdout)) {
    const object = document.toJS() as KubernetesObject | null;
    if (!object || object.kind === 'Deployment') continue;
    const clusterScoped = object.kind.startsWith('Cluster');
    await serverSideApply(admin, {
      ...object,
      metadata: { ...object.metadata, ...(clusterScoped ? {} : { namespace: object.metadata.namespace ?? RELEASE_NS }) },
    });
  }
  agent = await startNodeAgent({
    kubeconfigPath: kube.kubeconfigPath,
    localize: (pod) => localizePod(pod, { projectDir: REPO_ROOT, nodePath: process.execPath, executorImage: EXECUTOR }),
  });
  const kubeconfig = await kube.kubeconfigFor(ACCOUNT, ['system:serviceaccounts', `system:serviceaccounts:${RELEASE_NS}`]);
  const io = { cwd: REPO_ROOT, env: {}, stdout: { write: () => true }, stderr: { write: () => true } } as CliIO;
  const target = openClusterTarget(io, { kubeconfig });
  recording = new RecordingKubeClient(target.client);
  cluster = openServeCluster(
    { ...target, client: recording as unknown as typeof target.client },
    {
      controller: 'embedded',
      namespaces: ['ci'],
      executorImage: EXECUTOR,
      identity: 'serve-ns-test',
      lease: { leaseNamespace: RELEASE_NS, leaseDurationSeconds: 2, retryPeriodMs: 200, renewDeadlineMs: 1500 },
      log: (line) => clusterLog.push(line),
    },
  );
  h = await GitHubAppHarness.start({ planClient: () => cluster.client, launcher: cluster.launcher, runUpdateIntervalMs: 20 });
});
afterEach(() => h.github.assertNoViolations());
after(async () => {
  await h?.close();
  await cluster?.close();
  await agent?.stop();
  await kube?.stop();
});

test('serve -n ci as the chart’s ServiceAccount runs a push in ci, with no call refused and none outside ci', { timeout: 120_000 }, async () => {
  const repo = await h.github.createRepo('acme/flows', { '.skiff.yml': CONFIG, 'workflows/hello.yaml': HELLO() });
  const delivery = await h.github.webhooks.push('acme/flows', { ref: 'refs/heads/main', before: '0'.repeat(40), after: repo.commit });
  assert.equal(delivery.status, 202);
  await h.server.runsSettled();
  const [hello, ...others] = h.checkRuns('skiff / hello');
  assert.equal(others.length, 0);
  assert.equal(hello!.conclusion, 'success', `${hello!.output.summary}\n${clusterLog.join('\n')}\n${h.logs.join('\n')}`);
  assert.match(hello!.externalId ?? '', /^ci\/hello-/);
  assert.ok(
    clusterLog.some((line) => line.includes('serve-ns-test leads')),
    clusterLog.join('\n'),
  );

  const refused = recording.calls.filter((call) => call.error?.startsWith('KubeForbiddenError'));
  assert.deepEqual(refused, [], JSON.stringify(refused, null, 1));
  for (const verb of ['list', 'watch'])
    assert.ok(
      recording.calls.some((call) => call.verb === verb && call.kind === 'Workflow' && call.namespace === 'ci'),
      `${verb} Workflows in ci`,
    );
  const outside = recording.calls.filter(
    (call) =>
      !call.kind.startsWith('Cluster') && call.verb !== 'impersonate' && call.namespace !== 'ci' && !(call.kind === 'Lease' && call.namespace === RELEASE_NS),
  );
  assert.deepEqual(outside, [], 'no call to another namespace, nor across every namespace');
});

test('a workflow naming a namespace serve does not manage starts nothing; its check run says why', { timeout: 120_000 }, async () => {
  // The repository allows namespace `other`; serve does not manage it.
  const config = CONFIG.replace('namespace: ci\n', 'namespace: ci\nnamespaces: [other]\n');
  const repo = await h.github.createRepo('acme/elsewhere', { '.skiff.yml': config, 'workflows/hello.yaml': HELLO('other') });
  const delivery = await h.github.webhooks.push('acme/elsewhere', { ref: 'refs/heads/main', before: '0'.repeat(40), after: repo.commit });
  assert.equal(delivery.status, 202);
  await h.server.runsSettled();
  const runs = h.checkRuns('skiff / hello').filter((run) => run.headSha === repo.commit);
  const seen = JSON.stringify(
    h
      .checkRuns()
      .filter((run) => run.headSha === repo.commit)
      .map((run) => [run.name, run.conclusion, run.output]),
    null,
    1,
  );
  assert.equal(runs.length, 1, `${seen}\n${h.logs.join('\n')}`);
  assert.equal(runs[0]!.conclusion, 'failure');
  assert.equal(runs[0]!.output.title, 'Could not start');
  assert.match(runs[0]!.output.summary ?? '', /namespace "other" is not one this server runs workflows in/);
  assert.deepEqual((await admin.list('argoproj.io/v1alpha1', 'Workflow', 'other')).items, []);
});
