// The first clone's download against what a hostile or broken server can answer: each is a clear
// error naming the repository, never a hang, a crash or a pack taken from the wrong channel.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GitHttpRequest, HttpClient } from 'isomorphic-git';
import { downloadShallowPack } from '../../src/sync/shallow-pack-download.js';

const URL = 'https://git.example/acme/flows.git';
const TIP = 'a'.repeat(40);

function pkt(text: string | Buffer): Buffer {
  const payload = Buffer.isBuffer(text) ? text : Buffer.from(text);
  return Buffer.concat([Buffer.from((payload.length + 4).toString(16).padStart(4, '0')), payload]);
}

const ADVERTISEMENT = Buffer.concat([
  pkt('# service=git-upload-pack\n'),
  Buffer.from('0000'),
  pkt(`${TIP} refs/heads/main\0multi_ack side-band-64k ofs-delta shallow agent=git/2\n`),
  Buffer.from('0000'),
]);

/** A server answering the two requests of a clone with the given bodies; it records the requests. */
function server(answer: Buffer, advertisement = ADVERTISEMENT, status = 200): { http: HttpClient; requests: GitHttpRequest[] } {
  const requests: GitHttpRequest[] = [];
  const http: HttpClient = {
    async request(request) {
      requests.push(request);
      const advertising = request.method === 'GET';
      return {
        url: request.url,
        method: request.method,
        statusCode: status,
        statusMessage: 'OK',
        headers: { 'content-type': advertising ? 'application/x-git-upload-pack-advertisement' : 'application/x-git-upload-pack-result' },
        body: (async function* () {
          yield advertising ? advertisement : answer;
        })(),
      };
    },
  };
  return { http, requests };
}

test('the pack is taken from side-band channel 1 only, with the shallow lines before it', async () => {
  const answer = Buffer.concat([
    pkt(`shallow ${TIP}\n`),
    Buffer.from('0000'),
    pkt('NAK\n'),
    pkt(Buffer.concat([Buffer.from([2]), Buffer.from('Counting objects: 3\n')])),
    pkt(Buffer.concat([Buffer.from([1]), Buffer.from('PACK-part-one')])),
    pkt(Buffer.concat([Buffer.from([1]), Buffer.from('-part-two')])),
    Buffer.from('0000'),
  ]);
  const { http, requests } = server(answer);
  const result = await downloadShallowPack({ http, url: URL, ref: 'refs/heads/main', token: 'ghs_secret' });
  assert.equal(result.pack.toString(), 'PACK-part-one-part-two');
  assert.deepEqual(result.shallow, [TIP]);
  assert.equal(result.commit, TIP);
  assert.equal(requests[0]?.url, `${URL}/info/refs?service=git-upload-pack`);
  assert.equal(requests[1]?.headers?.authorization, `Basic ${Buffer.from('x-access-token:ghs_secret').toString('base64')}`);
});

test('an error on channel 3, an ERR line, a malformed length, a missing ref or capability, a refusal: each named', async () => {
  const failing = Buffer.concat([pkt('NAK\n'), pkt(Buffer.concat([Buffer.from([3]), Buffer.from('upload-pack: out of memory\n')]))]);
  await assert.rejects(
    downloadShallowPack({ ...server(failing), url: URL, ref: 'refs/heads/main' }),
    /acme\/flows.git failed to send the pack: upload-pack: out of memory/,
  );
  await assert.rejects(downloadShallowPack({ ...server(pkt('ERR access denied\n')), url: URL, ref: 'refs/heads/main' }), /refused: access denied/);
  await assert.rejects(downloadShallowPack({ ...server(Buffer.from('zzzzjunk')), url: URL, ref: 'refs/heads/main' }), /malformed git protocol line at byte 0/);
  // A length past the end of what was sent is malformed too, not a wait for more.
  await assert.rejects(downloadShallowPack({ ...server(Buffer.from('ffffshort')), url: URL, ref: 'refs/heads/main' }), /malformed/);
  await assert.rejects(downloadShallowPack({ ...server(Buffer.from('0000')), url: URL, ref: 'refs/heads/main' }), /sent no pack/);
  await assert.rejects(downloadShallowPack({ ...server(Buffer.alloc(0)), url: URL, ref: 'refs/pull/9/head' }), /has no ref refs\/pull\/9\/head/);
  const noShallow = Buffer.concat([pkt(`${TIP} refs/heads/main\0side-band-64k\n`), Buffer.from('0000')]);
  await assert.rejects(downloadShallowPack({ ...server(Buffer.alloc(0), noShallow), url: URL, ref: 'refs/heads/main' }), /does not offer shallow/);
  await assert.rejects(downloadShallowPack({ ...server(Buffer.alloc(0), ADVERTISEMENT, 401), url: URL, ref: 'refs/heads/main' }), /needs a token \(HTTP 401\)/);
  await assert.rejects(
    downloadShallowPack({ ...server(Buffer.alloc(0), ADVERTISEMENT, 403), url: URL, ref: 'refs/heads/main', token: 't' }),
    /refused the token \(HTTP 403\)/,
  );
});
