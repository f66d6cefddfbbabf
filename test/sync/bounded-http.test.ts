import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HttpClient } from 'isomorphic-git';
import { boundedHttp } from '../../src/sync/bounded-http.js';

function serving(chunks: number[]): HttpClient {
  return {
    async request({ url }) {
      return {
        url,
        statusCode: 200,
        statusMessage: 'OK',
        headers: {},
        body: (async function* () {
          for (const size of chunks) yield new Uint8Array(size);
        })(),
      };
    },
  };
}

async function drain(client: HttpClient): Promise<number> {
  const response = await client.request({ url: 'http://git.invalid/r.git/info/refs' });
  let total = 0;
  for await (const chunk of response.body ?? []) total += chunk.length;
  return total;
}

test('a response within the bound passes through unchanged', async () => {
  assert.equal(await drain(boundedHttp(serving([400, 600]), 1000)), 1000);
});

test('a response over the bound fails as soon as it crosses it', async () => {
  await assert.rejects(drain(boundedHttp(serving([400, 600, 1]), 1000)), /more than 1000 bytes/);
});
