// A fake GitHub for Skiff's end-to-end tests, held to GitHub's published contract.
//
// WHAT IT CHECKS
// - Every API request is matched against GitHub's OpenAPI description for api.github.com (the pinned
//   @octokit/openapi, installed by test/env/install-github-openapi.sh): an unknown path, or a method
//   the path lacks, is GitHub's 404; path and query parameters and the JSON body are validated against
//   the operation's schemas (types, enums, required fields, formats, maxLength/maxItems such as check-run
//   output text <= 65535 and <= 50 annotations per request) and fail with GitHub's 422 shape; limits
//   GitHub documents but does not encode (comment body <= 65536 characters, annotation message and
//   raw_details <= 64 KB, a conclusion to complete a check run) too (documented-limits.ts). A request
//   without User-Agent is GitHub's 403, unparseable JSON its 400.
// - Authentication: app endpoints need an RS256 JWT signed with the app's key, `iss` the app id,
//   unexpired, `iat` not in the future, at most 10 minutes long; every other endpoint an unexpired
//   installation token (1 h) whose installation, and restriction if the token was asked for with
//   `repositories`, covers the repository (else 404, as GitHub hides what a token can't see).
// - Semantics the routes need: check runs only for full shas of commits the repository has, an app may
//   edit and delete only its own comments (403), an existing reaction is answered 200 instead of 201.
// - Every refusal except a plain "not found" is recorded as a ContractViolation; tests call
//   assertNoViolations() (e.g. in afterEach), so a test fails when the app breaks GitHub's contract.
// - Every 2xx answer the fake gives is validated against the description's response schema; a mismatch
//   is recorded as a violation of kind 'response' (a bug in the fake, but a failing test all the same).
//
// WHAT IT DOES NOT CHECK OR DO
// - No GraphQL; no rate limits or secondary rate limits (constant x-ratelimit headers, never 403/429);
//   no conditional requests (ETag/304); the Accept header and media types are ignored (contents are
//   always JSON with base64, never `application/vnd.github.raw`); X-GitHub-Api-Version is not checked.
// - Token permissions beyond existence and repository coverage: a token without `checks: write` can
//   still create check runs (team membership alone wants `members`). Installation permissions are checked only when a token is requested.
// - Unknown body fields are accepted (GitHub's schemas mostly allow them, and GitHub ignores them).
// - Pagination is per_page (<= 100) and page with a Link header; no cursor pagination; filters are
//   implemented only where routes/ says so (list-for-ref: check_name, status, filter; list-comments:
//   since; pulls/list: state, head, base).
// - Teams exist only as memberships (teams/get-membership-for-user-in-org, seen by an installation
//   of the team's organization only); commit comments are created, listed and reacted to, not edited.
// - Issues are pull requests only (no plain issues); no reviews, review comments, labels, merging;
//   check suites exist only as ids; a check-run button is pressed only by webhooks.checkRun().
// - Only the operations in routes/ are implemented; any other operation GitHub describes answers 501
//   and is recorded as a 'not-implemented' violation, so a test notices the gap instead of passing.
// - Webhooks: payloads start from @octokit/webhooks-examples and are patched with the fake's state, but
//   are not validated against GitHub's webhook schemas; a delivery is sent once (no retries or
//   redelivery), only when a test asks (except check_run.rerequested after checks/rerequest-run), and
//   without the legacy SHA-1 X-Hub-Signature.
// - Git is smart HTTP only (clone, fetch, push): no LFS, no archives, and the html/raw/download URLs
//   in answers point at the fake but are not served.
// - Known mistakes in GitHub's description are corrected narrowly in github-contract.ts
//   (fixDescriptionErrata and the nullable-enum reading); nothing else is relaxed.
// - The OAuth web flow of the app's user authorization (oauth-web-flow.ts: /login/oauth/authorize and
//   /login/oauth/access_token, on github.com) is not in the OpenAPI description, so nothing checks it
//   against one: it follows GitHub's documentation, authorizes at once for the person `oauth.signedIn`
//   names, and its user tokens reach only GET /user and the collaborator permission endpoint.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AssertionError } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { ApiRepresentations, type AppIdentity } from './api-representations.js';
import { createApiRequestHandler, type ApiRequestRecord, type ContractViolation } from './api-request-handler.js';

