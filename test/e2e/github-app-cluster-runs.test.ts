// skiff serve against a cluster, what a run's check run shows and how it is retried from GitHub:
// the fake GitHub, the real git server, a real kube-apiserver, the node agent (standing in for a
// kubelet) and MinIO as the namespace's artifact repository. A failed step's check run shows the
// last lines of its pod's log with a Secret's value redacted (its base64 form too), a succeeded
// step's artifact link is presigned and downloads the artifact's bytes from MinIO; /skiff retry
// from a reader is refused and runs nothing, from a writer (and the Retry failed button) re-runs
// only the failed step on the same check run and PR comment.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { CliIO } from '../../src/cli/cli-io.js';
import { type ClusterTarget, openClusterTarget } from '../../src/cli/cluster-target.js';
import { openServeCluster, type ServeCluster } from '../../src/cli/serve-cluster.js';
import type { KubeConnection } from '../../src/kube/kube-connection.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import type { StoredRun } from '../../src/ports/run-store.js';
import { COMMENT_MARKER } from '../../src/report/pull-request-comment.js';
import { localizePod } from '../../src/runtime/local/localize-pod.js';
import { clusterArtifactPlaces, RunArtifactLinks } from '../../src/server/run-page/run-artifact-links.js';
import { RunLinkSigner } from '../../src/server/run-page/run-link-signer.js';
import type { KubernetesObject } from '../../src/spec/model/kubernetes.js';
import { REPO_ROOT, startSkiffKube, type KubeEnv } from '../env/kube/index.js';
import { startMinio, type MinioServer } from '../env/minio/start-minio.js';
import { startNodeAgent, type NodeAgent } from '../env/node-agent/start-node-agent.js';
import { GitHubAppHarness } from '../helpers/github-app-harness.js';
import { createMinioRepository } from '../helpers/minio-repository.js';

const EXECUTOR = 'ghcr.io/skiff/skiff:test';
const SECRET = 'hunter2-cluster-s3cr3t';
const ARTIFACT = 'artifact bytes from a cluster step\n';
const CONFIG = 'paths: [workflows]\nnamespace: ci\nartifacts: {linkLifetime: 2h}\non:\n  pull_request: {workflows: [build]}\n';
// Each run of a step logs a fresh random number: a step that ran again says something new.
const BUILD = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: build-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: make, template: make}
    - - {name: leak, template: leak}
  - name: make
    container:
      image: alpine
      command: [sh, -c, "printf '${ARTIFACT.replace('\n', '\\\\n')}' > /tmp/out.bin; echo made $(od -An -N8 -tx8 /dev/urandom)"]
    outputs:
      artifacts: [{name: out, path: /tmp/out.bin, archive: {none: {}}}]
  - name: leak
    container:
      image: alpine
      env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: deploy-creds, key: token}}}]
      command: [sh, -c, 'echo "token is $TOKEN"; printf %s "$TOKEN" | base64; echo "leaked $(od -An -N8 -tx8 /dev/urandom)"; exit 3']
