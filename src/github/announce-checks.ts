import { LINT_CHECK, PLAN_CHECK } from './pull-request-checks.js';
import type { InstallationOctokit, RepoRef } from './github-types.js';
import { type CheckTarget, queueCheck } from './publish-check.js';

/** The pull-request actions Skiff checks (skiff-app.ts handles the same). */
export const PULL_REQUEST_ACTIONS = ['opened', 'synchronize', 'reopened', 'ready_for_review'] as const;

/** Check runs a delivery will open, known from its payload alone, and the installation to open them with. */
export interface Announcement {
  installationId: number;
  repo: RepoRef;
  checks: CheckTarget[];
}

/**
 * The check runs a delivery is certain to open, from its payload alone: `skiff / lint` and
 * `skiff / plan` for a pull request Skiff checks (open, one of the checked actions) and for a merge
 * group. Anything else (a push's checks depend on the repository's config) announces nothing.
 */
export function announcementOf(name: string, payload: Record<string, unknown>, delivery: string): Announcement | undefined {
  const installationId = (payload.installation as { id?: unknown } | undefined)?.id;
  const repository = payload.repository as { name?: unknown; owner?: { login?: unknown } } | undefined;
  if (typeof installationId !== 'number' || typeof repository?.name !== 'string' || typeof repository.owner?.login !== 'string') return undefined;
  let headSha: unknown;
  if (name === 'pull_request') {
    const pull = payload.pull_request as { state?: unknown; head?: { sha?: unknown } } | undefined;
    if (!(PULL_REQUEST_ACTIONS as readonly unknown[]).includes(payload.action) || pull?.state !== 'open') return undefined;
    headSha = pull.head?.sha;
  } else if (name === 'merge_group' && payload.action === 'checks_requested') {
    headSha = (payload.merge_group as { head_sha?: unknown } | undefined)?.head_sha;
  }
  if (typeof headSha !== 'string' || !/^[0-9a-f]{40}$/.test(headSha)) return undefined;
  return {
    installationId,
    repo: { owner: repository.owner.login, repo: repository.name },
    checks: [
      { name: LINT_CHECK, headSha, externalId: `lint:${headSha}`, delivery },
      { name: PLAN_CHECK, headSha, externalId: `plan:${headSha}`, delivery },
    ],
  };
}

/**
 * Opens a delivery's check runs as queued, moments after it is acknowledged, while its work may
 * wait behind the repository's earlier deliveries: the pull request shows at once that Skiff has
 * it. Only for a delivery seen for the first time (one handled again after a restart may have
 * opened them). The work takes them over by their external ids (startCheck) and must not start
 * before this has finished, or both could open the same check run. Two requests, the same as the
 * work would have made to open them.
 */
export async function announceChecks(octokit: InstallationOctokit, announcement: Announcement): Promise<void> {
  for (const check of announcement.checks) await queueCheck(octokit, announcement.repo, check);
}
