// Smoke test of the fake GitHub (test/env/github): a real Octokit (Probot's, authenticated as an
// installation through the JWT -> access-token flow) talks to it; requests that break GitHub's
// published OpenAPI description are refused and recorded; webhooks are signed; git clones work
// through the same host.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { verify } from '@octokit/webhooks-methods';
import { createNodeMiddleware, Probot, ProbotOctokit } from 'probot';
import { startFakeGitHub, type FakeGitHub } from '../env/github/start-fake-github.js';
import { createAppCredentials } from '../env/github/app-jwt.js';

const WORKFLOW = 'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  generateName: hello-\n';

// Throttling adds about a second per write and retries hide failures: both off (see FACTS.md).
const TestOctokit = ProbotOctokit.defaults((options: Record<string, any>) => ({
  ...options,
  throttle: { ...options.throttle, enabled: false },
  retry: { ...options.retry, enabled: false },
}));

let github: FakeGitHub;
let probot: Probot;
let octokit: InstanceType<typeof ProbotOctokit>;
let installationId: number;
let pr: { number: number; headSha: string };
let scratch: string;

before(async () => {
  const started = Date.now();
  github = await startFakeGitHub();
  console.log(`fake GitHub (OpenAPI ${github.contract.version}) started in ${Date.now() - started} ms at ${github.baseUrl}`);
  scratch = await mkdtemp(join(tmpdir(), 'skiff-github-smoke-'));
  const repo = await github.createRepo('acme/flows', { 'workflows/hello.yaml': WORKFLOW, 'README.md': '# flows\n' });
  installationId = repo.installationId!;
  const headSha = await github.pushCommit('acme/flows', 'feature', { 'workflows/second.yaml': WORKFLOW, 'README.md': null });
  const pull = await github.openPullRequest('acme/flows', { head: 'feature', title: 'Add a second workflow', user: 'alice' });
  pr = { number: pull.number, headSha };
  probot = new Probot({
    appId: github.app.id,
    privateKey: github.app.privateKey,
    secret: github.app.webhookSecret,
    baseUrl: github.baseUrl,
    Octokit: TestOctokit,
    // The wrongly signed delivery below is logged at error level, with its whole payload.
    logLevel: 'fatal',
  });
  octokit = await probot.auth(installationId);
});

afterEach(() => github.assertNoViolations());

