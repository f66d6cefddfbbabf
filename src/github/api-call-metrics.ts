import type { ProbotOctokit } from 'probot';
import type { Metrics } from '../server/metrics.js';

export const API_CALLS = 'skiff_github_api_calls_total';
export const RATE_LIMIT_REMAINING = 'skiff_github_rate_limit_remaining';

/**
 * An Octokit counting its calls to GitHub by route (the endpoint's template, such as
 * `/repos/{owner}/{repo}/check-runs`, so the series stay few) and status, and keeping the
 * `x-ratelimit-remaining` GitHub last answered for each rate-limit resource. Each call is counted
 * once, with its final status (after Octokit's own retries).
 */
export function withApiCallMetrics(Octokit: typeof ProbotOctokit, metrics: Metrics): typeof ProbotOctokit {
  const remaining = new Map<string, number>();
  metrics.labelledGauge(RATE_LIMIT_REMAINING, 'GitHub API calls left in the current rate-limit window, as GitHub last said, by resource', () =>
    [...remaining].map(([resource, value]) => [{ resource }, value] as [Record<string, string>, number]),
  );
  const note = (headers: Record<string, unknown> | undefined): void => {
    const value = Number(headers?.['x-ratelimit-remaining']);
    if (headers?.['x-ratelimit-remaining'] !== undefined && Number.isFinite(value)) remaining.set(String(headers['x-ratelimit-resource'] ?? 'core'), value);
  };
  return Octokit.plugin((octokit) => {
    octokit.hook.wrap('request', async (request, options) => {
      const route = { method: String(options.method ?? 'GET').toUpperCase(), route: routeOf(String(options.url ?? '')) };
      try {
        const response = await request(options);
        metrics.count(API_CALLS, { ...route, status: String(response.status) });
        note(response.headers);
        return response;
      } catch (error) {
        const failed = error as { status?: number; response?: { headers?: Record<string, unknown> } };
        metrics.count(API_CALLS, { ...route, status: failed.status !== undefined ? String(failed.status) : 'error' });
        note(failed.response?.headers);
        throw error;
      }
    });
  }) as unknown as typeof ProbotOctokit;
}

/**
 * The route of a call: the endpoint's template as given; a full URL (a next page GitHub linked to)
 * becomes its path with the repository as `{owner}/{repo}` and numbers as `{id}`, so a series is
 * per endpoint, never per repository.
 */
function routeOf(url: string): string {
  if (!/^https?:\/\//.test(url)) return url.split('?')[0]!;
  return new URL(url).pathname.replace(/\/repos\/[^/]+\/[^/]+/, '/repos/{owner}/{repo}').replace(/\/\d+(?=\/|$)/g, '/{id}');
}
