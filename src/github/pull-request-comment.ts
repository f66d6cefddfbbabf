import { createHash } from 'node:crypto';
import type { ArtifactLinks } from '../ports/artifact-links.js';
import type { RunKey } from '../ports/run-key.js';
import type { RunLauncher } from '../ports/run-launcher.js';
import { COMMENT_MARKER, type CheckSummary, type CommentRun, renderPullRequestComment } from '../report/pull-request-comment.js';
import { artifactLinkSeconds } from './artifact-link-lifetime.js';
import type { InstallationOctokit, RepoRef } from './github-types.js';
import { LINT_CHECK, PLAN_CHECK } from './pull-request-checks.js';
import { latestPerWorkflow } from './retry-runs.js';
import { COMMIT_LABEL, PULL_REQUEST_LABEL, WORKFLOW_ANNOTATION } from './start-workflow-runs.js';

/** A pull request whose comment is to be brought up to date. */
export interface CommentTarget {
  octokit: InstallationOctokit;
  repo: RepoRef;
  fullName: string;
  number: number;
  headSha: string;
}

export interface PullRequestCommentsOptions {
  /** Where the head's runs are read; none: the comment shows lint and plan only. */
  launcher?: RunLauncher;
  /** At most one edit per pull request this often (GitHub's secondary limits frown on bursts of edits). */
  minIntervalMs: number;
  /** The App's own login (`<slug>[bot]`): only its comments are ever taken for Skiff's. */
  botLogin: () => Promise<string>;
  runPageUrl?: (key: RunKey) => Promise<string | undefined>;
  artifactLinks?: ArtifactLinks;
  onError?: (error: unknown, target: CommentTarget) => void;
  /** Called after each comment created or edited (metrics). */
  onWrite?: () => void;
}

interface Entry {
  target: CommentTarget;
  /** The head is known from a pull-request event; a run's word alone is checked against GitHub first. */
  headKnown: boolean;
  commentId?: number;
  /** A digest of the body last written (kept small: one entry per pull request seen). */
  lastBody?: string;
  lastAt: number;
  timer?: NodeJS.Timeout;
  pending?: Promise<void>;
  chain: Promise<void>;
}

/**
 * Skiff's one comment per pull request, kept up to date: lint and plan as their check runs say,
 * and the latest run of each workflow for the head commit. Touched whenever one of them changes;
 * edits are coalesced to at most one per `minIntervalMs` per pull request, the last state always
 * written. The comment is found again by its hidden marker among the App's own comments (so a
 * restart edits it, never adds a second), and only edited when its text changed.
 */