after(async () => {
  await github?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test('an installation token comes from a JWT signed with the app key, and only from one', async () => {
  const { data: repo } = await octokit.rest.repos.get({ owner: 'acme', repo: 'flows' });
  assert.equal(repo.full_name, 'acme/flows');
  // Octokit asked for the token lazily, with the JWT, right before its first request.
  const tokenRequests = github.requests.filter((r) => r.operationId === 'apps/create-installation-access-token');
  assert.deepEqual(
    tokenRequests.map((r) => r.status),
    [201],
  );
  assert.equal(repo.clone_url, `${github.baseUrl}/acme/flows.git`);

  // Same app id, another key: GitHub refuses the JWT.
  const impostor = new Probot({
    appId: github.app.id,
    privateKey: createAppCredentials(github.app.id).privateKey,
    baseUrl: github.baseUrl,
    Octokit: TestOctokit,
    logLevel: 'fatal',
  });
  const impostorOctokit = await impostor.auth(installationId);
  await assert.rejects(impostorOctokit.rest.repos.get({ owner: 'acme', repo: 'flows' }), (err: { status?: number }) => err.status === 401);
  const taken = github.takeViolations();
  assert.equal(taken.length, 1);
  assert.equal(taken[0]?.kind, 'auth');
  assert.match(taken[0]?.message ?? '', /signature/);

  // A made-up installation token is no better.
  const stranger = new TestOctokit({ auth: { token: 'ghs_not-a-token' }, baseUrl: github.baseUrl });
  await assert.rejects(stranger.rest.repos.get({ owner: 'acme', repo: 'flows' }), (err: { status?: number }) => err.status === 401);
  const refused = github.takeViolations();
  assert.deepEqual(
    refused.map((v) => v.kind),
    ['auth'],
    refused.map((v) => v.message).join('\n'),
  );
});

test('a check run is created, annotated in batches, completed, and read back', async () => {
  const { data: created } = await octokit.rest.checks.create({
    owner: 'acme',
    repo: 'flows',
    name: 'skiff / lint',
    head_sha: pr.headSha,
    status: 'in_progress',
    external_id: 'run-1',
    actions: [{ label: 'Retry failed', description: 'Re-run the failed steps', identifier: 'retry' }],
  });
  assert.equal(created.status, 'in_progress');
  assert.equal(created.conclusion, null);
  assert.deepEqual(
    created.pull_requests.map((p) => p.number),
    [pr.number],
  );

  const annotation = (line: number) => ({
    path: 'workflows/second.yaml',
    start_line: line,
    end_line: line,
    annotation_level: 'warning' as const,
    message: `line ${line}`,
  });
  await octokit.rest.checks.update({
    owner: 'acme',
    repo: 'flows',
    check_run_id: created.id,
    output: { title: 'Lint', summary: 'first batch', annotations: Array.from({ length: 50 }, (_, i) => annotation(i + 1)) },
  });
  const { data: done } = await octokit.rest.checks.update({
    owner: 'acme',
    repo: 'flows',
    check_run_id: created.id,
    conclusion: 'failure',
    output: { title: 'Lint', summary: '2 problems', text: 'details', annotations: [annotation(51), annotation(52)] },
  });
  assert.equal(done.status, 'completed');
  assert.equal(done.conclusion, 'failure');
  assert.equal(done.output.annotations_count, 52);

  const { data: fetched } = await octokit.rest.checks.get({ owner: 'acme', repo: 'flows', check_run_id: created.id });
  assert.equal(fetched.output.summary, '2 problems');
  assert.ok(fetched.completed_at);
  const annotations = await octokit.paginate(octokit.rest.checks.listAnnotations, { owner: 'acme', repo: 'flows', check_run_id: created.id, per_page: 20 });
  assert.equal(annotations.length, 52, 'paginate follows the Link header over three pages');
  assert.equal(annotations[51]?.message, 'line 52');
  const { data: list } = await octokit.rest.checks.listForRef({ owner: 'acme', repo: 'flows', ref: 'feature' });
  assert.deepEqual(
    list.check_runs.map((r) => r.id),
    [created.id],
  );
  assert.equal(github.state.checkRuns.get(created.id)?.actions[0]?.identifier, 'retry');
});

test('a PR comment is posted, edited, listed and reacted to; PR, files, contents and permission read', async () => {
  const { data: comment } = await octokit.rest.issues.createComment({ owner: 'acme', repo: 'flows', issue_number: pr.number, body: 'Skiff: running' });
  assert.equal(comment.user?.login, github.app.botLogin);
  await octokit.rest.issues.updateComment({ owner: 'acme', repo: 'flows', comment_id: comment.id, body: 'Skiff: 2 steps failed' });
  const first = await octokit.rest.reactions.createForIssueComment({ owner: 'acme', repo: 'flows', comment_id: comment.id, content: 'eyes' });
  const again = await octokit.rest.reactions.createForIssueComment({ owner: 'acme', repo: 'flows', comment_id: comment.id, content: 'eyes' });
  assert.equal(first.status, 201);
  assert.equal(again.status, 200, 'the same reaction twice is the same reaction');
  const { data: comments } = await octokit.rest.issues.listComments({ owner: 'acme', repo: 'flows', issue_number: pr.number });
  assert.deepEqual(
    comments.map((c) => [c.id, c.body, c.reactions?.eyes]),
    [[comment.id, 'Skiff: 2 steps failed', 1]],
  );

  const { data: pull } = await octokit.rest.pulls.get({ owner: 'acme', repo: 'flows', pull_number: pr.number });
  assert.equal(pull.head.sha, pr.headSha);
  assert.equal(pull.changed_files, 2);
  const { data: files } = await octokit.rest.pulls.listFiles({ owner: 'acme', repo: 'flows', pull_number: pr.number });
  assert.deepEqual(files.map((f) => [f.filename, f.status]).sort(), [
    ['README.md', 'removed'],
    ['workflows/second.yaml', 'added'],
  ]);

  const { data: dir } = await octokit.rest.repos.getContent({ owner: 'acme', repo: 'flows', path: 'workflows', ref: pr.headSha });
  assert.ok(Array.isArray(dir));
  assert.deepEqual(
    dir.map((e) => [e.name, e.type]),
    [
      ['hello.yaml', 'file'],
      ['second.yaml', 'file'],
    ],
  );
  const { data: file } = await octokit.rest.repos.getContent({ owner: 'acme', repo: 'flows', path: 'workflows/second.yaml', ref: 'feature' });
  assert.ok(!Array.isArray(file) && file.type === 'file');
  assert.equal(Buffer.from(file.content, 'base64').toString('utf8'), WORKFLOW);
  await assert.rejects(
    octokit.rest.repos.getContent({ owner: 'acme', repo: 'flows', path: 'README.md', ref: 'feature' }),
    (err: { status?: number }) => err.status === 404,
  );

  github.setCollaborator('acme/flows', 'bob', 'write');
  const { data: bob } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner: 'acme', repo: 'flows', username: 'bob' });
  assert.equal(bob.permission, 'write');
  const { data: alice } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner: 'acme', repo: 'flows', username: 'alice' });
  assert.equal(alice.permission, 'read', 'a public repository is readable by anyone');

  await octokit.rest.repos.createCommitStatus({ owner: 'acme', repo: 'flows', sha: pr.headSha, state: 'pending', context: 'skiff' });
  const { data: combined } = await octokit.rest.repos.getCombinedStatusForRef({ owner: 'acme', repo: 'flows', ref: pr.headSha });
  assert.equal(combined.state, 'pending');
});

