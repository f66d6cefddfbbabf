import type { ProbotOctokit } from 'probot';

/** The installation-authenticated client handlers get from Probot. */
export type InstallationOctokit = InstanceType<typeof ProbotOctokit>;

/** A repository as the handlers address it. */
export interface RepoRef {
  owner: string;
  repo: string;
}
