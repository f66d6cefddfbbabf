import { execFile } from 'node:child_process';
import { open, readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { formatRfc3339Nano, LogTimes } from '../../../src/state/log-times.js';

export interface LogServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The part of the kubelet API that `kubectl logs` reaches through the API server:
 * GET /containerLogs/{namespace}/{pod}/{container}, with the kubelet's tailLines, sinceSeconds,
 * sinceTime and timestamps (each line's time from the times the local runtime keeps beside the
 * log, see src/state/log-times.ts), and follow: what the container writes is sent as it comes
 * (with the same options),
 * until `running` says its pod ended (as the kubelet ends a followed log when its container
 * exits). HTTPS with a throwaway self-signed certificate (the API server does not verify kubelets
 * unless told to).
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
      async ({ mtime }) => {
        response.writeHead(200, { 'Content-Type': 'text/plain' });
        if (url.searchParams.get('follow') === 'true') {
          await followFile(path, () => running(decodeURIComponent(match![1]!), decodeURIComponent(match![2]!)), response, url.searchParams);
        } else {
          response.end(await kubeletLog(path, mtime, url.searchParams));
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

/**
 * Sends a log as it grows (a look every 100 ms) until `running` turns false and all of it was
 * sent, or the client goes: whole lines, each with its time when `timestamps` is asked, the first
 * look cut to `tailLines` and every line to `sinceSeconds`/`sinceTime`, as the kubelet follows.
 */
async function followFile(path: string, running: () => boolean, response: import('node:http').ServerResponse, query: URLSearchParams): Promise<void> {
  let closed = false;
  response.on('close', () => {
    closed = true;
  });
  const handle = await open(path, 'r');
  const { tail, since, stamp } = logQuery(query);
  let times: LogTimes | undefined;
  let offset = 0;
  let partial = Buffer.alloc(0);
  let first = true;
  const send = (lines: Array<{ line: string; micros: number }>): void => {
    const shown = first && tail !== undefined ? lines.slice(lines.length - Math.min(tail, lines.length)) : lines;
    first = false;
    const text = shown
      .filter(({ micros }) => since === undefined || micros >= since * 1000)
      .map(({ line, micros }) => `${stamp ? `${formatRfc3339Nano(micros)} ` : ''}${line}\n`)
      .join('');
    if (text) response.write(text);
  };
  try {
    while (!closed) {
      const still = running();
      const size = (await handle.stat()).size;
      if (size > offset) {
        const bytes = Buffer.alloc(size - offset);
        const { bytesRead } = await handle.read(bytes, 0, bytes.length, offset);
        if (times) await times.refresh();
        else times = (await LogTimes.load(path)) ?? undefined;
        const chunk = Buffer.concat([partial, bytes.subarray(0, bytesRead)]);
        const chunkStart = offset - partial.length;
        offset += bytesRead;
        const lines: Array<{ line: string; micros: number }> = [];
        let from = 0;
        for (let newline = chunk.indexOf(10); newline >= 0; newline = chunk.indexOf(10, from)) {
          lines.push({ line: chunk.subarray(from, newline).toString('utf8'), micros: times?.timeOf(chunkStart + newline) ?? Date.now() * 1000 });
          from = newline + 1;
        }
        partial = Buffer.from(chunk.subarray(from));
        send(lines);
      }
      if (!still) {
        if (partial.length > 0) send([{ line: partial.toString('utf8'), micros: times?.timeOf(offset - 1) ?? Date.now() * 1000 }]);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await handle.close();
    response.end();
  }
}

/** The kubelet's log options in a request: tailLines, sinceSeconds or sinceTime (as ms since the epoch), timestamps. */
function logQuery(query: URLSearchParams): { tail: number | undefined; since: number | undefined; stamp: boolean } {
  const tail = Number(query.get('tailLines') ?? Number.NaN);
  const sinceSeconds = Number(query.get('sinceSeconds') ?? Number.NaN);
  const sinceTime = query.get('sinceTime');
  return {
    tail: Number.isInteger(tail) && tail >= 0 ? tail : undefined,
    since: Number.isInteger(sinceSeconds) ? Date.now() - sinceSeconds * 1000 : sinceTime ? Date.parse(sinceTime) : undefined,
    stamp: query.get('timestamps') === 'true',
  };
}

/**
 * A container's log as the kubelet serves it: the last `tailLines` lines, then of those the ones
 * written since `sinceSeconds` ago or `sinceTime`, each after its time (RFC 3339 with the fraction)
 * and a space when `timestamps` is true.
 */
async function kubeletLog(path: string, mtime: Date, query: URLSearchParams): Promise<string> {
  const text = await readFile(path);
  const times = await LogTimes.load(path);
  const lines: Array<{ line: string; micros: number }> = [];
  let from = 0;
  for (let newline = text.indexOf(10); newline >= 0; newline = text.indexOf(10, from)) {
    lines.push({ line: text.subarray(from, newline).toString('utf8'), micros: times?.timeOf(newline) ?? mtime.getTime() * 1000 });
    from = newline + 1;
  }
  if (from < text.length) lines.push({ line: text.subarray(from).toString('utf8'), micros: times?.timeOf(text.length - 1) ?? mtime.getTime() * 1000 });
  const { tail, since, stamp } = logQuery(query);
  return (tail !== undefined ? lines.slice(lines.length - Math.min(tail, lines.length)) : lines)
    .filter(({ micros }) => since === undefined || micros >= since * 1000)
    .map(({ line, micros }) => `${stamp ? `${formatRfc3339Nano(micros)} ` : ''}${line}\n`)
    .join('');
}
