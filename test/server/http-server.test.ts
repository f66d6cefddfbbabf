import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { reply, SkiffHttpServer } from '../../src/server/http-server.js';

let server: SkiffHttpServer;
let base: string;
let ready: true | string = 'starting';
const errors: unknown[] = [];

before(async () => {
  server = new SkiffHttpServer({ readiness: () => ready, onError: (error) => errors.push(error) });
  server.mount('/runs/', (req, res) => reply(res, 200, `runs ${req.url}`));
  server.mount('/runs/special', (_req, res) => reply(res, 200, 'special'));
  server.mount('/api', (req, res) => (req.url === '/api/pass' ? false : reply(res, 200, 'api')));
  server.mount('/boom', () => {
    throw new Error('handler bug');
  });
  const address = await server.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${address.port}`;
});
after(async () => server.close());

const get = async (path: string) => {
  const response = await fetch(`${base}${path}`);
  return [response.status, await response.text()] as const;
};

test('health and readiness', async () => {
  assert.deepEqual(await get('/healthz'), [200, 'ok\n']);
  assert.deepEqual(await get('/readyz'), [503, 'not ready: starting\n']);
  ready = true;
  assert.deepEqual(await get('/readyz?verbose'), [200, 'ready\n']);
});

test('the longest mounted prefix wins, at path boundaries; a handler may pass', async () => {
  assert.deepEqual(await get('/runs/ci/a?x=1'), [200, 'runs /runs/ci/a?x=1']);
  assert.deepEqual(await get('/runs'), [200, 'runs /runs']);
  assert.deepEqual(await get('/runs/special'), [200, 'special']);
  assert.deepEqual(await get('/api/x'), [200, 'api']);
  assert.deepEqual(await get('/apix'), [404, 'not found\n']);
  assert.deepEqual(await get('/api/pass'), [404, 'not found\n']);
});

test('a failing handler is a 500, reported, and the server goes on', async () => {
  assert.deepEqual(await get('/boom'), [500, 'internal error\n']);
  assert.match(String(errors.at(-1)), /handler bug/);
  assert.deepEqual(await get('/healthz'), [200, 'ok\n']);
  assert.throws(() => server.mount('/healthz', () => undefined), /server's own/);
  assert.throws(() => server.mount('runs', () => undefined), /starts with/);
});
