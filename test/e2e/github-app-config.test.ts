// The repository config's GitHub settings against skiff serve, the fake GitHub and the real local
// runtime: path filters (paths and paths-ignore) on push and pull requests (a filtered-out
// workflow gets a skipped check with the reason), a Workflow's skiff.dev/on annotation, logs.excerptLines, commands.teams
// (an active member of a named team may command, a reader or a pending member may not), comment
// commands on commits answered on the commit, and config mistakes as a failing check on their line.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { GitHubAppHarness } from '../helpers/github-app-harness.js';
import { LocalRunStore } from '../../src/state/local-run-store.js';
import type { StoredRun } from '../../src/ports/run-store.js';

const CONFIG = `paths: [workflows]
namespace: ci
on:
  push: {branches: [main], paths: ['src/**']}
  pull_request: {workflows: [build], paths: ['src/**']}
commands: {teams: [acme/release, other/admins]}
logs: {excerptLines: 3}
`;
const BUILD = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: build-}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine, command: [sh, -c, 'for i in 1 2 3 4 5 6 7 8 9 10; do echo "line-$i"; done; exit 1']}
`;
const PR_ONLY = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: pr-only-
  annotations: {skiff.dev/on: "[pull_request]"}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine, command: [echo, only on pull requests]}
`;

let h: GitHubAppHarness;
/** The commit on main whose push ran build (it changed src/). */
let built: string;

before(async () => {
  h = await GitHubAppHarness.start();
  await h.github.createRepo('acme/flows', { '.skiff.yml': CONFIG, 'workflows/build.yaml': BUILD, 'workflows/pr-only.yaml': PR_ONLY });
  h.github.setCollaborator('acme/flows', 'bob', 'write');
  h.github.setTeamMember('acme/release', 'carol');
  h.github.setTeamMember('acme/release', 'dave', 'pending');
  h.github.setTeamMember('other/admins', 'frank');
});
afterEach(() => h.github.assertNoViolations());
after(async () => h?.close());

async function runsOf(sha: string): Promise<StoredRun[]> {
  const store = new LocalRunStore(h.stateDir);
  const runs: StoredRun[] = [];
  for (const key of await store.list()) {
    const run = await store.peek(key);
    if (run?.workflow.metadata?.labels?.['skiff.dev/commit'] === sha) runs.push(run);
  }
  return runs.sort((a, b) => a.key.localeCompare(b.key));
}
/** When each run's steps last finished: a retried step finishes again, one left alone does not. */
async function finishedTimes(sha: string): Promise<string[]> {
  return (await runsOf(sha)).flatMap((run) => Object.values(run.status.nodes).map((n) => `${run.key}/${n.displayName}:${n.finishedAt ?? ''}`));
}
const workflowOf = (run: StoredRun) => run.workflow.metadata?.annotations?.['skiff.dev/workflow'];
const checksAt = (sha: string, name: string) => h.checkRuns(name).filter((r) => r.headSha === sha);

async function push(files: Record<string, string>): Promise<string> {
  const before = h.github.state.repo('acme', 'flows');
  const old = await import('../env/git/run-git.js').then(({ runGit }) => runGit(['rev-parse', 'refs/heads/main'], { cwd: before.gitdir }));
  const sha = await h.github.pushCommit('acme/flows', 'main', files);
  assert.equal((await h.github.webhooks.push('acme/flows', { ref: 'refs/heads/main', before: old, after: sha })).status, 202);
  await h.server.runsSettled();
  return sha;
}

test('path filters: a push changing no matching file runs nothing and says so; one that does runs, showing logs.excerptLines lines', async () => {
  const docs = await push({ 'docs/guide.md': 'words\n' });
  assert.deepEqual(await runsOf(docs), [], 'nothing ran');
  const [skipped] = checksAt(docs, 'skiff / build');
  assert.ok(skipped, h.logs.join('\n'));
  assert.equal(skipped.conclusion, 'skipped');
  assert.match(skipped.output.summary ?? '', /no file this push changes matches on\.push\.paths of \.skiff\.yml/);
  assert.deepEqual(checksAt(docs, 'skiff / pr-only'), [], 'a pull_request-only Workflow has no business on a push');

  built = await push({ 'src/app.txt': 'code\n' });
  const runs = await runsOf(built);
  assert.deepEqual(runs.map(workflowOf), ['build'], 'build ran; the Workflow annotated for pull requests did not');
  const [check] = checksAt(built, 'skiff / build');
  assert.equal(check?.conclusion, 'failure');
  const text = check!.output.text ?? '';
  assert.match(text, /line-8\nline-9\nline-10/);
  assert.doesNotMatch(text, /line-7\b/, 'only the last 3 lines, as logs.excerptLines says');
});

