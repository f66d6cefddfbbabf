import { GitHubApiError } from '../github-api-error.js';
import type { ReactionContent } from '../github-state.js';
import { resolveCommit } from '../repo-git.js';
import { intParam, paginate, param, queryString, repoOf, type RouteTable } from './api-route.js';

/** Issue (and pull-request) comments, commit comments, and the reactions on them. */
export const commentRoutes: RouteTable = {
  'issues/create-comment': (ctx) => {
    const repo = repoOf(ctx);
    const comment = ctx.state.addComment(repo, intParam(ctx, 'issue_number'), ctx.bot, String(ctx.body.body));
    return { status: 201, body: ctx.repr.comment(comment, repo), headers: { location: ctx.repr.comment(comment, repo).url as string } };
  },

  'issues/get-comment': (ctx) => {
    const repo = repoOf(ctx);
    return { status: 200, body: ctx.repr.comment(ctx.state.comment(repo, intParam(ctx, 'comment_id')), repo) };
  },

  'issues/update-comment': (ctx) => {
    const repo = repoOf(ctx);
    const comment = ctx.state.comment(repo, intParam(ctx, 'comment_id'));
    // An installation may edit only its own comments.
    if (comment.user.id !== ctx.bot.id) throw new GitHubApiError(403, 'Resource not accessible by integration');
    comment.body = String(ctx.body.body);
    comment.updatedAt = ctx.state.now();
    return { status: 200, body: ctx.repr.comment(comment, repo) };
  },

  'issues/delete-comment': (ctx) => {
    const repo = repoOf(ctx);
    const comment = ctx.state.comment(repo, intParam(ctx, 'comment_id'));
    if (comment.user.id !== ctx.bot.id) throw new GitHubApiError(403, 'Resource not accessible by integration');
    ctx.state.comments.delete(comment.id);
    for (const [id, reaction] of ctx.state.reactions) if (reaction.commentId === comment.id) ctx.state.reactions.delete(id);
    return { status: 204 };
  },

  'issues/list-comments': (ctx) => {
    const repo = repoOf(ctx);
    const number = intParam(ctx, 'issue_number');
    ctx.state.requireIssue(repo, number);
    const since = queryString(ctx, 'since');
    const comments = [...ctx.state.comments.values()]
      .filter((c) => c.repoId === repo.id && c.issueNumber === number && (!since || c.updatedAt >= new Date(since)))
      .sort((a, b) => a.id - b.id);
    const { page, headers } = paginate(ctx, comments);
    return { status: 200, body: page.map((c) => ctx.repr.comment(c, repo)), headers };
  },

  'reactions/create-for-issue-comment': (ctx) => {
    const repo = repoOf(ctx);
    const comment = ctx.state.comment(repo, intParam(ctx, 'comment_id'));
    const { reaction, created } = ctx.state.react(
      { repoId: repo.id, commentId: comment.id, issueNumber: undefined },
      ctx.bot,
      ctx.body.content as ReactionContent,
    );
    return { status: created ? 201 : 200, body: ctx.repr.reaction(reaction) };
  },

  'reactions/list-for-issue-comment': (ctx) => {
    const repo = repoOf(ctx);
    const comment = ctx.state.comment(repo, intParam(ctx, 'comment_id'));
    const content = queryString(ctx, 'content');
    const reactions = [...ctx.state.reactions.values()].filter((r) => r.commentId === comment.id && (!content || r.content === content));
    const { page, headers } = paginate(ctx, reactions);
    return { status: 200, body: page.map((r) => ctx.repr.reaction(r)), headers };
  },

  'reactions/delete-for-issue-comment': (ctx) => {
    const repo = repoOf(ctx);
    const comment = ctx.state.comment(repo, intParam(ctx, 'comment_id'));
    const reaction = ctx.state.reactions.get(intParam(ctx, 'reaction_id'));
    if (!reaction || reaction.commentId !== comment.id) throw GitHubApiError.notFound();
    ctx.state.reactions.delete(reaction.id);
    return { status: 204 };
  },

  'reactions/create-for-issue': (ctx) => {
    const repo = repoOf(ctx);
    const number = intParam(ctx, 'issue_number');
    ctx.state.requireIssue(repo, number);
    const { reaction, created } = ctx.state.react({ repoId: repo.id, commentId: undefined, issueNumber: number }, ctx.bot, ctx.body.content as ReactionContent);
    return { status: created ? 201 : 200, body: ctx.repr.reaction(reaction) };
  },

  'repos/create-commit-comment': async (ctx) => {
    const repo = repoOf(ctx);
    const sha = param(ctx, 'commit_sha');
    const commit = await resolveCommit(repo.gitdir, sha);
    // GitHub names the commit by any sha that resolves; an unknown one is a validation failure.
    if (!commit || !/^[0-9a-f]{7,40}$/i.test(sha)) throw GitHubApiError.validationFailed('CommitComment', 'commit_id', `No commit found for SHA: ${sha}`);
    const where = {
      ...(typeof ctx.body.path === 'string' ? { path: ctx.body.path } : {}),
      ...(typeof ctx.body.line === 'number' ? { line: ctx.body.line } : {}),
    };
    const comment = ctx.state.addCommitComment(repo, commit, ctx.bot, String(ctx.body.body), where);
    const body = ctx.repr.commitComment(comment, repo);
    return { status: 201, body, headers: { location: body.url as string } };
  },

  'repos/get-commit-comment': (ctx) => {
    const repo = repoOf(ctx);
    return { status: 200, body: ctx.repr.commitComment(ctx.state.commitComment(repo, intParam(ctx, 'comment_id')), repo) };
  },

  'repos/list-comments-for-commit': async (ctx) => {
    const repo = repoOf(ctx);
    const commit = await resolveCommit(repo.gitdir, param(ctx, 'commit_sha'));
    const comments = [...ctx.state.commitComments.values()].filter((c) => c.repoId === repo.id && c.commitId === commit).sort((a, b) => a.id - b.id);
    const { page, headers } = paginate(ctx, comments);
    return { status: 200, body: page.map((c) => ctx.repr.commitComment(c, repo)), headers };
  },

  'reactions/create-for-commit-comment': (ctx) => {
    const repo = repoOf(ctx);
    const comment = ctx.state.commitComment(repo, intParam(ctx, 'comment_id'));
    const { reaction, created } = ctx.state.react(
      { repoId: repo.id, commentId: comment.id, issueNumber: undefined },
      ctx.bot,
      ctx.body.content as ReactionContent,
    );
    return { status: created ? 201 : 200, body: ctx.repr.reaction(reaction) };
  },

  'reactions/list-for-commit-comment': (ctx) => {
    const repo = repoOf(ctx);
    const comment = ctx.state.commitComment(repo, intParam(ctx, 'comment_id'));
    const content = queryString(ctx, 'content');
    const reactions = [...ctx.state.reactions.values()].filter((r) => r.commentId === comment.id && (!content || r.content === content));
    const { page, headers } = paginate(ctx, reactions);
    return { status: 200, body: page.map((r) => ctx.repr.reaction(r)), headers };
  },
};
