import { RepositoryMirror } from '../sync/repository-mirror.js';
import type { RepositoryTree } from '../sync/repository-tree.js';
import type { InstallationOctokit } from './github-types.js';

/**
 * The repositories' files as the App reads them: through one persistent git mirror per
 * repository, fetched with the installation's token (asked for on each fetch, never stored in
 * the mirror), and read from git objects — no checkout, no symlink followed, nothing outside the
 * repository reachable.
 */
export class RepositoryAccess {
  private readonly tokens = new Map<string, () => Promise<string>>();
  readonly mirror: RepositoryMirror;

  constructor(root: string) {
    this.mirror = new RepositoryMirror({ root, token: (url) => this.tokens.get(url)?.() });
  }

  /** The files of `commit` (default: the tip of `ref`), fetched through `ref` (`refs/pull/7/head`, `refs/heads/main`) when not already mirrored. */
  async treeAt(octokit: InstallationOctokit, cloneUrl: string, ref: string, commit: string | undefined): Promise<RepositoryTree> {
    const url = new URL(cloneUrl).href;
    this.tokens.set(url, async () => ((await octokit.auth({ type: 'installation' })) as { token: string }).token);
    const fetched = await this.mirror.fetchCommit({ url, ref, ...(commit !== undefined ? { commit } : {}) });
    return this.mirror.treeAt(url, fetched.commit);
  }
}
