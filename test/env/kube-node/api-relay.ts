import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Makes the pod bridge (the CNI bridge plugin adopts an existing bridge) with the gateway address on
 * the host, so something can listen there before the first pod exists.
 */
export async function createBridge(name: string, gateway: string, prefixLength: number): Promise<void> {
  if (!existsSync(`/sys/class/net/${name}`)) await run('ip', ['link', 'add', 'name', name, 'type', 'bridge']);
  const { stdout } = await run('ip', ['-4', '-o', 'addr', 'show', 'dev', name]);
  if (!stdout.includes(` ${gateway}/`)) await run('ip', ['addr', 'add', `${gateway}/${prefixLength}`, 'dev', name]);
  await run('ip', ['link', 'set', name, 'up']);
}

/** A TCP relay; close() ends the listener and every relayed connection. */
export interface TcpRelay {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Relays TCP connections from `host`:random port to `target` (the API server on 127.0.0.1). Pods on
 * the bridge reach the host only at the gateway address, and the API server listens on loopback alone;
 * TLS passes through untouched (the serving certificate is valid for the gateway address). The relay
 * lives in the test process, so it dies with it.
 */
export async function startTcpRelay(host: string, target: { host: string; port: number }): Promise<TcpRelay> {
  const open = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = createConnection(target);
    for (const socket of [inbound, outbound]) {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
      socket.on('error', () => {
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  // The relay must not keep a finished test process alive.
  server.unref();
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the relay has no TCP address');
  return {
    port: address.port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
