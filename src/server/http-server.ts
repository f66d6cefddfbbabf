import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A request handler mounted under a prefix. It gets the request with `url` unchanged (the prefix
 * included) and answers it; returning false passes the request on to the next handler.
 */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface SkiffHttpServerOptions {
  /** Whether Skiff is ready to take work (`/readyz`); a reason when not. Always ready when absent. */
  readiness?: () => Promise<true | string> | true | string;
  /** Where an unexpected handler failure is reported (the request itself gets a 500). */
  onError?: (error: unknown, req: IncomingMessage) => void;
}

/**
 * The one HTTP server of `skiff serve`: `/healthz` (the process answers), `/readyz` (it can take
 * work) and handlers mounted by path prefix, longest prefix first, so the webhook receiver, the
 * run page and metrics live side by side without knowing about each other.
 *
 * @example
 *   const http = new SkiffHttpServer();
 *   http.mount('/api/github/webhooks', webhookHandler);
 *   http.mount('/runs/', runPageHandler);
 *   await http.listen(3000, '0.0.0.0');
 */
export class SkiffHttpServer {
  readonly server: Server;
  private readonly routes: Array<{ prefix: string; handler: RequestHandler }> = [];

  constructor(private readonly options: SkiffHttpServerOptions = {}) {
    this.server = createServer((req, res) => void this.dispatch(req, res));
  }

  /**
   * Sends requests whose path is `prefix` or starts with it (at a `/` boundary when the prefix
   * does not end in one) to `handler`.
   */
  mount(prefix: string, handler: RequestHandler): void {
    if (!prefix.startsWith('/')) throw new Error(`a mount prefix starts with "/", not "${prefix}"`);
    if (prefix === '/healthz' || prefix === '/readyz') throw new Error(`${prefix} is the server's own`);
    this.routes.push({ prefix, handler });
    this.routes.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** Listens on `port` (0: any free port) and `host`; resolves with the address taken. */
  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      // GitHub may send hundreds of deliveries at once: a connection the accept queue has no room
      // for waits a second for its retry (Node's default queue is 511; the kernel caps this).
      this.server.listen({ port, host, backlog: 4096 }, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req.url);
    try {
      if (path === '/healthz') return reply(res, 200, 'ok\n');
      if (path === '/readyz') {
        const ready = (await this.options.readiness?.()) ?? true;
        return ready === true ? reply(res, 200, 'ready\n') : reply(res, 503, `not ready: ${ready}\n`);
      }
      for (const route of this.routes) {
        if (!matches(path, route.prefix)) continue;
        if ((await route.handler(req, res)) !== false) return;
      }
      reply(res, 404, 'not found\n');
    } catch (error) {
      this.options.onError?.(error, req);
      if (!res.headersSent) reply(res, 500, 'internal error\n');
      else res.destroy();
    }
  }
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const end = raw.search(/[?#]/);
  return end === -1 ? raw : raw.slice(0, end);
}

function matches(path: string, prefix: string): boolean {
  if (prefix.endsWith('/')) return path.startsWith(prefix) || path === prefix.slice(0, -1);
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** A plain-text answer. */
export function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
