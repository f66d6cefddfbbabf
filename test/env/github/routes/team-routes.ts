import { GitHubApiError } from '../github-api-error.js';
import { param, type RouteTable } from './api-route.js';

/** Team membership, as the App (with `members: read`) sees it in the organizations it is installed on. */
export const teamRoutes: RouteTable = {
  'teams/get-membership-for-user-in-org': (ctx) => {
    const org = param(ctx, 'org');
    // An installation token sees only its own organization's teams; any other answers 404, as on GitHub.
    if (ctx.caller.kind === 'installation') {
      const installation = ctx.state.installation(ctx.caller.token.installationId);
      if (installation.account.login.toLowerCase() !== org.toLowerCase()) throw GitHubApiError.notFound();
      if (!ctx.caller.token.permissions.members) throw new GitHubApiError(403, 'Resource not accessible by integration');
    }
    const team = ctx.state.teams.get(`${org}/${param(ctx, 'team_slug')}`.toLowerCase());
    const membership = team?.members.get(param(ctx, 'username').toLowerCase());
    if (!team || !membership) throw GitHubApiError.notFound();
    return {
      status: 200,
      body: {
        url: `${ctx.repr.baseUrl}/organizations/${team.id}/team/${team.id}/memberships/${encodeURIComponent(param(ctx, 'username'))}`,
        role: membership.role,
        state: membership.state,
      },
    };
  },
};
