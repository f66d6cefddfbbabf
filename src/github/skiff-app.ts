import type { Probot } from 'probot';
import type { InstallationOctokit } from './github-types.js';
import { handlePush, type PushPorts } from './push-handler.js';
import { checkPullRequest, type PullRequestCheckPorts } from './pull-request-checks.js';

/** What the App's handlers work with; the server wires them (local state directory or cluster). */
export type SkiffAppPorts = PullRequestCheckPorts & PushPorts;

const ZERO_SHA = /^0{40}$/;

const PR_ACTIONS = ['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened', 'pull_request.ready_for_review'] as const;

/**
 * The GitHub App's event handlers, registered on a Probot instance. Each handler gets an Octokit
 * authenticated as the installation the delivery came from.
 */
export function registerSkiffApp(probot: Probot, ports: SkiffAppPorts): void {
  probot.on([...PR_ACTIONS], async (context) => {
    const { pull_request: pull, repository } = context.payload;
    if (pull.state !== 'open') return;
    await checkPullRequest(ports, context.octokit as InstallationOctokit, {
      repo: { owner: repository.owner.login, repo: repository.name },
      fullName: repository.full_name,
      cloneUrl: repository.clone_url,
      number: pull.number,
      headSha: pull.head.sha,
      baseRef: pull.base.ref,
      baseSha: pull.base.sha,
      fork: pull.head.repo?.full_name !== repository.full_name,
    });
  });

  probot.on('push', async (context) => {
    const { ref, after, repository, deleted } = context.payload;
    // A deleted branch, and tags, run nothing.
    if (deleted || ZERO_SHA.test(after) || !ref.startsWith('refs/heads/')) return;
    await handlePush(ports, context.octokit as InstallationOctokit, {
      repo: { owner: repository.owner?.login ?? repository.full_name.split('/')[0]!, repo: repository.name },
      fullName: repository.full_name,
      cloneUrl: repository.clone_url,
      branch: ref.slice('refs/heads/'.length),
      after,
      defaultBranch: repository.default_branch,
    });
  });
}