test('every implemented operation answers in the shape GitHub documents', async () => {
  // Each answer is validated against the description's response schema by the fake itself; a mismatch
  // would be a 'response' violation and fail this test in afterEach.
  const app = await probot.auth();
  const base = { owner: 'acme', repo: 'flows' };
  assert.equal((await app.rest.apps.getAuthenticated()).data?.id, github.app.id);
  assert.deepEqual(
    (await app.rest.apps.listInstallations()).data.map((i) => i.id),
    [installationId],
  );
  const { data: installation } = await app.rest.apps.getInstallation({ installation_id: installationId });
  assert.equal(installation.account && 'login' in installation.account ? installation.account.login : undefined, 'acme');
  assert.equal((await app.rest.apps.getRepoInstallation(base)).data.id, installationId);
  // (Octokit's app auth switches to the JWT for /app routes by itself, so use a bare token here.)
  const tokenOnly = new TestOctokit({ auth: { token: github.createInstallationToken(installationId) }, baseUrl: github.baseUrl });
  await assert.rejects(tokenOnly.rest.apps.getAuthenticated(), (err: { status?: number }) => err.status === 401, 'an installation token is no JWT');
  const refused = github.takeViolations();
  assert.deepEqual(
    refused.map((v) => v.kind),
    ['auth'],
    refused.map((v) => v.message).join('\n'),
  );

  const { data: root } = await octokit.rest.repos.getContent({ ...base, path: '' });
  assert.ok(Array.isArray(root));
  assert.deepEqual(
    root.map((e) => e.path),
    ['README.md', 'workflows'],
  );
  assert.deepEqual(
    (await octokit.rest.pulls.list(base)).data.map((p) => p.number),
    [pr.number],
  );

  const { data: comment } = await octokit.rest.issues.createComment({ ...base, issue_number: pr.number, body: 'to be deleted' });
  assert.equal((await octokit.rest.issues.getComment({ ...base, comment_id: comment.id })).data.body, 'to be deleted');
  const { data: rocket } = await octokit.rest.reactions.createForIssueComment({ ...base, comment_id: comment.id, content: 'rocket' });
  assert.deepEqual(
    (await octokit.rest.reactions.listForIssueComment({ ...base, comment_id: comment.id })).data.map((r) => r.content),
    ['rocket'],
  );
  await octokit.rest.reactions.deleteForIssueComment({ ...base, comment_id: comment.id, reaction_id: rocket.id });
  await octokit.rest.issues.deleteComment({ ...base, comment_id: comment.id });
  await assert.rejects(octokit.rest.issues.getComment({ ...base, comment_id: comment.id }), (err: { status?: number }) => err.status === 404);
  assert.equal((await octokit.rest.reactions.createForIssue({ ...base, issue_number: pr.number, content: '+1' })).status, 201);

  await octokit.rest.repos.createCommitStatus({ ...base, sha: pr.headSha, state: 'success', context: 'skiff/statuses' });
  assert.deepEqual((await octokit.rest.repos.listCommitStatusesForRef({ ...base, ref: 'feature' })).data.map((s) => s.context).sort(), [
    'skiff',
    'skiff/statuses',
  ]);

  // A person's comment may not be edited by the app: GitHub's 403, recorded.
  const human = github.addComment('acme/flows', pr.number, 'bob', 'mine');
  await assert.rejects(
    octokit.rest.issues.updateComment({ ...base, comment_id: human.id, body: 'hijacked' }),
    (err: { status?: number }) => err.status === 403,
  );
  assert.deepEqual(
    github.takeViolations().map((v) => v.kind),
    ['forbidden'],
  );
});