test('paths-ignore: a push changing only ignored files is skipped naming the filter; one changing any other file runs', async () => {
  const config = "paths: [workflows]\nnamespace: ci\non:\n  push: {branches: [main], paths-ignore: ['docs/**', '**/*.md']}\n";
  const hello = BUILD.replace('build-', 'hello-').replace(/command: \[sh.*\]\}/, 'command: [echo, hello]}');
  await h.github.createRepo('acme/handbook', { '.skiff.yml': config, 'workflows/hello.yaml': hello });
  const pushTo = async (files: Record<string, string>) => {
    const before = await import('../env/git/run-git.js').then(({ runGit }) =>
      runGit(['rev-parse', 'refs/heads/main'], { cwd: h.github.state.repo('acme', 'handbook').gitdir }),
    );
    const sha = await h.github.pushCommit('acme/handbook', 'main', files);
    assert.equal((await h.github.webhooks.push('acme/handbook', { ref: 'refs/heads/main', before, after: sha })).status, 202);
    await h.server.runsSettled();
    return sha;
  };
  const docs = await pushTo({ 'docs/guide.md': 'words\n', 'NOTES.md': 'more words\n' });
  assert.deepEqual(await runsOf(docs), [], 'nothing ran');
  const [skipped] = checksAt(docs, 'skiff / hello');
  assert.ok(skipped, h.logs.join('\n'));
  assert.equal(skipped.conclusion, 'skipped');
  assert.match(skipped.output.summary ?? '', /every file this push changes matches on\.push\.paths-ignore of \.skiff\.yml/);

  const mixed = await pushTo({ 'docs/guide.md': 'changed\n', 'src/app.txt': 'code\n' });
  assert.deepEqual((await runsOf(mixed)).map(workflowOf), ['hello']);
  assert.equal(checksAt(mixed, 'skiff / hello')[0]?.conclusion, 'success');
});

test('a pull request runs its configured and its annotated Workflows when its files match, and neither when they do not', async () => {
  const head = await h.github.pushCommit('acme/flows', 'feature', { 'src/feature.txt': 'new\n' });
  const pull = await h.github.openPullRequest('acme/flows', { head: 'feature', user: 'bob' });
  await h.github.webhooks.pullRequest('opened', 'acme/flows', pull.number);
  await h.server.runsSettled();
  assert.deepEqual((await runsOf(head)).map(workflowOf).sort(), ['build', 'pr-only']);
  assert.equal(checksAt(head, 'skiff / pr-only')[0]?.conclusion, 'success');

  const docsHead = await h.github.pushCommit('acme/flows', 'docs-only', { 'docs/more.md': 'text\n' });
  const docsPull = await h.github.openPullRequest('acme/flows', { head: 'docs-only', user: 'bob' });
  await h.github.webhooks.pullRequest('opened', 'acme/flows', docsPull.number);
  await h.server.runsSettled();
  assert.deepEqual(await runsOf(docsHead), []);
  for (const name of ['skiff / build', 'skiff / pr-only']) {
    const [check] = checksAt(docsHead, name);
    assert.equal(check?.conclusion, 'skipped', name);
    assert.match(check!.output.summary ?? '', /^Not run: no file this pull request changes matches on\.pull\\_request\.paths of \.skiff\.yml/);
  }

  // commands.teams: an active member of acme/release may retry without write access; others may not.
  const comment = async (login: string, body: string) => {
    const made = h.github.addComment('acme/flows', pull.number, login, body);
    assert.equal((await h.github.webhooks.issueComment('created', 'acme/flows', made.id)).status, 202);
    await h.server.runsSettled();
    return [...h.github.state.comments.values()].at(-1)!;
  };
  const before = await finishedTimes(head);
  for (const login of ['erin', 'dave', 'frank']) {
    const refusal = await comment(login, '/skiff retry');
    assert.equal(refusal.user.login, h.github.app.botLogin);
    assert.match(
      refusal.body,
      new RegExp(`@${login}: only people with write access to this repository \\(or in a team its config names under commands.teams\\)`),
    );
    assert.deepEqual(await finishedTimes(head), before, `nothing ran for ${login}`);
  }
  const reply = await comment('carol', '/skiff retry build');
  assert.match(reply.body, /@carol: retry of commit .*\n\n- build: retrying the failed steps/);
  const after = await finishedTimes(head);
  assert.notDeepEqual(after, before, "the team member's retry ran the failed step again");
  assert.equal(checksAt(head, 'skiff / build').length, 1, 'on the same check run');
  // The buttons follow the same rule.
  const [check] = checksAt(head, 'skiff / build');
  for (const [sender, runs] of [
    ['erin', false],
    ['carol', true],
  ] as const) {
    const before = await finishedTimes(head);
    const pressed = await h.github.webhooks.checkRun('requested_action', 'acme/flows', check!.id, { identifier: 'skiff-retry-failed', sender });
    assert.equal(pressed.status, 202);
    await h.server.runsSettled();
    if (runs) assert.notDeepEqual(await finishedTimes(head), before, `${sender}'s press retried`);
    else assert.deepEqual(await finishedTimes(head), before, `${sender}'s press did nothing`);
  }
  assert.ok(h.logs.some((l) => /erin has no write access and is in no team of commands\.teams/.test(l)));
  const membership = h.github.requests.filter((r) => r.operationId === 'teams/get-membership-for-user-in-org');
  assert.ok(membership.some((r) => r.path.includes('/orgs/acme/teams/release/memberships/carol')));
  assert.ok(!membership.some((r) => r.path.includes('/orgs/other/')), "another organization's team is never asked about");
});

