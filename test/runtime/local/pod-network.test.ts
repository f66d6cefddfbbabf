import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { openPodNetwork, type PodNetwork } from '../../../src/runtime/local/pod-network.js';
import { checkOnce } from '../../../src/runtime/local/readiness-probe.js';

const relayScript = fileURLToPath(new URL('../../../src/runtime/local/network-relay.js', import.meta.url));

/** Listens on 127.0.0.1:`port` (0: any); resolves to the server and its port. */
async function listen(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

function read(ip: string, port: number, send = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, ip);
    let text = '';
    socket.on('connect', () => socket.end(send));
    socket.on('data', (chunk) => (text += chunk));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

// The relay runs here in this machine's own network namespace: what it reaches at 127.0.0.1 stands
// for what a daemon's sandbox would have; the forwarding and the protocol are the same.
describe('a pod network through its relay', () => {
  let dir: string;
  let relay: ChildProcess;
  let network: PodNetwork;
  let echoPort: number;
  let httpPort: number;
  let freePort: number;
  const echo = createServer((socket) => socket.on('data', (chunk) => socket.end(`echo:${chunk}`)));
  const http = createHttpServer((req, res) => {
    res.statusCode = req.url === '/healthy' ? 204 : 503;
    res.end();
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-net-test-'));
    echoPort = await listen(echo);
    httpPort = await listen(http as unknown as Server);
    const spare = createServer();
    freePort = await listen(spare);
    await new Promise((resolve) => spare.close(resolve));
    relay = spawn(process.execPath, [relayScript, join(dir, 'relay.sock')], { stdio: 'ignore' });
    network = await openPodNetwork({ relaySocket: join(dir, 'relay.sock'), ports: [echoPort, freePort] });
    await network.waitForRelay(10_000);
  });
  after(async () => {
    await network.close();
    relay.kill('SIGKILL');
    echo.close();
    http.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the pod an address of its own and forwards its ports there', async () => {
    assert.match(network.ip, /^127\.(\d+)\.(\d+)\.(\d+)$/);
    assert.notEqual(network.ip, '127.0.0.1');
    assert.equal(await read(network.ip, echoPort, 'hi'), 'echo:hi');
  });

  it('refuses a forwarded connection when nothing listens in the pod', async () => {
    await assert.rejects(read(network.ip, freePort, 'x'), /ECONNRESET/);
  });

  it('picks another address when one is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(echoPort, '127.9.9.9', resolve));
    const picks = ['127.9.9.9', '127.9.9.10'];
    const second = await openPodNetwork({ relaySocket: join(dir, 'relay.sock'), ports: [echoPort], pickAddress: () => picks.shift()! });
    try {
      assert.equal(second.ip, '127.9.9.10');
      assert.equal(await read('127.9.9.10', echoPort, 'again'), 'echo:again');
    } finally {
      await second.close();
      taken.close();
    }
  });

  it('runs tcpSocket, httpGet and exec checks through the relay', async () => {
    const container = { name: 'main', ports: [{ name: 'web', containerPort: httpPort }] };
    assert.deepEqual(await checkOnce({ tcpSocket: { port: echoPort } }, container, network, 1000), { ok: true });
    const refused = await checkOnce({ tcpSocket: { port: freePort } }, container, network, 1000);
    assert.equal(refused.ok, false);
    assert.match((refused as { reason: string }).reason, /^TCP probe failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    assert.deepEqual(await checkOnce({ httpGet: { path: '/healthy', port: 'web' } }, container, network, 1000), { ok: true });
    assert.deepEqual(await checkOnce({ httpGet: { path: '/', port: httpPort } }, container, network, 1000), {
      ok: false,
      reason: 'HTTP probe failed with statuscode: 503',
    });
    assert.deepEqual(await checkOnce({ exec: { command: ['sh', '-c', 'exit 0'] } }, container, network, 1000), { ok: true });
    assert.deepEqual(await checkOnce({ exec: { command: ['sh', '-c', 'exit 4'] } }, container, network, 1000), {
      ok: false,
      reason: 'exec probe exited with code 4',
    });
    assert.deepEqual(await checkOnce({ exec: { command: ['sleep', '5'] } }, container, network, 300), { ok: false, reason: 'exec probe timed out after 0.3s' });
  });

  it('says so when the relay is not running', async () => {
    const lost = await openPodNetwork({ relaySocket: join(dir, 'absent.sock'), ports: [] });
    try {
      await assert.rejects(lost.connect(echoPort, 500), /the pod's network relay is not running \(ENOENT\)/);
      await assert.rejects(lost.waitForRelay(200), /not running/);
    } finally {
      await lost.close();
    }
  });
});
