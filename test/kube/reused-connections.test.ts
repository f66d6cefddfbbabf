// KubeConnection over TLS with a client certificate, as a kubeconfig for a real cluster has it:
// requests share keep-alive connections instead of opening one each (the client library makes a
// new agent per request), and a connection the server closed while idle is not used again.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeConnection } from '../../src/kube/kube-connection.js';
import type { ConfigMap } from '../../src/spec/model/kubernetes.js';
import { makeTlsAssets, type TlsAssets } from '../env/kube/tls-assets.js';

const CORE_RESOURCES = JSON.stringify({
  kind: 'APIResourceList',
  groupVersion: 'v1',
  resources: [{ name: 'configmaps', kind: 'ConfigMap', namespaced: true }],
});
const SETTINGS = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ci', name: 'settings' };

describe('KubeConnection connections', () => {
  let dir: string;
  let tls: TlsAssets;
  let server: Server;
  let url: string;
  let handshakes = 0;
  const clientNames: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-reuse-'));
    tls = await makeTlsAssets(dir);
    server = createServer(
      { key: await readFile(tls.serverKey), cert: await readFile(tls.serverCert), ca: await readFile(tls.caCert), requestCert: true, rejectUnauthorized: true },
      (request, response) => {
        const body =
          request.url === '/api/v1'
            ? CORE_RESOURCES
            : JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'ci' }, data: { a: '1' } });
        response.writeHead(200, { 'content-type': 'application/json' }).end(body);
      },
    );
    server.on('secureConnection', (socket) => {
      handshakes++;
      clientNames.push(String(socket.getPeerCertificate().subject?.CN));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server?.closeAllConnections();
    server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const connect = (): KubeConnection => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'local', server: url, caFile: tls.caCert }],
      users: [{ name: 'admin', certFile: tls.adminCert, keyFile: tls.adminKey }],
      contexts: [{ name: 'local', cluster: 'local', user: 'admin' }],
      currentContext: 'local',
    });
    return KubeConnection.fromKubeConfig(kc);
  };

  test('twenty requests one after another share one TLS connection, made with the client certificate', async () => {
    const kube = connect();
    handshakes = 0;
    for (let i = 0; i < 20; i++) assert.equal((await kube.get<ConfigMap>(SETTINGS)).data?.a, '1');
    assert.equal(handshakes, 1, `${handshakes} TLS handshakes for 21 requests`);
    assert.deepEqual([...new Set(clientNames)], ['skiff-test-admin']);
  });

  test('a connection the server closed while idle is not reused: the next request opens a new one', async () => {
    const kube = connect();
    await kube.get(SETTINGS);
    handshakes = 0;
    server.closeIdleConnections();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await kube.get<ConfigMap>(SETTINGS)).data?.a, '1');
    assert.equal(handshakes, 1);
  });
});