`;

let kube: KubeEnv;
let client: KubeConnection;
let agent: NodeAgent;
let minio: MinioServer;
let target: ClusterTarget;
let cluster: ServeCluster;
let h: GitHubAppHarness;
let pr: { number: number; headSha: string };
const clusterLog: string[] = [];

before(async () => {
  ({ kube, client } = await startSkiffKube());
  minio = await startMinio();
  await serverSideApply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ci' } });
  await createMinioRepository(client, minio, 'ci');
  await client.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'deploy-creds', namespace: 'ci' },
    stringData: { token: SECRET },
  } as KubernetesObject);
  agent = await startNodeAgent({
    kubeconfigPath: kube.kubeconfigPath,
    localize: (pod) => localizePod(pod, { projectDir: REPO_ROOT, nodePath: process.execPath, executorImage: EXECUTOR }),
  });
  const io = { cwd: REPO_ROOT, env: {}, stdout: { write: () => true }, stderr: { write: () => true } } as CliIO;
  target = openClusterTarget(io, { kubeconfig: kube.kubeconfigPath });
  cluster = openServeCluster(target, {
    controller: 'embedded',
    executorImage: EXECUTOR,
    identity: 'serve-runs-test',
    lease: { leaseDurationSeconds: 2, retryPeriodMs: 200, renewDeadlineMs: 1500 },
    log: (line) => clusterLog.push(line),
  });
  h = await GitHubAppHarness.start({
    planClient: () => cluster.client,
    launcher: cluster.launcher,
    // As skiff serve --kubeconfig makes them: S3 links presigned with the keys of the namespace's Secret.
    artifactLinks: new RunArtifactLinks(clusterArtifactPlaces(target.objects), { signer: new RunLinkSigner(Buffer.alloc(32, 7)) }),
  });
  await h.github.createRepo('acme/flows', { '.skiff.yml': CONFIG, 'workflows/build.yaml': BUILD });
  h.github.setCollaborator('acme/flows', 'bob', 'write');
  const headSha = await h.github.pushCommit('acme/flows', 'feature', { 'README.md': 'change\n' });
  const pull = await h.github.openPullRequest('acme/flows', { head: 'feature', user: 'alice' });
  pr = { number: pull.number, headSha };
});
afterEach(() => h.github.assertNoViolations());
after(async () => {
  await h?.close();
  await cluster?.close();
  await agent?.stop();
  await minio?.stop();
  await kube?.stop();
});

async function theRun(): Promise<StoredRun> {
  const runs = await cluster.launcher.find({ 'skiff.dev/commit': pr.headSha });
  assert.equal(runs.length, 1, 'one run of the head');
  return runs[0]!;
}
const step = (run: StoredRun, name: string) => Object.values(run.status.nodes).find((n) => n.displayName === name)!;
/** The step's pod's log, read through the API server. */
async function logOf(run: StoredRun, name: string): Promise<string> {
  return (await cluster.launcher.logTail(run, step(run, name), 50)) ?? '';
}
async function comment(login: string, body: string): Promise<void> {
  const made = h.github.addComment('acme/flows', pr.number, login, body);
  assert.equal((await h.github.webhooks.issueComment('created', 'acme/flows', made.id)).status, 202);
  await h.server.runsSettled();
}
const updatesOf = (id: number) => h.github.requests.filter((r) => r.operationId === 'checks/update' && r.path.endsWith(`/${id}`)).length;
const commentEdits = () => h.github.requests.filter((r) => r.operationId === 'issues/update-comment').length;
const leakedLine = (text: string) => /leaked +[0-9a-f]{16}/.exec(text)?.[0];

test("a failed cluster step's check run shows its pod's last log lines, the Secret redacted, and a succeeded step's artifact downloads from MinIO", {
  timeout: 180_000,
}, async () => {
  await h.github.webhooks.pullRequest('opened', 'acme/flows', pr.number);
  await h.server.runsSettled();
  const [check, ...others] = h.checkRuns('skiff / build');
  assert.equal(others.length, 0);
  assert.ok(check, h.logs.join('\n'));
  assert.equal(check.conclusion, 'failure', `${check.output.summary}\n${clusterLog.join('\n')}`);
  assert.match(check.output.summary ?? '', /\| make \| Succeeded \|/);
  assert.match(check.output.summary ?? '', /\| leak \| Failed \|/);

  // The log excerpt comes from the pod, through the API server; the Secret never shows, base64 included.
  const text = check.output.text ?? '';
  assert.match(text, /### Logs of the failed steps/);
  assert.match(text, /token is \[redacted\]/, text);
  assert.ok(leakedLine(text), text);
  const shown = JSON.stringify(check.output);
  assert.ok(!shown.includes(SECRET), 'the secret never appears');
  assert.ok(!shown.includes(Buffer.from(SECRET).toString('base64').slice(0, 20)), 'nor its base64 form');
  assert.ok(!shown.includes('made '), 'only failed steps get excerpts');

  // The artifact link is presigned for MinIO, lives as the config said (2 h), and gives the bytes.
  const link = /\[make \/ out\]\((http[^)]+)\) \(valid until ([^)]+)\)/.exec(check.output.summary ?? '');
  assert.ok(link, check.output.summary ?? '');
  const url = new URL(link[1]!);
  assert.equal(url.origin, minio.endpoint);
  assert.equal(url.searchParams.get('X-Amz-Expires'), '7200');
  const response = await fetch(url);
  assert.equal(response.status, 200);
  assert.equal(Buffer.from(await response.arrayBuffer()).toString('utf8'), ARTIFACT);
  // The PR comment lists the same link.
  const prComment = [...h.github.state.comments.values()].filter((c) => c.body.startsWith(COMMENT_MARKER));
  assert.equal(prComment.length, 1);
  assert.match(prComment[0]!.body, /make \/ out/);
  assert.ok(!prComment[0]!.body.includes(SECRET));
});

test('/skiff retry from a reader is refused and runs nothing; from a writer, and the Retry failed button, only the failed cluster step runs again', {
  timeout: 240_000,
}, async () => {
  const [check] = h.checkRuns('skiff / build');
  assert.ok(check);
  const first = await theRun();
  const made = step(first, 'make');
  const madeLog = await logOf(first, 'make');
  assert.match(madeLog, /made +[0-9a-f]{16}/);
  const leaked = leakedLine(check.output.text ?? '');
  assert.equal(leakedLine(await logOf(first, 'leak')), leaked);

  await comment('alice', '/skiff retry');
  const refusal = [...h.github.state.comments.values()].at(-1)!;
  assert.equal(refusal.user.login, h.github.app.botLogin);
  assert.match(refusal.body, /only people with write access/);
  const unchanged = await theRun();
  assert.equal(step(unchanged, 'leak').finishedAt, step(first, 'leak').finishedAt, 'nothing ran');
  assert.equal(unchanged.status.phase, 'Failed');

  const updatesBefore = updatesOf(check.id);
  const editsBefore = commentEdits();
  await comment('bob', '/skiff retry');
  const reply = [...h.github.state.comments.values()].at(-1)!;
  assert.match(reply.body, /@bob: retry of commit .*\n\n- build: retrying the failed steps/);
  const retried = await theRun();
  assert.equal(retried.key, first.key, 'retried in place, the same Workflow');
  assert.equal(step(retried, 'make').finishedAt, made.finishedAt, 'the succeeded step did not run again');
  assert.equal(await logOf(retried, 'make'), madeLog);
  const leakedAgain = leakedLine(await logOf(retried, 'leak'));
  assert.ok(leakedAgain);
  assert.notEqual(leakedAgain, leaked, 'the failed step ran again');
  assert.equal(h.checkRuns('skiff / build').length, 1, 'the same check run, no new one');
  assert.ok(updatesOf(check.id) > updatesBefore, 'the check run was updated by the retry');
  assert.equal(check.conclusion, 'failure');
  assert.equal(leakedLine(check.output.text ?? ''), leakedAgain, "the check run shows the retried step's log");
  assert.ok(commentEdits() > editsBefore, 'the PR comment was updated');
  assert.equal([...h.github.state.comments.values()].filter((c) => c.body.startsWith(COMMENT_MARKER)).length, 1, 'one PR comment still');

  // The Retry failed button does the same; a reader pressing it changes nothing.
  await h.github.webhooks.checkRun('requested_action', 'acme/flows', check.id, { identifier: 'skiff-retry-failed', sender: 'bob' });
  await h.server.runsSettled();
  const pressed = await theRun();
  const leakedThird = leakedLine(await logOf(pressed, 'leak'));
  assert.ok(leakedThird);
  assert.notEqual(leakedThird, leakedAgain);
  assert.equal(step(pressed, 'make').finishedAt, made.finishedAt);
  assert.equal(leakedLine(check.output.text ?? ''), leakedThird);
  await h.github.webhooks.checkRun('requested_action', 'acme/flows', check.id, { identifier: 'skiff-retry-failed', sender: 'alice' });
  await h.server.runsSettled();
  assert.equal(step(await theRun(), 'leak').finishedAt, step(pressed, 'leak').finishedAt, "a reader's press runs nothing");
  assert.ok(h.logs.some((l) => /alice has no write access/.test(l)));
  assert.equal(h.checkRuns('skiff / build').length, 1);
});
