import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunPageHandler } from './run-page-handler.js';

/**
 * The small HTTP server of `skiff ui`: the run page's handler, a 404 for anything else. Listens
 * on `host` (loopback unless told otherwise: the links are the only protection, and a link is a
 * bearer credential). Resolves once listening, with the address it got (port 0: any free port).
 */
export async function startRunPageServer(
  handler: RunPageHandler,
  host: string,
  port: number,
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    handler(req, res).then(
      (handled) => {
        if (handled) return;
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
        res.end('Not found. A run page opens from its signed link (skiff ui --link NAME).\n');
      },
      (error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`The run page failed: ${(error as Error).message}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${shownHost}:${address.port}`,
    close: async () => {
      handler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
