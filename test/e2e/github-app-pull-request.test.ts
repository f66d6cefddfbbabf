// Pull requests against skiff serve and the fake GitHub: skiff / lint with annotations on the
// right lines (more than 50 of them, batched), skiff / plan against the state directory, a fork's
// config from its base branch, and what a hostile pull request can and cannot do to the output.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { GitHubAppHarness } from '../helpers/github-app-harness.js';
import { runGit } from '../env/git/run-git.js';

const workflow = (name: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  generateName: ${name}-\nspec:\n  entrypoint: main\n  templates:\n  - name: main\n    container: {image: alpine, command: [echo, hi]}\n`;
const TEMPLATE = `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: build
spec:
  templates:
  - name: main
    container: {image: alpine, command: [echo, build]}
`;
const CONFIG = 'paths: [workflows]\nnamespace: ci\n';

let h: GitHubAppHarness;
let branch = 0;

before(async () => {
  h = await GitHubAppHarness.start();
  await h.github.createRepo('acme/flows', { '.skiff.yml': CONFIG, 'workflows/hello.yaml': workflow('hello') });
});
afterEach(() => h.github.assertNoViolations());
after(async () => h?.close());

/** Opens a PR with `changes` and delivers `pull_request.opened`; returns its head and the finished checks. */
async function openPr(changes: Record<string, string | null>, options: { fork?: boolean } = {}) {
  const head = `change-${++branch}`;
  const headSha = await h.github.pushCommit('acme/flows', head, changes);
  const pull = await h.github.openPullRequest('acme/flows', { head, user: 'alice' });
  if (options.fork) {
    const repo = h.github.state.repo('acme', 'flows');
    const payload = h.github.webhooks.payloads.pullRequest('opened', repo, h.github.state.pull(repo, pull.number), [], 1);
    const pr = payload.pull_request as { head: { repo: Record<string, unknown> } };
    pr.head.repo = { ...pr.head.repo, full_name: 'mallory/flows', fork: true };
    assert.equal((await h.github.webhooks.send('pull_request', payload)).status, 202);
  } else {
    assert.equal((await h.github.webhooks.pullRequest('opened', 'acme/flows', pull.number)).status, 202);
  }
  await h.server.idle();
  const check = (name: string) => {
    const runs = h.checkRuns(name).filter((r) => r.headSha === headSha);
    assert.equal(runs.length, 1, `one ${name} for ${headSha}: ${h.logs.join('\n')}`);
    return runs[0]!;
  };
  return { headSha, number: pull.number, lint: check('skiff / lint'), plan: check('skiff / plan') };
}

test('a PR with a lint error gets a failing skiff / lint with an annotation on the line', async () => {
  const broken = workflow('broken').replace('    container:', '    bogusField: 1\n    container:');
  const { lint, plan } = await openPr({ 'workflows/broken.yaml': broken });
  assert.equal(lint.status, 'completed');
  assert.equal(lint.conclusion, 'failure', JSON.stringify(lint.output));
  const line = broken.split('\n').findIndex((l) => l.includes('bogusField')) + 1;
  const annotation = lint.annotations.find((a) => a.path === 'workflows/broken.yaml');
  assert.ok(annotation, JSON.stringify(lint.annotations));
  assert.equal(annotation.start_line, line);
  assert.equal(annotation.annotation_level, 'failure');
  assert.match(annotation.message, /bogusField/);
  assert.match(lint.output.summary ?? '', /1 error/);
  assert.equal(plan.conclusion, 'neutral', 'nothing to plan from a repository that does not lint');
  assert.match(plan.output.summary ?? '', /does not lint/);
});

test('more than 50 diagnostics are all annotated, in batches of 50', async () => {
  const keys = Array.from({ length: 120 }, (_, i) => `    bogus${i}: 1`).join('\n');
  const broken = workflow('many').replace('    container:', `${keys}\n    container:`);
  const { lint } = await openPr({ 'workflows/many.yaml': broken });
  assert.equal(lint.conclusion, 'failure');
  const bogus = lint.annotations.filter((a) => /bogus\d+/.test(a.message));
  assert.equal(bogus.length, 120);
  assert.deepEqual(
    bogus.map((a) => a.start_line),
    Array.from({ length: 120 }, (_, i) => broken.split('\n').indexOf(`    bogus${i}: 1`) + 1),
  );
});

test('a valid PR passes lint and its plan says what merging creates', async () => {
  const { lint, plan } = await openPr({ 'workflows/build-template.yaml': TEMPLATE });
  assert.equal(lint.conclusion, 'success', lint.output.summary ?? '');
  assert.equal(plan.conclusion, 'success', plan.output.summary ?? '');
  assert.match(plan.output.title ?? '', /1 to create/);
  assert.match(plan.output.summary ?? '', /create \| `WorkflowTemplate ci\/build`/);
});

test("a fork's PR is checked with the base branch's config, not its own", async () => {
  // The fork widens the namespaces it may write to; the base branch's config does not allow it.
  const sneaky = TEMPLATE.replace('  name: build', '  name: build\n  namespace: kube-system');
  const { lint } = await openPr({ '.skiff.yml': `${CONFIG}namespaces: [kube-system]\n`, 'workflows/sneaky.yaml': sneaky }, { fork: true });
  assert.equal(lint.conclusion, 'failure');
  assert.ok(lint.annotations.some((a) => a.path === 'workflows/sneaky.yaml' && /kube-system/.test(a.message)));
});

test('attacker: YAML in a PR cannot inject Markdown or HTML into the check output', async () => {
  const evil = workflow('evil').replace('    container:', '    "<img src=x onerror=alert(1)> [click](https://evil.example) @acme/admins |": 1\n    container:');
  const { lint } = await openPr({ 'workflows/evil.yaml': evil });
  const summary = lint.output.summary ?? '';
  assert.equal(lint.conclusion, 'failure');
  assert.doesNotMatch(summary, /<img/);
  assert.doesNotMatch(summary, /\]\(https:/);
  assert.doesNotMatch(summary, /@acme/);
  assert.match(summary, /&lt;img src=x onerror=alert\\\(1\\\)&gt;/, 'shown, escaped');
});

test('attacker: a PR cannot make Skiff read files outside the repository', async () => {
  // Symlinks in git pointing out of the repository, and a config naming a path outside it.
  const head = `change-${++branch}`;
  const work = await mkdtemp(join(tmpdir(), 'skiff-symlink-'));
  try {
    const repo = h.github.state.repo('acme', 'flows');
    await runGit(['clone', '--quiet', repo.gitdir, work]);
    await runGit(['checkout', '--quiet', '-b', head], { cwd: work });
    await symlink('/etc/passwd', join(work, 'workflows', 'passwd.yaml'));
    await symlink('../../../../../../etc/hostname', join(work, 'workflows', 'hostname.yaml'));
    await runGit(['add', '--all'], { cwd: work });
    await runGit(['-c', 'user.name=m', '-c', 'user.email=m@x', 'commit', '--quiet', '-m', 'links'], { cwd: work });
    await runGit(['push', '--quiet', 'origin', `HEAD:refs/heads/${head}`], { cwd: work });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const headSha = await h.github.pushCommit('acme/flows', head, { 'notes.txt': 'links\n' });
  const pull = await h.github.openPullRequest('acme/flows', { head, user: 'mallory' });
  await h.github.webhooks.pullRequest('opened', 'acme/flows', pull.number);
  await h.server.idle();
  const checks = h.checkRuns().filter((r) => r.headSha === headSha);
  assert.equal(checks.length, 2);
  const everything = JSON.stringify(checks.map((c) => [c.output, c.annotations]));
  assert.doesNotMatch(everything, /root:x:0:0/, 'no byte of /etc/passwd');
  const lintRun = checks.find((c) => c.name === 'skiff / lint')!;
  assert.equal(lintRun.conclusion, 'failure');
  for (const link of ['workflows/passwd.yaml', 'workflows/hostname.yaml']) {
    assert.ok(
      lintRun.annotations.some((a) => a.path === link && a.annotation_level === 'failure' && /link/.test(a.message)),
      JSON.stringify(lintRun.annotations),
    );
  }
  // A config naming paths outside the repository is refused on its line.
  const { lint } = await openPr({ '.skiff.yml': 'paths: [workflows, ../../../etc, /etc]\nnamespace: ci\n' });
  assert.equal(lint.conclusion, 'failure');
  assert.deepEqual(
    lint.annotations.map((a) => [a.path, a.start_line, /inside it/.test(a.message)]),
    [
      ['.skiff.yml', 1, true],
      ['.skiff.yml', 1, true],
    ],
  );
});

test("a private repository is read with the installation's token", async () => {
  await h.github.createRepo('acme/private-flows', { '.skiff.yml': CONFIG, 'workflows/hello.yaml': workflow('hello') }, { private: true });
  const headSha = await h.github.pushCommit('acme/private-flows', 'feature', { 'workflows/build-template.yaml': TEMPLATE });
  const pull = await h.github.openPullRequest('acme/private-flows', { head: 'feature' });
  assert.equal((await h.github.webhooks.pullRequest('opened', 'acme/private-flows', pull.number)).status, 202);
  await h.server.idle();
  const lint = h.checkRuns('skiff / lint').find((r) => r.headSha === headSha);
  assert.equal(lint?.conclusion, 'success', `${lint?.output.summary}\n${h.logs.join('\n')}`);
  assert.match(h.checkRuns('skiff / plan').find((r) => r.headSha === headSha)?.output.title ?? '', /1 to create/);
});

test('"Re-run" on skiff / lint checks the pull request again', async () => {
  const { headSha, lint } = await openPr({ 'workflows/again.yaml': workflow('again') });
  assert.equal(lint.conclusion, 'success');
  assert.equal((await h.github.webhooks.checkRun('rerequested', 'acme/flows', lint.id)).status, 202);
  await h.server.idle();
  const runs = h.checkRuns('skiff / lint').filter((r) => r.headSha === headSha);
  assert.equal(runs.length, 2, h.logs.join('\n'));
  assert.equal(runs[1]!.conclusion, 'success');
  assert.equal(h.checkRuns('skiff / plan').filter((r) => r.headSha === headSha).length, 2);
});

test("a merge group gets the pull-request checks on the merge queue's commit", async () => {
  const queueBranch = 'gh-readonly-queue/main/pr-9-abc';
  const headSha = await h.github.pushCommit('acme/flows', queueBranch, { 'workflows/queued.yaml': workflow('queued') });
  const repo = h.github.state.repo('acme', 'flows');
  const base = h.github.webhooks.payloads.pullRequest('opened', repo, h.github.state.pull(repo, 1), [], 1);
  const payload = {
    action: 'checks_requested',
    merge_group: {
      head_sha: headSha,
      head_ref: `refs/heads/${queueBranch}`,
      base_sha: (base.pull_request as { base: { sha: string } }).base.sha,
      base_ref: 'refs/heads/main',
    },
    repository: base.repository,
    installation: base.installation,
    sender: base.sender,
  };
  assert.equal((await h.github.webhooks.send('merge_group', payload)).status, 202);
  await h.server.idle();
  assert.equal(h.checkRuns('skiff / lint').find((r) => r.headSha === headSha)?.conclusion, 'success', h.logs.join('\n'));
  assert.equal(h.checkRuns('skiff / plan').find((r) => r.headSha === headSha)?.conclusion, 'success');
});

test('"Re-run all checks" (check_suite.rerequested) checks the pull request\'s head again', async () => {
  const { headSha, number, lint } = await openPr({ 'workflows/suite.yaml': workflow('suite') });
  const repo = h.github.state.repo('acme', 'flows');
  const checkRun = h.github.webhooks.payloads.checkRun('rerequested', repo, h.github.state.checkRun(repo, lint.id), h.github.state.user('acme'));
  const pulls = (checkRun.check_run as { pull_requests: Array<{ number: number; head: { sha: string } }> }).pull_requests;
  assert.ok(pulls.some((p) => p.number === number && p.head.sha === headSha));
  const payload = {
    action: 'rerequested',
    check_suite: { ...(checkRun.check_run as { check_suite: Record<string, unknown> }).check_suite, head_sha: headSha, pull_requests: pulls },
    repository: checkRun.repository,
    installation: checkRun.installation,
    sender: checkRun.sender,
  };
  assert.equal((await h.github.webhooks.send('check_suite', payload)).status, 202);
  await h.server.idle();
  assert.equal(h.checkRuns('skiff / lint').filter((r) => r.headSha === headSha).length, 2, h.logs.join('\n'));
});

test('a private repository is fetched with a token made for it alone, read-only, and reused until it nears its expiry', async () => {
  await h.github.createRepo('acme/secret-flows', { '.skiff.yml': CONFIG, 'workflows/hello.yaml': workflow('hello') }, { private: true });
  const before = h.github.requests.length;
  for (let i = 0; i < 2; i++) {
    const head = `private-${i}`;
    const headSha = await h.github.pushCommit('acme/secret-flows', head, { [`workflows/more-${i}.yaml`]: workflow(`more-${i}`) });
    const pull = await h.github.openPullRequest('acme/secret-flows', { head, user: 'alice' });
    assert.equal((await h.github.webhooks.pullRequest('opened', 'acme/secret-flows', pull.number)).status, 202);
    await h.server.idle();
    const lint = h.checkRuns('skiff / lint').filter((r) => r.headSha === headSha);
    assert.equal(lint.length, 1, h.logs.join('\n'));
    assert.equal(lint[0]!.conclusion, 'success', h.logs.join('\n'));
  }
  const minted = h.github.requests.slice(before).filter((r) => r.operationId === 'apps/create-installation-access-token');
  // One token for both pull requests: made once, kept in memory.
  assert.equal(minted.length, 1);
  assert.deepEqual(minted[0]!.body, { repositories: ['secret-flows'], permissions: { contents: 'read' } });
});