export type { ApiRequestRecord, ContractViolation, ViolationKind } from './api-request-handler.js';
import { createAppCredentials, publicKeyOf } from './app-jwt.js';
import { GIT_PATH, proxyGitRequest } from './git-proxy.js';
import { createOAuthWebFlow, type OAuthBrowser } from './oauth-web-flow.js';
import { loadGitHubContract, type GitHubContract } from './github-contract.js';
import {
  GitHubState,
  type FakeComment,
  type FakeCommitComment,
  type FakeInstallation,
  type FakePullRequest,
  type FakeRepo,
  type RepoPermission,
} from './github-state.js';
import { changedFiles, commitFiles, filesOfCommit, type FileChanges } from './repo-git.js';
import { WebhookPayloads } from './webhook-payloads.js';
import { WebhookSender, type SendWebhookOptions, type WebhookDelivery } from './webhook-sender.js';
import { startGitServer, type GitServer } from '../git/start-git-server.js';
import { runGit } from '../git/run-git.js';
import type { RepoFiles } from '../git/create-bare-repo.js';

/** Permissions a test installation gets unless told otherwise: what Skiff asks for in app.yml. */
export const DEFAULT_INSTALLATION_PERMISSIONS: Record<string, string> = {
  checks: 'write',
  contents: 'read',
  issues: 'write',
  members: 'read',
  metadata: 'read',
  pull_requests: 'write',
  statuses: 'write',
};

export interface FakeGitHubOptions {
  appId?: number;
  appSlug?: string;
  /** PEM private key of the app; a fresh 2048-bit key is made if absent. */
  privateKey?: string;
  webhookSecret?: string;
  /** Where webhooks go (the app's webhook URL); can be set later through `fake.webhooks.url`. */
  webhookUrl?: string;
  /** The fake's clock (token and JWT expiry, timestamps). */
  now?: () => Date;
  /** Validate every 2xx response against the description (default true). */
  validateResponses?: boolean;
}

export interface FakeWebhooks {
  url: string | undefined;
  readonly secret: string;
  readonly deliveries: WebhookDelivery[];
  readonly payloads: WebhookPayloads;
  /** Signs and delivers any payload. */
  send(event: string, payload: Record<string, unknown>, options?: SendWebhookOptions): Promise<WebhookDelivery>;
  /** Sends a delivery again with its id, as GitHub's "Redeliver" (and its retry of failed deliveries) does. */
  redeliver(id: string): Promise<WebhookDelivery>;
  pullRequest(action: string, fullName: string, number: number, options?: SendWebhookOptions): Promise<WebhookDelivery>;
  issueComment(action: 'created' | 'edited' | 'deleted', fullName: string, commentId: number, options?: SendWebhookOptions): Promise<WebhookDelivery>;
  /** `commit_comment.created` for a comment addCommitComment made. */
  commitComment(fullName: string, commentId: number, options?: SendWebhookOptions): Promise<WebhookDelivery>;
  checkRun(
    action: 'created' | 'completed' | 'rerequested' | 'requested_action',
    fullName: string,
    checkRunId: number,
    options?: SendWebhookOptions & { sender?: string; identifier?: string },
  ): Promise<WebhookDelivery>;
  push(fullName: string, push: { ref: string; before: string; after: string; pusher?: string }, options?: SendWebhookOptions): Promise<WebhookDelivery>;
}

