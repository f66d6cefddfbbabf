import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { GitHubState } from './github-state.js';

/** `/{owner}/{repo}.git/...`: where GitHub serves a repository's git (github.com/owner/repo.git). */
export const GIT_PATH = /^\/([^/]+)\/([^/]+?)\.git(\/.*)?$/;

/**
 * Serves a fake repository's git on the fake's host by passing the request to the git smart-HTTP
 * server (test/env/git) that holds the bare repositories, streaming both ways. Like GitHub: a private
 * repository needs Basic auth whose password is a live installation token covering it (any user name,
 * GitHub suggests `x-access-token`), pushes always do, and an unknown repository is a 404.
 */
export function proxyGitRequest(req: IncomingMessage, res: ServerResponse, url: URL, state: GitHubState, gitServerUrl: string): void {
  const [, owner = '', name = ''] = GIT_PATH.exec(url.pathname) ?? [];
  const repo = state.repos.get(`${owner}/${name}`.toLowerCase());
  if (!repo) return refuse(req, res, 404, 'Repository not found.\n');
  const push = url.searchParams.get('service') === 'git-receive-pack' || url.pathname.endsWith('/git-receive-pack');
  if (repo.private || push) {
    const token = basicPassword(req.headers.authorization);
    const live = token ? state.liveToken(token) : undefined;
    if (!live || !state.tokenCovers(live, repo)) {
      res.setHeader('WWW-Authenticate', 'Basic realm="GitHub"');
      return refuse(req, res, 401, 'Invalid username or token.\n');
    }
  }
  const headers = { ...req.headers };
  delete headers.host;
  delete headers.authorization;
  // The git server stores `owner/name` at `<root>/owner/name.git`: the same path.
  const upstream = request(new URL(`${url.pathname}${url.search}`, gitServerUrl), { method: req.method, headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.once('error', (err) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`git server unreachable: ${err.message}\n`);
  });
  req.pipe(upstream);
}

function basicPassword(header: string | undefined): string | undefined {
  const m = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number, text: string): void {
  req.resume();
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(text);
}
