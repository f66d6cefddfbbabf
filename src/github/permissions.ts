import { readRepositoryConfig } from '../sync/repository-config.js';
import type { InstallationOctokit, RepoRef } from './github-types.js';
import type { RepositoryAccess } from './repository-access.js';

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

/**
 * Whether `login` may use the comment commands: write access, or active membership of one of
 * `teams` (`org/team-slug`, the repository config's `commands.teams`). Only teams of the
 * organization owning the repository count: the App's token sees no other organization's teams,
 * and a config must not lend its commands to strangers' teams. A pending invitation is no membership.
 * `teams` is asked for only when write access does not already decide.
 */
export async function mayUseCommands(octokit: InstallationOctokit, repo: RepoRef, login: string, teams: () => Promise<readonly string[]>): Promise<boolean> {
  if (await canWrite(octokit, repo, login)) return true;
  for (const team of await teams()) {
    const [org, slug] = team.split('/');
    if (!org || !slug || org.toLowerCase() !== repo.owner.toLowerCase()) continue;
    try {
      const { data } = await octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: slug, username: login });
      if (data.state === 'active') return true;
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
    }
  }
  return false;
}

/** The teams the default branch's config (`commands.teams`) lets command; none when it has no valid config. */
export async function configuredCommandTeams(
  access: RepositoryAccess,
  octokit: InstallationOctokit,
  repository: { cloneUrl: string; defaultBranch: string },
): Promise<string[]> {
  const tree = await access.treeAt(octokit, repository.cloneUrl, `refs/heads/${repository.defaultBranch}`, undefined);
  const config = await readRepositoryConfig(tree);
  return config.ok ? config.config.commandTeams : [];
}
