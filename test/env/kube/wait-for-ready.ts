import { request } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

/** TLS material for a probe: the CA to trust and, optionally, a client certificate to present. */
export interface ProbeTls {
  readonly ca: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

/** One HTTPS GET; resolves with the status code and body, rejects only on a transport error. */
export function httpsGet(url: string, tls: ProbeTls, timeoutMs = 5000, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const options = { method: 'GET', headers, ca: tls.ca, cert: tls.cert, key: tls.key, timeout: timeoutMs };
    const req = request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Polls `url` until it answers 200. Gives up when `deadlineMs` passes or when `abort` settles first
 * (a server process that exited), so a crashed server fails the wait at once instead of at the
 * deadline.
 */
export async function waitForReady(url: string, tls: ProbeTls, options: { deadlineMs: number; abort: Promise<string> }): Promise<void> {
  let stopped: string | undefined;
  void options.abort.then((reason) => (stopped = reason));
  const deadline = Date.now() + options.deadlineMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (stopped !== undefined) throw new Error(`gave up waiting for ${url}: ${stopped}`);
    try {
      const { status, body } = await httpsGet(url, tls, 2000);
      if (status === 200) return;
      last = `HTTP ${status}: ${body.slice(0, 2000)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`${url} not ready after ${options.deadlineMs} ms; last answer: ${last}`);
}
