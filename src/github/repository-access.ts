import fs from 'node:fs';
import git from 'isomorphic-git';
import { RepositoryMirror } from '../sync/repository-mirror.js';
import type { RepositoryTree } from '../sync/repository-tree.js';
import type { InstallationOctokit } from './github-types.js';

/** A read token is replaced this long before GitHub says it expires (an hour after it was made). */
const TOKEN_MARGIN_MS = 5 * 60_000;

/**
 * The repositories' files as the App reads them: through one persistent git mirror per
 * repository, fetched with a token made for that one repository with `contents: read` only (so a
 * token that leaks from a fetch can neither write nor read another repository), kept in memory
 * until shortly before it expires and never written to the mirror; read from git objects — no
 * checkout, no symlink followed, nothing outside the repository reachable.
 */
export class RepositoryAccess {
  private readonly tokens = new Map<string, () => Promise<string>>();
  private readonly readTokens = new Map<string, { token: string; expiresAt: number }>();
  readonly mirror: RepositoryMirror;

  constructor(
    root: string,
    private readonly now: () => number = Date.now,
  ) {
    this.mirror = new RepositoryMirror({ root, token: (url) => this.tokens.get(url)?.() });
  }

  /** The files of `commit` (default: the tip of `ref`), fetched through `ref` (`refs/pull/7/head`, `refs/heads/main`) when not already mirrored. */
  async treeAt(octokit: InstallationOctokit, cloneUrl: string, ref: string, commit: string | undefined): Promise<RepositoryTree> {
    const url = new URL(cloneUrl).href;
    this.tokens.set(url, () => this.readToken(octokit, url));
    const fetched = await this.mirror.fetchCommit({ url, ref, ...(commit !== undefined ? { commit } : {}) });
    return this.mirror.treeAt(url, fetched.commit);
  }

  /**
   * Whether `branch` holds `commit`: its tip, or an ancestor of the tip within the mirror's history
   * (a commit older than a shallow mirror reaches counts as not held). Asked of the tip freshly
   * fetched, not of what the mirror happens to hold: a pull request's head fetched earlier is in
   * the mirror but on no branch.
   */
  async branchHolds(octokit: InstallationOctokit, cloneUrl: string, branch: string, commit: string): Promise<boolean> {
    const url = new URL(cloneUrl).href;
    this.tokens.set(url, () => this.readToken(octokit, url));
    const tip = (await this.mirror.fetchCommit({ url, ref: `refs/heads/${branch}` })).commit;
    if (tip === commit) return true;
    try {
      return await git.isDescendent({ fs, gitdir: this.mirror.gitdirFor(url), oid: tip, ancestor: commit, depth: 10_000 });
    } catch {
      return false; // history cut short (shallow), or the commit unknown: not shown to be on the branch
    }
  }

  /**
   * Made through the REST API rather than `octokit.auth({ type: 'installation' })`, whose token
   * carries every permission of the installation on every repository it covers: this one can only
   * read this repository.
   */
  private async readToken(octokit: InstallationOctokit, url: string): Promise<string> {
    const [owner, repo] = new URL(url).pathname
      .replace(/^\/+/, '')
      .replace(/\.git$/, '')
      .split('/');
    if (!owner || !repo) throw new Error(`cannot tell the repository from its clone URL ${url}`);
    const key = `${owner}/${repo}`.toLowerCase();
    const cached = this.readTokens.get(key);
    if (cached && cached.expiresAt - TOKEN_MARGIN_MS > this.now()) return cached.token;
    const { data: installation } = await octokit.request('GET /repos/{owner}/{repo}/installation', { owner, repo });
    const { data } = await octokit.request('POST /app/installations/{installation_id}/access_tokens', {
      installation_id: installation.id,
      repositories: [repo],
      permissions: { contents: 'read' },
    });
    this.readTokens.set(key, { token: data.token, expiresAt: Date.parse(data.expires_at) });
    return data.token;
  }
}
