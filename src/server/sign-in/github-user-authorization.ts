/** A GitHub App's OAuth client and where GitHub is. */
export interface GitHubOAuthSettings {
  clientId: string;
  clientSecret: string;
  /** github.com, or a GitHub Enterprise Server's address (its web pages, not its API). */
  webUrl: string;
  /** GitHub's REST API (https://api.github.com, or https://HOST/api/v3). */
  apiUrl: string;
}

/** What a person may do on a repository, as the collaborator permission endpoint says it. */
export type RepositoryPermission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

/**
 * The App's user authorization (GitHub's OAuth web flow): the address that asks GitHub to
 * authorize, the exchange of the code it sends back for a user access token, and the calls made
 * with that token (who the person is, their permission on a repository). Every answer is checked:
 * GitHub answers a bad code with status 200 and an `error` field.
 */
export class GitHubUserAuthorization {
  constructor(
    private readonly settings: GitHubOAuthSettings,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** The address to send the browser to: GitHub asks the person, then redirects to `redirectUri` with `code` and `state`. */
  authorizeUrl(redirectUri: string, state: string): string {
    const url = new URL(`${this.settings.webUrl.replace(/\/+$/, '')}/login/oauth/authorize`);
    url.searchParams.set('client_id', this.settings.clientId);
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('state', state);
    url.searchParams.set('allow_signup', 'false');
    return url.toString();
  }

  /** A user access token for the code GitHub sent back. */
  async exchangeCode(code: string, redirectUri: string): Promise<string> {
    const response = await this.fetchImpl(`${this.settings.webUrl.replace(/\/+$/, '')}/login/oauth/access_token`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: this.settings.clientId, client_secret: this.settings.clientSecret, code, redirect_uri: redirectUri }),
      signal: AbortSignal.timeout(15_000),
    });
    const body = (await response.json().catch(() => ({}))) as { access_token?: unknown; error?: unknown; error_description?: unknown };
    if (!response.ok || typeof body.access_token !== 'string') {
      throw new Error(`GitHub refused the sign-in: ${String(body.error_description ?? body.error ?? `status ${response.status}`)}`);
    }
    return body.access_token;
  }

  /** The login of the person the token is for. */
  async login(token: string): Promise<string> {
    const body = (await this.api(token, '/user')) as { login?: unknown };
    if (typeof body.login !== 'string') throw new Error('GitHub answered /user without a login');
    return body.login;
  }

  /** The person's permission on `owner/repo`; `none` when GitHub shows them nothing of it. */
  async permission(token: string, fullName: string, login: string): Promise<RepositoryPermission> {
    const [owner = '', repo = ''] = fullName.split('/');
    let body: { permission?: unknown; role_name?: unknown };
    try {
      body = (await this.api(
        token,
        `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/collaborators/${encodeURIComponent(login)}/permission`,
      )) as typeof body;
    } catch (error) {
      if ((error as { status?: number }).status === 404 || (error as { status?: number }).status === 403) return 'none';
      throw error;
    }
    // role_name tells maintain from write (the legacy `permission` folds it in); a custom role's
    // name says nothing of its base, which the legacy field gives.
    const roles = ['admin', 'maintain', 'write', 'triage', 'read'] as const;
    return roles.find((p) => p === body.role_name) ?? roles.find((p) => p === body.permission) ?? 'none';
  }

  private async api(token: string, path: string): Promise<unknown> {
    const response = await this.fetchImpl(`${this.settings.apiUrl.replace(/\/+$/, '')}${path}`, {
      headers: { accept: 'application/vnd.github+json', authorization: `Bearer ${token}`, 'user-agent': 'skiff', 'x-github-api-version': '2022-11-28' },
      signal: AbortSignal.timeout(15_000),
    });
    if (!response.ok) throw Object.assign(new Error(`GitHub answered ${path} with status ${response.status}`), { status: response.status });
    return response.json();
  }
}

/** Whether a permission lets a person act on a repository's runs: write, maintain or admin, as the comment commands require. */
export function mayAct(permission: RepositoryPermission): boolean {
  return permission === 'admin' || permission === 'maintain' || permission === 'write';
}

/** github.com for api.github.com; a GitHub Enterprise Server's host for its `/api/v3`. */
export function webUrlOf(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === 'api.github.com') return 'https://github.com';
  return `${url.origin}${url.pathname.replace(/\/api\/v3\/?$/, '').replace(/\/+$/, '')}`;
}