export interface FakeGitHub {
  /** API base URL (Probot's `baseUrl`) and the host serving git: `${baseUrl}/owner/repo.git`; github.com's OAuth pages too. */
  baseUrl: string;
  app: { id: number; slug: string; privateKey: string; webhookSecret: string; botLogin: string; clientId: string; clientSecret: string };
  /** The browser's session on the fake github.com: who an OAuth authorization is for (none: a 403 page). */
  oauth: OAuthBrowser;
  contract: GitHubContract;
  state: GitHubState;
  webhooks: FakeWebhooks;
  /** Every API request, oldest first. */
  requests: ApiRequestRecord[];
  violations: readonly ContractViolation[];
  /** Returns the violations so far and forgets them (for tests that provoke some on purpose). */
  takeViolations(): ContractViolation[];
  /** Throws an AssertionError listing every violation so far, and forgets them (one bad test fails alone). */
  assertNoViolations(): void;
  createInstallation(account: string, options?: { type?: 'User' | 'Organization'; permissions?: Record<string, string>; events?: string[] }): FakeInstallation;
  /**
   * Creates `owner/name` with one commit of `files` on its default branch, installed on the owner's
   * installation (made if missing) unless `installation: false`.
   */
  createRepo(
    fullName: string,
    files: RepoFiles,
    options?: { private?: boolean; defaultBranch?: string; installation?: number | false },
  ): Promise<FakeRepo & { cloneUrl: string; commit: string }>;
  /** Commits onto `branch` (made from the default branch if new) and moves open pull requests from it. */
  pushCommit(fullName: string, branch: string, changes: FileChanges, options?: { message?: string }): Promise<string>;
  /** Opens a pull request from `head` (a branch that exists) into `base` (default branch). */
  openPullRequest(
    fullName: string,
    options: { head: string; base?: string; title?: string; body?: string; user?: string; draft?: boolean },
  ): Promise<FakePullRequest>;
  setCollaborator(fullName: string, login: string, role: RepoPermission): void;
  /** A comment by a person (not the app), e.g. `/skiff retry`. */
  addComment(fullName: string, number: number, login: string, body: string): FakeComment;
  /** A comment by a person on a commit (on a line of its diff when `path` and `line` are given). */
  addCommitComment(fullName: string, sha: string, login: string, body: string, where?: { path?: string; line?: number }): FakeCommitComment;
  /** Makes `login` a member of the team `org/slug` (made if missing); `pending`: invited, not yet a member. */
  setTeamMember(team: string, login: string, state?: 'active' | 'pending'): void;
  /** An installation token as the app would get one, for tests that call the API as the app. */
  createInstallationToken(installationId: number): string;
  /** Waits for webhooks in flight, closes the server and deletes the repositories. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the fake GitHub on 127.0.0.1 (a free port), with its own git server for repositories.
 *
 * @example
 *   const github = await startFakeGitHub({ webhookUrl: `${appUrl}/api/github/webhooks` });
 *   const repo = await github.createRepo('acme/flows', { 'workflows/hello.yaml': '...' });
 *   // new Probot({ appId: github.app.id, privateKey: github.app.privateKey, secret: github.app.webhookSecret, baseUrl: github.baseUrl })
 *   await github.webhooks.pullRequest('opened', 'acme/flows', pr.number);
 *   github.assertNoViolations();
 */
export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const contract = await loadGitHubContract();
  const appId = options.appId ?? 424242;
  const credentials = options.privateKey ? { appId, privateKey: options.privateKey, publicKey: publicKeyOf(options.privateKey) } : createAppCredentials(appId);
  const slug = options.appSlug ?? 'skiff-test';
  const webhookSecret = options.webhookSecret ?? `whsec-${randomUUID()}`;
  const state = new GitHubState(options.now);
  const bot = state.user(`${slug}[bot]`, 'Bot');
  const validateResponses = options.validateResponses ?? true;
  const gitServer: GitServer = await startGitServer();

  const violations: ContractViolation[] = [];
  const requests: ApiRequestRecord[] = [];
  const pending = new Set<Promise<unknown>>();