export class PullRequestComments {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: PullRequestCommentsOptions) {}

  /**
   * Asks for the comment of `target.number` to be brought up to date. `fromPullRequest`: the
   * target's head is the pull request's (an event said so); otherwise (a run changed) a head
   * other than the one known is an older commit's run and changes nothing.
   */
  touch(target: CommentTarget, fromPullRequest: boolean): void {
    if (target.number <= 0) return; // a merge group or a branch: no pull request to comment on
    const id = `${target.fullName}#${target.number}`;
    let entry = this.entries.get(id);
    if (!entry) {
      entry = { target, headKnown: fromPullRequest, lastAt: 0, chain: Promise.resolve() };
      this.entries.set(id, entry);
    } else if (fromPullRequest) {
      entry.target = target;
      entry.headKnown = true;
    } else if (entry.target.headSha !== target.headSha) return;
    else entry.target = { ...entry.target, octokit: target.octokit };
    this.schedule(entry);
  }

  /** Resolves when no edit is waiting or being made. */
  async settled(): Promise<void> {
    for (;;) {
      const pending = [...this.entries.values()].map((e) => e.pending).filter((p) => p !== undefined);
      if (pending.length === 0) return;
      await Promise.all(pending);
    }
  }

  /** Writes what is waiting now, without waiting out the interval. */
  async close(): Promise<void> {
    for (const entry of this.entries.values()) {
      if (!entry.timer) continue;
      clearTimeout(entry.timer);
      entry.timer = undefined;
      entry.lastAt = 0;
      this.schedule(entry);
    }
    await this.settled();
  }

  private schedule(entry: Entry): void {
    if (entry.timer) return; // an edit is coming; it will read the state as it is then
    const wait = Math.max(0, entry.lastAt + this.options.minIntervalMs - Date.now());
    const pending = new Promise<void>((resolve) => {
      entry.timer = setTimeout(() => {
        entry.timer = undefined;
        entry.chain = entry.chain
          .then(async () => {
            // An edit that ended while this one waited its turn: the interval is counted from its end.
            const rest = entry.lastAt + this.options.minIntervalMs - Date.now();
            if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
            await this.write(entry);
          })
          // The interval runs from the end of an edit, so two edits are never closer than it.
          .finally(() => {
            entry.lastAt = Date.now();
          })
          .catch((error) => this.options.onError?.(error, entry.target))
          .finally(resolve);
      }, wait);
    });
    entry.pending = pending;
    void pending.then(() => {
      if (entry.pending === pending) entry.pending = undefined;
    });
  }

  private async write(entry: Entry): Promise<void> {
    const { octokit, repo, number } = entry.target;
    if (!entry.headKnown) {
      const { data: pull } = await octokit.rest.pulls.get({ ...repo, pull_number: number });
      if (pull.state !== 'open' || pull.head.sha !== entry.target.headSha) return;
      entry.headKnown = true;
    }
    const body = await this.render(entry.target);
    const digest = createHash('sha256').update(body).digest('base64url');
    if (digest === entry.lastBody) return;
    const bot = await this.options.botLogin();
    entry.commentId ??= await findComment(octokit, repo, number, bot);
    if (entry.commentId !== undefined) {
      try {
        await octokit.rest.issues.updateComment({ ...repo, comment_id: entry.commentId, body });
        entry.lastBody = digest;
        this.options.onWrite?.();
        return;
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error;
        // Someone deleted it: a new one takes its place.
      }
    }
    const { data } = await octokit.rest.issues.createComment({ ...repo, issue_number: number, body });
    entry.commentId = data.id;
    entry.lastBody = digest;
    this.options.onWrite?.();
  }

  private async render(target: CommentTarget): Promise<string> {
    const { data: checks } = await target.octokit.rest.checks.listForRef({ ...target.repo, ref: target.headSha, filter: 'latest', per_page: 100 });
    const summary = (name: string): CheckSummary | undefined => {
      const check = checks.check_runs.filter((c) => c.name === name).sort((a, b) => b.id - a.id)[0];
      if (!check) return undefined;
      return {
        status: check.status as CheckSummary['status'],
        conclusion: check.conclusion,
        title: check.output?.title ?? '',
        ...(check.html_url ? { url: check.html_url } : {}),
      };
    };
    const runs: CommentRun[] = [];
    const secrets: string[] = [];
    const { launcher } = this.options;
    if (launcher) {
      const found = await launcher.find({ [COMMIT_LABEL]: target.headSha, [PULL_REQUEST_LABEL]: String(target.number) });
      for (const run of latestPerWorkflow(found)) {
        const detailsUrl = await this.options.runPageUrl?.(run.key);
        const artifacts = (await this.options.artifactLinks?.links(run, artifactLinkSeconds(run))) ?? [];
        secrets.push(...(await launcher.secretValues(run)));
        runs.push({
          workflow: run.workflow.metadata?.annotations?.[WORKFLOW_ANNOTATION] ?? run.key,
          runName: run.workflow.metadata?.name ?? run.key,
          status: run.status,
          artifacts,
          ...(detailsUrl !== undefined ? { detailsUrl } : {}),
        });
      }
    }
    runs.sort((a, b) => a.workflow.localeCompare(b.workflow));
    const lint = summary(LINT_CHECK);
    const plan = summary(PLAN_CHECK);
    return renderPullRequestComment({ headSha: target.headSha, runs, secrets, ...(lint ? { lint } : {}), ...(plan ? { plan } : {}) });
  }
}

/** The App's own comment on the pull request holding the marker (the oldest, should there be more). */
async function findComment(octokit: InstallationOctokit, repo: RepoRef, number: number, bot: string): Promise<number | undefined> {
  for await (const { data } of octokit.paginate.iterator(octokit.rest.issues.listComments, { ...repo, issue_number: number, per_page: 100 })) {
    const mine = data.find((c) => c.user?.login === bot && (c.body ?? '').startsWith(COMMENT_MARKER));
    if (mine) return mine.id;
  }
  return undefined;
}
