// KubeConnection when the network fails, against local plain-HTTP servers that misbehave on
// purpose: no answer at all, a connection reset mid-request, a closed port, and an overloaded
// server. Each must come out as a retryable KubeUnavailableError naming the object.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeConnection } from '../../src/kube/kube-connection.js';
import { isRetryable, KubeUnavailableError } from '../../src/kube/kube-errors.js';

const SETTINGS = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ci', name: 'settings' };

// Discovery of the core group, which the connection asks before any request about a ConfigMap.
const CORE_RESOURCES = JSON.stringify({
  kind: 'APIResourceList',
  groupVersion: 'v1',
  resources: [{ name: 'configmaps', kind: 'ConfigMap', namespaced: true }],
});

const servers: Server[] = [];

async function serve(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function connect(server: string, requestTimeoutMs = 5000): KubeConnection {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'local', server, skipTLSVerify: true }],
    users: [{ name: 'nobody' }],
    contexts: [{ name: 'local', cluster: 'local', user: 'nobody' }],
    currentContext: 'local',
  });
  return KubeConnection.fromKubeConfig(kc, { requestTimeoutMs });
}

function discoveryThen(handler: (request: IncomingMessage, response: ServerResponse) => void) {
  return (request: IncomingMessage, response: ServerResponse) => {
    if (request.url === '/api/v1') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(CORE_RESOURCES);
      return;
    }
    handler(request, response);
  };
}

after(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

describe('KubeConnection on a failing network', () => {
  test('a server that never answers fails the request after the timeout, retryable', async () => {
    const server = await serve(discoveryThen(() => {}));
    const started = Date.now();
    const error = await connect(server, 200)
      .get(SETTINGS)
      .catch((e: unknown) => e);
    assert.ok(error instanceof KubeUnavailableError, String(error));
    assert.equal(error.reason, 'ETIMEDOUT');
    assert.match(error.message, /^ConfigMap ci\/settings: the API server could not be reached \(no answer from the API server within 200 ms\)$/);
    assert.ok(Date.now() - started < 3000);
  });

  test('a connection reset mid-request is retryable', async () => {
    const server = await serve(discoveryThen((request) => request.socket.destroy()));
    const error = await connect(server)
      .get(SETTINGS)
      .catch((e: unknown) => e);
    assert.ok(error instanceof KubeUnavailableError, String(error));
    assert.equal(error.reason, 'ECONNRESET');
    assert.equal(isRetryable(error), true);
  });

  test('a closed port is retryable', async () => {
    const server = await serve(() => {});
    servers.pop()?.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const error = await connect(server)
      .get(SETTINGS)
      .catch((e: unknown) => e);
    assert.ok(error instanceof KubeUnavailableError, String(error));
    assert.equal(error.reason, 'ECONNREFUSED');
  });

  test('429 with Retry-After is retryable and carries the hint', async () => {
    const server = await serve(
      discoveryThen((_request, response) => {
        response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' });
        response.end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            message: 'Too many requests, please try again later.',
            reason: 'TooManyRequests',
            code: 429,
          }),
        );
      }),
    );
    const error = await connect(server)
      .get(SETTINGS)
      .catch((e: unknown) => e);
    assert.ok(error instanceof KubeUnavailableError, String(error));
    assert.equal(error.retryAfterSeconds, 2);
  });
});
