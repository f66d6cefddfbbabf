// skiff serve against a cluster, through the same code path as on one machine: the fake GitHub, the
// real git server, a real kube-apiserver and the node agent (standing in for a kubelet). A push
// applies the repository's WorkflowTemplate to the cluster (read back from the API) and runs the
// push workflow as a Workflow labelled with Skiff's instance id, driven by the controller embedded
// in the server, to a completed success check run that followed the Workflow by a watch; a PR
// gets its plan computed against the cluster.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { CliIO } from '../../src/cli/cli-io.js';
import { openClusterTarget } from '../../src/cli/cluster-target.js';
import { openServeCluster, type ServeCluster } from '../../src/cli/serve-cluster.js';
import type { KubeConnection } from '../../src/kube/kube-connection.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import { WatchObjects } from '../../src/kube/watch-objects.js';
import { localizePod } from '../../src/runtime/local/localize-pod.js';
import type { KubernetesObject } from '../../src/spec/model/kubernetes.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import { REPO_ROOT, startSkiffKube, type KubeEnv } from '../env/kube/index.js';
import { startNodeAgent, type NodeAgent } from '../env/node-agent/start-node-agent.js';
import { GitHubAppHarness } from '../helpers/github-app-harness.js';

const EXECUTOR = 'ghcr.io/skiff/skiff:test';
const CONFIG = 'paths: [workflows]\nnamespace: ci\non:\n  push: {branches: [main]}\n';
const GREET = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: greet-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: hello, templateRef: {name: shared, template: echo}}
    - - {name: goodbye, templateRef: {name: shared, template: echo}}
`;
const TEMPLATE = (word: string) => `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: shared}
spec:
  templates:
  - name: echo
    container: {image: alpine, command: [echo, ${word}]}