test('commit comments and team memberships answer as GitHub documents them, and only to whom GitHub would', async () => {
  const base = { owner: 'acme', repo: 'flows' };
  const { data: made } = await octokit.rest.repos.createCommitComment({ ...base, commit_sha: pr.headSha, body: '/skiff help', path: 'README.md', line: 1 });
  assert.equal(made.commit_id, pr.headSha);
  assert.equal((await octokit.rest.repos.getCommitComment({ ...base, comment_id: made.id })).data.body, '/skiff help');
  const person = github.addCommitComment('acme/flows', pr.headSha, 'bob', 'looks good');
  assert.deepEqual(
    (await octokit.rest.repos.listCommentsForCommit({ ...base, commit_sha: pr.headSha })).data.map((c) => [c.user?.login, c.body]),
    [
      [github.app.botLogin, '/skiff help'],
      ['bob', 'looks good'],
    ],
  );
  assert.equal((await octokit.rest.reactions.createForCommitComment({ ...base, comment_id: person.id, content: 'eyes' })).status, 201);
  assert.equal((await octokit.rest.reactions.createForCommitComment({ ...base, comment_id: person.id, content: 'eyes' })).status, 200, 'once per person');
  assert.deepEqual(
    (await octokit.rest.reactions.listForCommitComment({ ...base, comment_id: person.id })).data.map((r) => r.content),
    ['eyes'],
  );
  await assert.rejects(
    octokit.rest.repos.createCommitComment({ ...base, commit_sha: 'f'.repeat(40), body: 'nowhere' }),
    (err: { status?: number }) => err.status === 422,
  );
  assert.deepEqual(
    github.takeViolations().map((v) => v.status),
    [422],
  );

  github.setTeamMember('acme/release', 'carol');
  github.setTeamMember('acme/release', 'dave', 'pending');
  github.setTeamMember('other/admins', 'carol');
  const membership = (org: string, team_slug: string, username: string) => octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug, username });
  assert.equal((await membership('acme', 'release', 'carol')).data.state, 'active');
  assert.equal((await membership('ACME', 'release', 'dave')).data.state, 'pending');
  for (const [org, slug, user] of [
    ['acme', 'release', 'erin'],
    ['acme', 'nobody', 'carol'],
    ['other', 'admins', 'carol'],
  ] as const) {
    await assert.rejects(membership(org, slug, user), (err: { status?: number }) => err.status === 404, `${org}/${slug} ${user}`);
  }
  // Without members: read the installation may not look.
  const bare = github.createInstallation('bare', { permissions: { metadata: 'read' } });
  github.setTeamMember('bare/crew', 'carol');
  const barely = new TestOctokit({ auth: { token: github.createInstallationToken(bare.id) }, baseUrl: github.baseUrl });
  await assert.rejects(
    barely.rest.teams.getMembershipForUserInOrg({ org: 'bare', team_slug: 'crew', username: 'carol' }),
    (err: { status?: number }) => err.status === 403,
  );
  assert.deepEqual(
    github.takeViolations().map((v) => v.status),
    [403],
  );
});

