import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBareRepo, type BareRepo, type CreateBareRepoOptions, type RepoFiles } from './create-bare-repo.js';

/** Debian's git ships the smart-HTTP CGI program here. */
export const GIT_HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';

export interface GitServerOptions {
  /** Require HTTP Basic auth with these credentials on every request (401 otherwise). */
  auth?: { username: string; password: string };
}

export interface GitRequestRecord {
  method: string;
  path: string;
  query: string;
  /** The request's Content-Encoding (the git CLI gzips larger fetch negotiations). */
  contentEncoding?: string;
  status: number;
}

export interface GitServer {
  /** e.g. `http://127.0.0.1:41234` */
  baseUrl: string;
  /** Directory holding the bare repositories. */
  root: string;
  /** Clone URL of repository `name`: `${baseUrl}/${name}.git`. */
  url(name: string): string;
  /** Creates bare repository `name` with one commit holding `files`; returns it with its clone URL. */
  createRepo(name: string, files: RepoFiles, options?: CreateBareRepoOptions): Promise<BareRepo & { url: string }>;
  /** Every request served so far, oldest first (e.g. to assert a push reached the server). */
  requests: GitRequestRecord[];
  /** Closes the server and deletes the repositories. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a git smart-HTTP server on 127.0.0.1 (a free port): Node's HTTP server in front of
 * `git http-backend`, serving every bare repository under a fresh temporary directory, clone, fetch
 * and push.
 *
 * @example
 *   const server = await startGitServer();
 *   const { url, commit } = await server.createRepo('flows', { 'hello.yaml': 'kind: Workflow\n' });
 *   // ... git.clone({ fs, http, dir, url }) ...
 *   await server.stop();
 */
export async function startGitServer(options: GitServerOptions = {}): Promise<GitServer> {
  const root = await mkdtemp(join(tmpdir(), 'skiff-git-server-'));
  const requests: GitRequestRecord[] = [];
  const expectedAuth = options.auth ? `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}` : undefined;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: GitRequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search.slice(1),
      contentEncoding: req.headers['content-encoding'],
      status: 0,
    };
    requests.push(record);
    res.once('finish', () => (record.status = res.statusCode));
    if (expectedAuth && req.headers.authorization !== expectedAuth) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="skiff-test-git"', 'Content-Type': 'text/plain' });
      res.end('authentication required\n');
      req.resume();
      return;
    }
    serveWithBackend(req, res, url, root, options.auth?.username ?? 'skiff-test');
  });
  // git keeps connections alive between the requests of one operation; don't let stop() wait on them.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const url = (name: string): string => `${baseUrl}/${name}.git`;

  let stopping: Promise<void> | undefined;
  return {
    baseUrl,
    root,
    url,
    requests,
    async createRepo(name, files, createOptions) {
      const repo = await createBareRepo(root, name, files, createOptions);
      return { ...repo, url: url(name) };
    },
    stop() {
      stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await rm(root, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/** Runs one request through the CGI program: request body to its stdin, its stdout back as the response. */
function serveWithBackend(req: IncomingMessage, res: ServerResponse, url: URL, root: string, remoteUser: string): void {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    SERVER_SOFTWARE: 'skiff-test-git-server',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    // receive-pack (push) is refused to anonymous users unless REMOTE_USER is set.
    REMOTE_USER: remoteUser,
  };
  const setFromHeader = (name: string, header: string): void => {
    const value = req.headers[header];
    if (typeof value === 'string') env[name] = value;
  };
  setFromHeader('CONTENT_TYPE', 'content-type');
  // Without CONTENT_LENGTH http-backend reads the body to EOF, which is what a chunked upload needs.
  setFromHeader('CONTENT_LENGTH', 'content-length');
  // The git CLI gzips large request bodies; http-backend inflates them only when told.
  setFromHeader('HTTP_CONTENT_ENCODING', 'content-encoding');
  // Protocol v2 is negotiated through this header.
  setFromHeader('GIT_PROTOCOL', 'git-protocol');

  const backend = spawn(GIT_HTTP_BACKEND, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: Buffer[] = [];
  backend.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  backend.stdin.on('error', () => {
    // the backend may answer (e.g. 404) without reading the body
  });
  req.pipe(backend.stdin);

  let head = Buffer.alloc(0);
  let headersSent = false;
  const fail = (message: string): void => {
    if (headersSent) {
      res.destroy(new Error(message));
      return;
    }
    headersSent = true;
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end(`${message}\n`);
  };

  backend.stdout.on('data', (chunk: Buffer) => {
    if (headersSent) {
      if (!res.write(chunk)) {
        backend.stdout.pause();
        res.once('drain', () => backend.stdout.resume());
      }
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = findHeaderEnd(head);
    if (!end) return;
    const { status, headers } = parseCgiHeaders(head.subarray(0, end.index).toString('latin1'));
    headersSent = true;
    res.writeHead(status, headers);
    const rest = head.subarray(end.index + end.length);
    if (rest.length) res.write(rest);
  });
  backend.once('error', (err) => fail(`git http-backend could not start: ${err.message}`));
  backend.once('close', (code) => {
    if (!headersSent) {
      fail(`git http-backend exited with ${code} before sending headers: ${Buffer.concat(stderr).toString()}`);
      return;
    }
    res.end();
  });
  res.once('close', () => {
    if (backend.exitCode === null) backend.kill('SIGKILL');
  });
}

function findHeaderEnd(buf: Buffer): { index: number; length: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { index: crlf, length: 4 };
  if (lf >= 0) return { index: lf, length: 2 };
  return undefined;
}

function parseCgiHeaders(text: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
    else headers[name] = value;
  }
  return { status, headers };
}
