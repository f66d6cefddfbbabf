import type { InstallationOctokit, RepoRef } from './github-types.js';

/**
 * Whether `login` may command Skiff in a repository: write, maintain or admin, as the collaborator
 * permission endpoint says (an outside reader, or a user unknown to the repository, may not).
 */
export async function canWrite(octokit: InstallationOctokit, repo: RepoRef, login: string): Promise<boolean> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: login });
    return data.permission === 'admin' || data.permission === 'write' || data.role_name === 'maintain';
  } catch (error) {
    // 404: not a collaborator at all. Anything else is not a yes either.
    if ((error as { status?: number }).status === 404) return false;
    throw error;
  }
}