test('commands on a commit: acknowledged and answered on the commit, for writers only; a run only of a default-branch commit', async () => {
  const commitComment = async (sha: string, login: string, body: string) => {
    const made = h.github.addCommitComment('acme/flows', sha, login, body, { path: 'src/app.txt', line: 1 });
    assert.equal((await h.github.webhooks.commitComment('acme/flows', made.id)).status, 202);
    await h.server.runsSettled();
    const reactions = [...h.github.state.reactions.values()].filter((r) => r.commentId === made.id);
    assert.deepEqual(
      reactions.map((r) => [r.user.login, r.content]),
      [[h.github.app.botLogin, 'eyes']],
    );
    const replies = [...h.github.state.commitComments.values()].filter((c) => c.user.login === h.github.app.botLogin);
    const last = replies.at(-1)!;
    assert.equal(last.commitId, sha, 'answered on the same commit');
    return last.body;
  };

  assert.match(await commitComment(built, 'erin', '/skiff retry'), /@erin: only people with write access/);
  const before = await finishedTimes(built);
  assert.match(await commitComment(built, 'bob', 'Flaky?\n/skiff retry'), /@bob: retry of commit .*\n\n- build: retrying the failed steps/);
  assert.notDeepEqual(await finishedTimes(built), before);
  assert.match(await commitComment(built, 'bob', '/skiff help'), /Skiff commands/);
  assert.match(await commitComment(built, 'bob', '/skiff cancel'), /no run is going for commit/);
  assert.match(await commitComment(built, 'bob', '/skiff ok-to-test'), /comment it on the pull request/);
  assert.match(await commitComment(built, 'carol', '/skiff run build'), /started build for commit/);
  assert.equal((await runsOf(built)).length, 2);
  await push({ 'docs/later.md': 'later\n' }); // main moves on: `built` is no longer its tip

  // A commit only a pull request's branch holds is never run from a commit comment, even once
  // Skiff has fetched it to check that pull request.
  const side = await h.github.pushCommit('acme/flows', 'side', { 'src/side.txt': 'x\n', 'workflows/build.yaml': BUILD.replace('line-$i', 'side-$i') });
  const sidePull = await h.github.openPullRequest('acme/flows', { head: 'side', user: 'bob' });
  await h.github.webhooks.pullRequest('opened', 'acme/flows', sidePull.number);
  await h.server.runsSettled();
  const ran = (await runsOf(side)).length;
  assert.match(await commitComment(side, 'bob', '/skiff run build'), /is not on main; a commit comment runs only the default branch's commits/);
  assert.equal((await runsOf(side)).length, ran, 'nothing more ran');
  // An older commit of main is on main.
  assert.match(await commitComment(built, 'bob', '/skiff run build'), /started build for commit/);
});

test("attacker: a pull request naming its author's team in its own config gains no commands: who may command comes from the default branch", async () => {
  h.github.setTeamMember('acme/outsiders', 'mallory');
  const grabbed = CONFIG.replace('teams: [acme/release, other/admins]', 'teams: [acme/release, acme/outsiders]');
  const head = await h.github.pushCommit('acme/flows', 'grab', { '.skiff.yml': grabbed, 'src/grab.txt': 'x\n' });
  const pull = await h.github.openPullRequest('acme/flows', { head: 'grab', user: 'mallory' });
  await h.github.webhooks.pullRequest('opened', 'acme/flows', pull.number);
  await h.server.runsSettled();
  const before = await finishedTimes(head);
  const made = h.github.addComment('acme/flows', pull.number, 'mallory', '/skiff run build');
  await h.github.webhooks.issueComment('created', 'acme/flows', made.id);
  await h.server.runsSettled();
  assert.match([...h.github.state.comments.values()].at(-1)!.body, /@mallory: only people with write access/);
  assert.deepEqual(await finishedTimes(head), before, 'nothing ran');
  assert.ok(!h.github.requests.some((r) => r.path.includes('/teams/outsiders/')), "the pull request's config was never asked");
});

test('mistakes in the new settings fail skiff / lint on their lines; nothing runs', async () => {
  const broken = `${CONFIG.replace("paths: ['src/**']}", "paths: ['../**']}").replace('excerptLines: 3', 'excerptLines: 0')}`;
  const sha = await push({ '.skiff.yml': broken, 'src/app.txt': 'again\n' });
  const [lint] = checksAt(sha, 'skiff / lint');
  assert.equal(lint?.conclusion, 'failure');
  const found = lint!.annotations.map((a) => `${a.path}:${a.start_line} ${a.message}`);
  assert.ok(
    found.some((a) => /^\.skiff\.yml:4 path glob "\.\.\/\*\*" must name files inside the repository/.test(a)),
    found.join('\n'),
  );
  assert.ok(
    found.some((a) => /^\.skiff\.yml:7 logs\.excerptLines must be a whole number from 1 to 500/.test(a)),
    found.join('\n'),
  );
  assert.deepEqual(await runsOf(sha), []);
});
