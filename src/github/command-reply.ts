import { deliveryLabel } from './delivery-label.js';
import type { InstallationOctokit, RepoRef } from './github-types.js';

/** Where a comment command was asked, and so answered: a pull request's conversation, or a commit. */
export interface ReplyPlace {
  repo: RepoRef;
  on: { pullRequest: number } | { commit: string };
}

/**
 * The hidden line a reply to a command ends with: the command's comment and delivery. A delivery
 * handled again after a kill looks for it, so a command answered already is neither run nor
 * answered twice. The delivery id cannot be guessed before GitHub sends it, so nobody can write
 * the marker of a command to come and silence it.
 *
 * @example
 *   replyMarker(42, '72d3162e-cc78-11e3-81ab-4c9367dc0958')
 *   // '<!-- skiff-reply comment=42 delivery=72d3162e-cc78-11e3-81ab-4c9367dc0958 -->'
 */
export function replyMarker(commentId: number, delivery: string): string {
  // deliveryLabel keeps the id to letters, digits and `-_.`: nothing in it can end the HTML comment.
  return `<!-- skiff-reply comment=${commentId} delivery=${deliveryLabel(delivery)} -->`;
}

/** Posts `text` where the command was asked, ending with `marker` when there is one. */
export async function postReply(octokit: InstallationOctokit, place: ReplyPlace, text: string, marker: string | undefined): Promise<void> {
  const body = marker === undefined ? text : `${text}\n\n${marker}`;
  if ('commit' in place.on) await octokit.rest.repos.createCommitComment({ ...place.repo, commit_sha: place.on.commit, body });
  else await octokit.rest.issues.createComment({ ...place.repo, issue_number: place.on.pullRequest, body });
}

/** Whether an app (Skiff, a process before this one) answered with `marker` already; people's comments never count. */
export async function answeredAlready(octokit: InstallationOctokit, place: ReplyPlace, marker: string): Promise<boolean> {
  const pages =
    'commit' in place.on
      ? octokit.paginate.iterator(octokit.rest.repos.listCommentsForCommit, { ...place.repo, commit_sha: place.on.commit, per_page: 100 })
      : octokit.paginate.iterator(octokit.rest.issues.listComments, { ...place.repo, issue_number: place.on.pullRequest, per_page: 100 });
  for await (const { data } of pages) {
    if (data.some((comment) => comment.user?.type === 'Bot' && (comment.body ?? '').includes(marker))) return true;
  }
  return false;
}