test("requests that break GitHub's schema are refused with GitHub's errors and recorded", async () => {
  const expectRefusal = async (call: Promise<unknown>, status: number): Promise<void> => {
    await assert.rejects(call, (err: { status?: number; response?: { data?: { message?: string } } }) => {
      assert.equal(err.status, status);
      assert.ok(err.response?.data?.message, 'GitHub-shaped error body');
      return true;
    });
  };
  const base = { owner: 'acme', repo: 'flows' };
  await expectRefusal(octokit.rest.checks.create({ ...base, name: 'x', head_sha: pr.headSha, status: 'bogus' as 'queued' }), 422);
  await expectRefusal(
    octokit.rest.checks.create({
      ...base,
      name: 'x',
      head_sha: pr.headSha,
      output: { title: 't', summary: 's', annotations: [{ path: 'a', start_line: 1, end_line: 1, annotation_level: 'fatal' as 'failure', message: 'm' }] },
    }),
    422,
  );
  await expectRefusal(
    octokit.rest.checks.create({ ...base, name: 'x', head_sha: pr.headSha, output: { title: 't', summary: 's', text: 'x'.repeat(65536) } }),
    422,
  );
  await expectRefusal(
    octokit.rest.checks.create({
      ...base,
      name: 'x',
      head_sha: pr.headSha,
      output: {
        title: 't',
        summary: 's',
        annotations: Array.from({ length: 51 }, () => ({ path: 'a', start_line: 1, end_line: 1, annotation_level: 'notice' as const, message: 'm' })),
      },
    }),
    422,
  );
  await expectRefusal(octokit.rest.issues.createComment({ ...base, issue_number: pr.number, body: 'x'.repeat(65537) }), 422);
  await expectRefusal(octokit.request('GET /repos/{owner}/{repo}/skiff-magic', base), 404);
  await expectRefusal(octokit.request('DELETE /repos/{owner}/{repo}/check-runs/{id}', { ...base, id: 1 }), 404);
  await expectRefusal(octokit.rest.checks.create({ ...base, name: 'x', head_sha: 'deadbeef'.repeat(5) }), 422);

  const taken = github.takeViolations();
  assert.deepEqual(
    taken.map((v) => [v.kind, v.status]),
    [
      ['invalid-request', 422],
      ['invalid-request', 422],
      ['invalid-request', 422],
      ['invalid-request', 422],
      ['invalid-request', 422],
      ['unknown-endpoint', 404],
      ['unknown-endpoint', 404],
      ['invalid-request', 422],
    ],
  );
  assert.match(taken[0]!.message, /status.*allowedValues/s);
  assert.match(taken[1]!.message, /annotation_level/);
  assert.match(taken[2]!.message, /text.*65535/s);
  assert.match(taken[3]!.message, /annotations.*50/s);
  assert.match(taken[4]!.message, /65536/);
  assert.match(taken[6]!.message, /no DELETE/);
  assert.equal(github.violations.length, 0, 'takeViolations drained them');
  assert.equal([...github.state.checkRuns.values()].filter((r) => r.name === 'x').length, 0, 'refused requests changed nothing');
});

test('assertNoViolations fails a test whose app broke the contract', async () => {
  // A typo'd field: TypeScript would catch it, so go through the untyped route, as a bug would.
  const route: string = 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments';
  await octokit.request(route, { owner: 'acme', repo: 'flows', issue_number: pr.number, bodyy: 'typo' }).catch(() => undefined);
  assert.throws(() => github.assertNoViolations(), /1 contract violation.*body/s);
  github.takeViolations();
});

