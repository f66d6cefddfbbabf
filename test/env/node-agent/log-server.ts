import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface LogServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The part of the kubelet API that `kubectl logs` reaches through the API server:
 * GET /containerLogs/{namespace}/{pod}/{container}[?tailLines=N][?follow=true]. HTTPS with a
 * throwaway self-signed certificate (the API server does not verify kubelets unless told to).
 * With follow, what the container writes is sent as it comes, until `running` says its pod ended
 * (as the kubelet ends a followed log when its container exits).
 */
export async function startLogServer(
  dir: string,
  logFile: (namespace: string, pod: string, container: string) => string | undefined,
  running: (namespace: string, pod: string) => boolean = () => false,
): Promise<LogServer> {
  const key = join(dir, 'kubelet.key');
  const cert = join(dir, 'kubelet.crt');
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '2',
    '-subj',
    '/CN=skiff-test-node',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  const server: Server = createServer({ key: await readFile(key), cert: await readFile(cert) }, (request, response) => {
    const url = new URL(request.url ?? '/', 'https://127.0.0.1');
    const match = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    const path = match ? logFile(decodeURIComponent(match[1]!), decodeURIComponent(match[2]!), decodeURIComponent(match[3]!)) : undefined;
    if (!path) {
      response.writeHead(404).end('not found\n');
      return;
    }
    stat(path).then(
      async () => {
        response.writeHead(200, { 'Content-Type': 'text/plain' });
        const tail = Number(url.searchParams.get('tailLines'));
        if (url.searchParams.get('follow') === 'true') {
          await followFile(path, () => running(decodeURIComponent(match![1]!), decodeURIComponent(match![2]!)), response);
        } else if (Number.isInteger(tail) && tail > 0) {
          const lines = (await readFile(path, 'utf8')).split('\n');
          if (lines.at(-1) === '') lines.pop();
          response.end(
            lines
              .slice(-tail)
              .map((l) => `${l}\n`)
              .join(''),
          );
        } else {
          createReadStream(path).pipe(response);
        }
      },
      () => response.writeHead(404).end('no logs yet\n'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Sends a file as it grows (a look every 100 ms) until `running` turns false and all of it was sent, or the client goes. */
async function followFile(path: string, running: () => boolean, response: import('node:http').ServerResponse): Promise<void> {
  let closed = false;
  response.on('close', () => {
    closed = true;
  });
  const handle = await open(path, 'r');
  let offset = 0;
  try {
    while (!closed) {
      const still = running();
      const size = (await handle.stat()).size;
      if (size > offset) {
        const bytes = Buffer.alloc(size - offset);
        const { bytesRead } = await handle.read(bytes, 0, bytes.length, offset);
        offset += bytesRead;
        response.write(bytes.subarray(0, bytesRead));
      }
      if (!still) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await handle.close();
    response.end();
  }
}
