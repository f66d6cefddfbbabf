import { GitHubApiError } from '../github-api-error.js';
import type { RouteTable } from './api-route.js';

/**
 * The operations a user access token (from the OAuth web flow, oauth-web-flow.ts) may call here:
 * who the person is, and their permission on a repository. Any other operation still wants an
 * installation token or the app's JWT.
 */
export const USER_TOKEN_OPERATIONS = new Set(['users/get-authenticated', 'repos/get-collaborator-permission-level']);

/** The signed-in person. */
export const userRoutes: RouteTable = {
  'users/get-authenticated': (ctx) => {
    if (ctx.caller.kind !== 'user') throw new GitHubApiError(403, 'Resource not accessible by integration');
    const user = ctx.caller.user;
    const created = ctx.state
      .now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    // public-user: the simple user's fields and the profile's, none of them known to the fake.
    return {
      status: 200,
      body: {
        ...ctx.repr.user(user),
        name: user.login,
        company: null,
        blog: '',
        location: null,
        email: null,
        hireable: null,
        bio: null,
        public_repos: 0,
        public_gists: 0,
        followers: 0,
        following: 0,
        created_at: created,
        updated_at: created,
      },
    };
  },
};