test('signed webhook deliveries reach a receiver; a wrong signature is told apart', async () => {
  const received: Array<{ event: string; delivery: string; valid: boolean; payload: Record<string, any> }> = [];
  const receiver: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      // @octokit/webhooks-methods is what Probot verifies with: an independent check of the signing.
      const valid = await verify(github.app.webhookSecret, body, String(req.headers['x-hub-signature-256'] ?? ''));
      received.push({ event: String(req.headers['x-github-event']), delivery: String(req.headers['x-github-delivery']), valid, payload: JSON.parse(body) });
      res.writeHead(valid ? 202 : 401).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  try {
    github.webhooks.url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks`;
    const opened = await github.webhooks.pullRequest('opened', 'acme/flows', pr.number);
    assert.equal(opened.status, 202);
    const forged = await github.webhooks.pullRequest('opened', 'acme/flows', pr.number, { secret: 'not-the-secret' });
    assert.equal(forged.status, 401);
    const comment = github.addComment('acme/flows', pr.number, 'bob', '/skiff retry lint');
    await github.webhooks.issueComment('created', 'acme/flows', comment.id);

    assert.deepEqual(
      received.map((r) => [r.event, r.valid]),
      [
        ['pull_request', true],
        ['pull_request', false],
        ['issue_comment', true],
      ],
    );
    const [first, , third] = received;
    assert.match(first!.delivery, /^[0-9a-f-]{36}$/);
    assert.equal(first!.payload.installation.id, installationId);
    assert.equal(first!.payload.pull_request.head.sha, pr.headSha);
    assert.equal(first!.payload.repository.full_name, 'acme/flows');
    assert.equal(third!.payload.comment.body, '/skiff retry lint');
    assert.equal(third!.payload.issue.number, pr.number);
    assert.ok(third!.payload.issue.pull_request, 'a PR comment says it is on a pull request');

    const before = pr.headSha;
    const after = await github.pushCommit('acme/flows', 'feature', { 'workflows/third.yaml': WORKFLOW }, { message: 'Add a third' });
    await github.webhooks.push('acme/flows', { ref: 'refs/heads/feature', before, after });
    const push = received[3]!;
    assert.equal(push.event, 'push');
    assert.equal(push.payload.after, after);
    assert.deepEqual(
      push.payload.commits.map((c: { id: string; message: string }) => [c.id, c.message]),
      [[after, 'Add a third']],
    );
    assert.equal(github.state.pull(github.state.repo('acme', 'flows'), pr.number).head.sha, after, 'the PR follows its branch');
    pr.headSha = after;

    const { data: run } = await octokit.rest.checks.create({
      owner: 'acme',
      repo: 'flows',
      name: 'skiff / buttons',
      head_sha: after,
      conclusion: 'failure',
      output: { title: 'failed', summary: 'one step failed' },
      actions: [{ label: 'Retry failed', description: 'Re-run the failed steps', identifier: 'retry-failed' }],
    });
    await github.webhooks.checkRun('requested_action', 'acme/flows', run.id, { identifier: 'retry-failed', sender: 'bob' });
    const action = received[4]!;
    assert.equal(action.payload.action, 'requested_action');
    assert.equal(action.payload.requested_action.identifier, 'retry-failed');
    assert.equal(action.payload.check_run.id, run.id);
    assert.equal(action.payload.check_run.check_suite.head_sha, after);
    assert.equal(action.payload.sender.login, 'bob');
    assert.throws(() => github.webhooks.checkRun('requested_action', 'acme/flows', run.id, { identifier: 'nope' }), /no action nope/);
  } finally {
    github.webhooks.url = undefined;
    await new Promise((resolve) => receiver.close(resolve));
  }
});

test('a Probot app gets webhooks and answers through the fake (rerequest loop included)', async () => {
  const seen: string[] = [];
  const middleware = await createNodeMiddleware(
    (app) => {
      app.on('pull_request.opened', async (context) => {
        seen.push('pull_request.opened');
        await context.octokit.rest.checks.create(context.repo({ name: 'skiff / run', head_sha: context.payload.pull_request.head.sha, status: 'queued' }));
      });
      app.on('check_run.rerequested', async (context) => {
        seen.push('check_run.rerequested');
        await context.octokit.rest.checks.update(context.repo({ check_run_id: context.payload.check_run.id, status: 'in_progress' }));
      });
    },
    { probot, webhooksPath: '/api/github/webhooks' },
  );
  const appServer = createServer((req, res) => {
    void middleware(req, res, () => res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
  try {
    github.webhooks.url = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}/api/github/webhooks`;
    const delivery = await github.webhooks.pullRequest('opened', 'acme/flows', pr.number);
    assert.equal(delivery.status, 200, delivery.responseBody);
    const run = [...github.state.checkRuns.values()].find((r) => r.name === 'skiff / run');
    assert.ok(run, 'the app created its check run');
    // Someone presses "Re-run": GitHub (the fake) sends check_run.rerequested to the app.
    await octokit.rest.checks.rerequestRun({ owner: 'acme', repo: 'flows', check_run_id: run.id });
    for (let i = 0; i < 100 && run.status !== 'in_progress'; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(run.status, 'in_progress');
    assert.deepEqual(seen, ['pull_request.opened', 'check_run.rerequested']);
    const bad = await github.webhooks.pullRequest('opened', 'acme/flows', pr.number, { secret: 'wrong' });
    assert.equal(bad.status, 400, 'Probot refuses a wrongly signed delivery');
  } finally {
    github.webhooks.url = undefined;
    await new Promise((resolve) => appServer.close(resolve));
  }
});

test('isomorphic-git clones through the fake host; a private repository needs a token', async () => {
  const dir = join(scratch, 'clone');
  await git.clone({ fs, http, dir, url: `${github.baseUrl}/acme/flows.git`, ref: 'feature', singleBranch: true });
  assert.equal(await git.resolveRef({ fs, dir, ref: 'HEAD' }), pr.headSha);
  assert.equal(await readFile(join(dir, 'workflows/second.yaml'), 'utf8'), WORKFLOW);

  const secret = await github.createRepo('acme/secret', { 'a.txt': 'a\n' }, { private: true });
  await assert.rejects(git.clone({ fs, http, dir: join(scratch, 'anon'), url: secret.cloneUrl, onAuthFailure: () => ({ cancel: true }) }), /401/);
  const token = github.createInstallationToken(installationId);
  const authed = join(scratch, 'authed');
  await git.clone({ fs, http, dir: authed, url: secret.cloneUrl, onAuth: () => ({ username: 'x-access-token', password: token }) });
  assert.equal(await git.resolveRef({ fs, dir: authed, ref: 'HEAD' }), secret.commit);
});
