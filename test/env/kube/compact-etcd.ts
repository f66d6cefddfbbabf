import { request } from 'node:https';
import type { ProbeTls } from './wait-for-ready.js';

function post(url: string, tls: ProbeTls, body: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', ca: tls.ca, cert: tls.cert, key: tls.key, timeout: 10_000, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`${url}: HTTP ${res.statusCode}: ${text.slice(0, 500)}`));
          else resolve(JSON.parse(text) as unknown);
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url}: timed out`)));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/**
 * Compacts etcd's history up to its current revision, through etcd's JSON gateway, and returns that
 * revision: every resourceVersion before it is gone, so a watch or list from one gets 410 Gone from
 * the API server, as it does in a cluster after the API server's periodic compaction.
 */
export async function compactEtcd(clientUrl: string, tls: ProbeTls): Promise<number> {
  // A range read of one (absent) key answers with the store's current revision in its header.
  const range = (await post(`${clientUrl}/v3/kv/range`, tls, { key: Buffer.from('\0').toString('base64') })) as { header?: { revision?: string } };
  const revision = Number(range.header?.revision);
  if (!Number.isSafeInteger(revision) || revision < 1) throw new Error(`etcd answered no revision: ${JSON.stringify(range)}`);
  await post(`${clientUrl}/v3/kv/compaction`, tls, { revision: String(revision), physical: true });
  return revision;
}
