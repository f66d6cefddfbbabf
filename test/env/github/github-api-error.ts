const DOCS = 'https://docs.github.com/rest';

/** The JSON body GitHub answers errors with (`basic-error` / `validation-error` in its description). */
export interface GitHubErrorBody {
  message: string;
  documentation_url: string;
  status: string;
  errors?: Array<{ resource?: string; field?: string; code: string; message?: string }>;
}

/**
 * An error answer of the fake, in GitHub's shapes. Route handlers throw it; the server turns it into
 * the response.
 */
export class GitHubApiError extends Error {
  readonly body: GitHubErrorBody;

  constructor(
    readonly status: number,
    message: string,
    errors?: GitHubErrorBody['errors'],
  ) {
    super(message);
    this.name = 'GitHubApiError';
    this.body = { message, documentation_url: DOCS, status: String(status), ...(errors ? { errors } : {}) };
  }

  /** GitHub's answer to an unknown route, a wrong method, or a resource the caller may not see. */
  static notFound(): GitHubApiError {
    return new GitHubApiError(404, 'Not Found');
  }

  static badCredentials(): GitHubApiError {
    return new GitHubApiError(401, 'Bad credentials');
  }

  /** What GitHub says when a request does not match the operation's schema. */
  static invalidRequest(problems: readonly string[]): GitHubApiError {
    return new GitHubApiError(422, `Invalid request.\n\n${problems.join('\n')}`);
  }

  /** A well-formed request that GitHub still refuses (e.g. a check run for a commit it doesn't know). */
  static validationFailed(resource: string, field: string, message: string): GitHubApiError {
    return new GitHubApiError(422, 'Validation Failed', [{ resource, field, code: 'custom', message }]);
  }
}