  const oauthClient = { clientId: `Iv1.${randomUUID().slice(0, 16)}`, clientSecret: `secret-${randomUUID()}` };
  const oauthBrowser: OAuthBrowser = { signedIn: undefined };
  const oauthFlow = createOAuthWebFlow(state, oauthClient, oauthBrowser);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', baseUrl);
    if (GIT_PATH.test(url.pathname)) return proxyGitRequest(req, res, url, state, gitServer.baseUrl);
    (url.pathname.startsWith('/login/oauth/')
      ? oauthFlow(req, res, url).then(async (done) => (done ? undefined : handleApi(req, res, url)))
      : handleApi(req, res, url)
    ).catch((err: unknown) => {
      // A crash of the fake must fail the test too, not only confuse the app.
      const message = `the fake GitHub crashed: ${err instanceof Error ? err.stack : String(err)}`;
      violations.push({ kind: 'response', method: req.method ?? 'GET', path: url.pathname, status: 500, message });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`${message}\n`);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const appIdentity: AppIdentity = { id: appId, slug, name: 'Skiff (test)', owner: state.user('skiff-dev', 'Organization') };
  const repr = new ApiRepresentations(contract, state, baseUrl, appIdentity);
  const payloads = new WebhookPayloads(state, repr);
  const sender = new WebhookSender(webhookSecret, options.webhookUrl, appId);
  const handleApi = createApiRequestHandler({
    contract,
    state,
    repr,
    app: { id: appId, publicKey: credentials.publicKey },
    bot,
    validateResponses,
    violations,
    requests,
    // GitHub answers a re-request and then tells the app through a webhook, asynchronously.
    onCheckRunRerequested: (run, repo) => {
      if (sender.url) track(sender.send('check_run', payloads.checkRun('rerequested', repo, run, bot)));
    },
  });

  function track(promise: Promise<unknown>): void {
    const settled = promise.catch(() => undefined).finally(() => pending.delete(settled));
    pending.add(settled);
  }

  const repoNamed = (fullName: string): FakeRepo => {
    const [owner = '', name = ''] = fullName.split('/');
    return state.repo(owner, name);
  };

  const pullFiles = async (repo: FakeRepo, pull: FakePullRequest): Promise<[Awaited<ReturnType<typeof changedFiles>>, number]> => [
    await changedFiles(repo.gitdir, pull.base.sha, pull.head.sha),
    Number(await runGit(['rev-list', '--count', `${pull.base.sha}..${pull.head.sha}`], { cwd: repo.gitdir })),
  ];

  let stopping: Promise<void> | undefined;
  const fake: FakeGitHub = {
    baseUrl,
    app: { id: appId, slug, privateKey: credentials.privateKey, webhookSecret, botLogin: bot.login, ...oauthClient },
    oauth: oauthBrowser,
    contract,
    state,
    requests,
    violations,
    takeViolations: () => violations.splice(0, violations.length),
    assertNoViolations() {
      if (violations.length === 0) return;
      const lines = violations
        .splice(0, violations.length)
        .map((v) => `- [${v.kind}] ${v.method} ${v.path}${v.operationId ? ` (${v.operationId})` : ''} -> ${v.status}: ${v.message}`);
      throw new AssertionError({ message: `the fake GitHub saw ${lines.length} contract violation(s):\n${lines.join('\n')}` });
    },
    createInstallation(
      account,
      { type = 'Organization', permissions = DEFAULT_INSTALLATION_PERMISSIONS, events = ['check_run', 'issue_comment', 'pull_request', 'push'] } = {},
    ) {
      return state.addInstallation(state.user(account, type), { ...permissions }, [...events]);
    },
    async createRepo(fullName, files, { private: isPrivate = false, defaultBranch = 'main', installation } = {}) {
      const [owner, name, extra] = fullName.split('/');
      if (!owner || !name || extra !== undefined) throw new Error(`repository names are owner/name, not ${fullName}`);
      let installationId: number | undefined;
      if (installation === undefined) {
        const existing = [...state.installations.values()].find((i) => i.account.login.toLowerCase() === owner.toLowerCase());
        installationId = (existing ?? fake.createInstallation(owner)).id;
      } else if (installation !== false) {
        installationId = state.installation(installation).id;
      }
      const ownerUser = installationId !== undefined ? state.installation(installationId).account : state.user(owner);
      const bare = await gitServer.createRepo(fullName, files, { branch: defaultBranch });
      const repo = state.addRepo({ owner: ownerUser, name, fullName, private: isPrivate, defaultBranch, gitdir: bare.path, installationId });
      return { ...repo, cloneUrl: repr.cloneUrl(repo), commit: bare.commit };
    },
    async pushCommit(fullName, branch, changes, { message } = {}) {
      const repo = repoNamed(fullName);
      const sha = await commitFiles(repo.gitdir, branch, changes, { message, from: repo.defaultBranch });
      for (const pull of state.pulls.values()) {
        if (pull.repoId === repo.id && pull.state === 'open' && pull.head.ref === branch) {
          pull.head.sha = sha;
          pull.updatedAt = state.now();
          await runGit(['update-ref', `refs/pull/${pull.number}/head`, sha], { cwd: repo.gitdir });
        }
      }
      return sha;
    },
    async openPullRequest(fullName, { head, base, title, body, user, draft = false }) {
      const repo = repoNamed(fullName);
      const baseRef = base ?? repo.defaultBranch;
      const headSha = await runGit(['rev-parse', `refs/heads/${head}`], { cwd: repo.gitdir });
      const baseSha = await runGit(['rev-parse', `refs/heads/${baseRef}`], { cwd: repo.gitdir });
      const now = state.now();
      const pull = state.addPull({
        id: state.nextId(),
        repoId: repo.id,
        number: state.nextIssueNumber(repo),
        title: title ?? `Merge ${head} into ${baseRef}`,
        body: body ?? null,
        state: 'open',
        draft,
        merged: false,
        user: state.user(user ?? repo.owner.login),
        head: { ref: head, sha: headSha },
        base: { ref: baseRef, sha: baseSha },
        createdAt: now,
        updatedAt: now,
      });
      // As GitHub does: every pull request's head is fetchable from the base repository, a fork's too.
      await runGit(['update-ref', `refs/pull/${pull.number}/head`, headSha], { cwd: repo.gitdir });
      return pull;
    },
    setCollaborator(fullName, login, role) {
      repoNamed(fullName).collaborators.set(state.user(login).login.toLowerCase(), role);
    },
    addComment(fullName, number, login, body) {
      return state.addComment(repoNamed(fullName), number, state.user(login), body);
    },
    addCommitComment(fullName, sha, login, body, where) {
      return state.addCommitComment(repoNamed(fullName), sha, state.user(login), body, where);
    },
    setTeamMember(team, login, memberState = 'active') {
      const [org = '', slug = ''] = team.split('/');
      state.team(org, slug).members.set(state.user(login).login.toLowerCase(), { role: 'member', state: memberState });
    },
    createInstallationToken(installationId) {
      const installation = state.installation(installationId);
      return state.issueToken(installation.id, undefined, installation.permissions).token;
    },
    webhooks: {
      get url() {
        return sender.url;
      },
      set url(value) {
        sender.url = value;
      },
      secret: webhookSecret,
      deliveries: sender.deliveries,
      payloads,
      send: (event, payload, sendOptions) => sender.send(event, payload, sendOptions),
      redeliver: (id) => sender.redeliver(id),
      async pullRequest(action, fullName, number, sendOptions) {
        const repo = repoNamed(fullName);
        const pull = state.pull(repo, number);
        const [files, commits] = await pullFiles(repo, pull);
        return sender.send('pull_request', payloads.pullRequest(action, repo, pull, files, commits), sendOptions);
      },
      issueComment(action, fullName, commentId, sendOptions) {
        const repo = repoNamed(fullName);
        return sender.send('issue_comment', payloads.issueComment(action, repo, state.comment(repo, commentId)), sendOptions);
      },
      commitComment(fullName, commentId, sendOptions) {
        const repo = repoNamed(fullName);
        return sender.send('commit_comment', payloads.commitComment(repo, state.commitComment(repo, commentId)), sendOptions);
      },
      checkRun(action, fullName, checkRunId, sendOptions = {}) {
        const repo = repoNamed(fullName);
        const run = state.checkRun(repo, checkRunId);
        if (action === 'requested_action' && !run.actions.some((a) => a.identifier === sendOptions.identifier)) {
          throw new Error(
            `check run ${checkRunId} has no action ${String(sendOptions.identifier)} (it has ${run.actions.map((a) => a.identifier).join(', ') || 'none'})`,
          );
        }
        if (action === 'rerequested') run.rerequests++;
        const who = state.user(sendOptions.sender ?? repo.owner.login);
        return sender.send('check_run', payloads.checkRun(action, repo, run, who, sendOptions.identifier), sendOptions);
      },
      async push(fullName, { ref, before, after, pusher }, sendOptions) {
        const repo = repoNamed(fullName);
        const log = /^0+$/.test(before)
          ? await runGit(['log', '--format=%H %s', '-n', '20', after], { cwd: repo.gitdir })
          : await runGit(['log', '--format=%H %s', '--reverse', `${before}..${after}`], { cwd: repo.gitdir });
        const commits = await Promise.all(
          log
            .split('\n')
            .filter(Boolean)
            .map(async (line) => ({ id: line.slice(0, 40), message: line.slice(41), ...(await filesOfCommit(repo.gitdir, line.slice(0, 40))) })),
        );
        return sender.send('push', payloads.push(repo, ref, before, after, commits, state.user(pusher ?? repo.owner.login)), sendOptions);
      },
    },
    stop() {
      stopping ??= (async () => {
        await Promise.all(pending);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await gitServer.stop();
      })();
      return stopping;
    },
  };
  return fake;
}