`;

let kube: KubeEnv;
let client: KubeConnection;
let agent: NodeAgent;
let cluster: ServeCluster;
let h: GitHubAppHarness;
const clusterLog: string[] = [];
/** Workflow GETs the server made, and the changes the API server reported, by run: a watched run is read on a change, not on a timer. */
const reads = new Map<string, number>();
const changes = new Map<string, number>();
let workflowWatch: WatchObjects<Workflow>;
const bump = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

before(async () => {
  ({ kube, client } = await startSkiffKube());
  await serverSideApply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ci' } });
  agent = await startNodeAgent({
    kubeconfigPath: kube.kubeconfigPath,
    localize: (pod) => localizePod(pod, { projectDir: REPO_ROOT, nodePath: process.execPath, executorImage: EXECUTOR }),
  });
  const io = { cwd: REPO_ROOT, env: {}, stdout: { write: () => true }, stderr: { write: () => true } } as CliIO;
  const target = openClusterTarget(io, { kubeconfig: kube.kubeconfigPath });
  const get = target.client.get.bind(target.client);
  target.client.get = (async (ref: Parameters<typeof get>[0]) => {
    if (ref.kind === 'Workflow') bump(reads, `${ref.namespace}/${ref.name}`);
    return get(ref);
  }) as typeof get;
  cluster = openServeCluster(target, {
    controller: 'embedded',
    executorImage: EXECUTOR,
    identity: 'serve-test',
    lease: { leaseDurationSeconds: 2, retryPeriodMs: 200, renewDeadlineMs: 1500 },
    log: (line) => clusterLog.push(line),
  });
  workflowWatch = new WatchObjects<Workflow>(client, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    onEvent: ({ object }) => bump(changes, `${object.metadata.namespace}/${object.metadata.name}`),
  });
  await workflowWatch.start();
  // A short interval: were check runs following runs on a timer, they would read each run every 20 ms.
  h = await GitHubAppHarness.start({ planClient: () => cluster.client, launcher: cluster.launcher, runUpdateIntervalMs: 20 });
});
afterEach(() => h.github.assertNoViolations());
after(async () => {
  await h?.close();
  workflowWatch?.close();
  await cluster?.close();
  await agent?.stop();
  await kube?.stop();
});

test('a push applies the WorkflowTemplate to the cluster and runs the push workflow there to a success check run', { timeout: 120_000 }, async () => {
  const repo = await h.github.createRepo('acme/flows', {
    '.skiff.yml': CONFIG,
    'workflows/greet.yaml': GREET,
    'workflows/shared.yaml': TEMPLATE('hello'),
  });
  const started = Date.now();
  const delivery = await h.github.webhooks.push('acme/flows', { ref: 'refs/heads/main', before: '0'.repeat(40), after: repo.commit });
  assert.equal(delivery.status, 202);
  await h.server.runsSettled();
  const elapsedMs = Date.now() - started;
  assert.deepEqual(h.logs, []);

  const sync = h.checkRuns('skiff / sync');
  assert.equal(sync.length, 1);
  assert.equal(sync[0]!.conclusion, 'success', sync[0]!.output.summary ?? '');
  const template = await client.get<KubernetesObject & { spec: { templates: Array<{ container?: { command?: string[] } }> } }>({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowTemplate',
    namespace: 'ci',
    name: 'shared',
  });
  assert.deepEqual(template.spec.templates[0]?.container?.command, ['echo', 'hello'], 'the template is in the cluster');
  assert.equal(template.metadata?.annotations?.['skiff.dev/commit'], repo.commit);

  const [greet, ...others] = h.checkRuns('skiff / greet');
  assert.equal(others.length, 0);
  assert.equal(greet!.status, 'completed');
  assert.equal(greet!.conclusion, 'success', `${greet!.output.summary}\n${clusterLog.join('\n')}`);
  assert.match(greet!.output.summary ?? '', /\| hello \| Succeeded \|/);
  assert.match(greet!.output.summary ?? '', /\| goodbye \| Succeeded \|/);
  const key = greet!.externalId ?? '';
  assert.match(key, /^ci\/greet-/);
  const [namespace, name] = key.split('/');
  const live = await client.get<Workflow>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: namespace!, name: name! });
  assert.equal(live.metadata.labels?.['workflows.argoproj.io/controller-instanceid'], 'skiff', 'a Workflow of Skiff’s instance id');
  assert.equal(live.metadata.labels?.['workflows.argoproj.io/phase'], 'Succeeded', 'driven by the embedded controller');
  assert.ok(
    clusterLog.some((l) => l.includes('serve-test leads')),
    clusterLog.join('\n'),
  );
  // Followed by the watch: the run's Workflow is read when the API server reports a change (and by
  // the launcher's other work: the run's secrets, the PR comment), never every 20 ms.
  const readCount = reads.get(key) ?? 0;
  const changeCount = changes.get(key) ?? 0;
  assert.ok(readCount >= 2, `read while running: ${readCount}`);
  assert.ok(readCount <= 2 * changeCount + 4, `${readCount} reads for ${changeCount} changes`);
  assert.ok(elapsedMs / 20 > 3 * readCount, `a 20 ms timer would read ${Math.round(elapsedMs / 20)} times; the watch read ${readCount} times`);
});

test('a PR gets its plan computed against the cluster: what the cluster has is a change, not a create', { timeout: 120_000 }, async () => {
  const headSha = await h.github.pushCommit('acme/flows', 'reword', { 'workflows/shared.yaml': TEMPLATE('bonjour') });
  const pull = await h.github.openPullRequest('acme/flows', { head: 'reword', user: 'bob' });
  assert.equal((await h.github.webhooks.pullRequest('opened', 'acme/flows', pull.number)).status, 202);
  await h.server.idle();
  const [plan, ...more] = h.checkRuns('skiff / plan').filter((r) => r.headSha === headSha);
  assert.equal(more.length, 0);
  assert.equal(plan!.conclusion, 'success', plan!.output.summary ?? '');
  assert.match(plan!.output.title ?? '', /0 to create, 1 to change/);
  assert.match(plan!.output.summary ?? '', /WorkflowTemplate ci\/shared/);
  await h.server.runsSettled();
});
