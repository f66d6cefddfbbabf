import { GitHubApiError } from '../github-api-error.js';
import { paginate, param, intParam, type RouteTable } from './api-route.js';

/** Operations GitHub authenticates with the app's JWT rather than an installation token. */
export const APP_JWT_OPERATIONS = new Set([
  'apps/get-authenticated',
  'apps/list-installations',
  'apps/get-installation',
  'apps/create-installation-access-token',
  'apps/get-repo-installation',
  'apps/get-org-installation',
  'apps/get-user-installation',
]);

/** The app's own endpoints: who it is, where it is installed, installation access tokens. */
export const appRoutes: RouteTable = {
  'apps/get-authenticated': (ctx) => ({ status: 200, body: ctx.repr.integration() }),

  'apps/list-installations': (ctx) => {
    const all = [...ctx.state.installations.values()].map((i) => ctx.repr.installation(i));
    const { page, headers } = paginate(ctx, all);
    return { status: 200, body: page, headers };
  },

  'apps/get-installation': (ctx) => ({ status: 200, body: ctx.repr.installation(ctx.state.installation(intParam(ctx, 'installation_id'))) }),

  'apps/get-repo-installation': (ctx) => {
    const repo = ctx.state.repo(param(ctx, 'owner'), param(ctx, 'repo'));
    if (repo.installationId === undefined) throw GitHubApiError.notFound();
    return { status: 200, body: ctx.repr.installation(ctx.state.installation(repo.installationId)) };
  },

  'apps/get-user-installation': (ctx) => installationOfAccount(ctx, param(ctx, 'username')),
  'apps/get-org-installation': (ctx) => installationOfAccount(ctx, param(ctx, 'org')),

  'apps/create-installation-access-token': (ctx) => {
    const installation = ctx.state.installation(intParam(ctx, 'installation_id'));
    let restricted: Set<number> | undefined;
    const names = ctx.body.repositories as string[] | undefined;
    const ids = ctx.body.repository_ids as number[] | undefined;
    if (names || ids) {
      restricted = new Set();
      for (const name of names ?? []) {
        const repo = [...installation.repositoryIds].map((id) => ctx.state.repoById(id)).find((r) => r.name.toLowerCase() === name.toLowerCase());
        if (!repo)
          throw GitHubApiError.validationFailed(
            'Installation',
            'repositories',
            `There is at least one repository that does not exist or is not accessible to the parent installation: ${name}`,
          );
        restricted.add(repo.id);
      }
      for (const id of ids ?? []) {
        if (!installation.repositoryIds.has(id))
          throw GitHubApiError.validationFailed(
            'Installation',
            'repository_ids',
            `There is at least one repository that does not exist or is not accessible to the parent installation: ${id}`,
          );
        restricted.add(id);
      }
    }
    const permissions = (ctx.body.permissions as Record<string, string> | undefined) ?? installation.permissions;
    for (const [name, level] of Object.entries(permissions)) {
      const granted = installation.permissions[name];
      if (!granted || (granted === 'read' && level !== 'read')) {
        throw GitHubApiError.validationFailed(
          'Installation',
          'permissions',
          `The permissions requested are not granted to this installation: ${name}=${level}`,
        );
      }
    }
    const token = ctx.state.issueToken(installation.id, restricted, permissions);
    return { status: 201, body: ctx.repr.installationToken(token) };
  },
};

function installationOfAccount(ctx: Parameters<RouteTable[string]>[0], login: string): { status: number; body: unknown } {
  const installation = [...ctx.state.installations.values()].find((i) => i.account.login.toLowerCase() === login.toLowerCase());
  if (!installation) throw GitHubApiError.notFound();
  return { status: 200, body: ctx.repr.installation(installation) };
}
