import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PodRequest } from '../../../src/engine/engine-events.js';
import type { RuntimeEvent } from '../../../src/ports/runtime.js';
import { clusterOnlyFeatures } from '../../../src/cli/cluster-only-features.js';
import { createLocalRuntime } from '../../../src/runtime/local/create-local-runtime.js';
import { type HttpClient, nodeHttpClient } from '../../../src/runtime/local/http-client.js';
import { runHttpTemplate } from '../../../src/runtime/local/run-http-template.js';
import type { Template, Workflow } from '../../../src/spec/model/workflow.js';
import { StateLayout } from '../../../src/state/state-layout.js';
import { MemoryObjects } from './local-run-harness.js';

/** What the loopback server saw of each request. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

describe('http templates on the local runtime (a real HTTP server on 127.0.0.1)', () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  const objects = new MemoryObjects().addSecret('team', 'api', { token: 's3cret' });

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        if (path === '/json') return res.writeHead(200, { 'content-type': 'application/json', server: 'skiff-test' }).end('{"ok":true}');
        if (path === '/created') return res.writeHead(201).end('made');
        if (path === '/missing') return res.writeHead(404).end('no such thing');
        if (path === '/echo')
          return res.writeHead(200).end(
            JSON.stringify({
              method: req.method,
              auth: req.headers.authorization ?? null,
              x: req.headers['x-name'] ?? null,
              body: Buffer.concat(chunks).toString(),
            }),
          );
        if (path === '/slow') return void setTimeout(() => res.writeHead(200).end('late'), 3000).unref();
        if (path === '/big') return res.writeHead(200).end('x'.repeat(5000));
        if (path === '/moved') return res.writeHead(302, { location: '/echo' }).end();
        res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  let counter = 0;
  const pod = (http: Record<string, unknown>): PodRequest => ({
    workflowName: 'wf',
    workflowNamespace: 'default',
    nodeId: `n${++counter}`,
    podName: `p${counter}`,
    template: { name: 'call', http: { url: '', ...http } } as Template,
    inputs: {},
  });
  const run = (http: Record<string, unknown>, extra: { maxBodyBytes?: number; client?: HttpClient; signal?: AbortSignal } = {}) =>
    runHttpTemplate(pod(http), {
      client: extra.client ?? nodeHttpClient,
      secrets: objects,
      namespace: 'team',
      signal: extra.signal ?? new AbortController().signal,
      ...(extra.maxBodyBytes ? { maxBodyBytes: extra.maxBodyBytes } : {}),
    });

  it('succeeds on a 2xx answer with the body as outputs.result', async () => {
    const event = await run({ url: `${base}/json` });
    assert.deepEqual(event, { type: 'pod-finished', nodeId: `n${counter}`, exitCode: 0, outputs: { result: '{"ok":true}' } });
  });

  it('sends the method, body and headers, a Secret header from what skiff apply stored', async () => {
    const event = await run({
      url: `${base}/echo`,
      method: 'POST',
      body: 'payload',
      headers: [
        { name: 'X-Name', value: 'skiff' },
        { name: 'Authorization', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } },
      ],
    });
    assert.equal(event.exitCode, 0, event.message);
    assert.deepEqual(JSON.parse(event.outputs!.result!), { method: 'POST', auth: 's3cret', x: 'skiff', body: 'payload' });
  });

  it('fails clearly when a Secret header has no value', async () => {
    const event = await run({ url: `${base}/echo`, headers: [{ name: 'Authorization', valueFrom: { secretKeyRef: { name: 'api', key: 'nope' } } }] });
    assert.equal(event.exitCode, 1);
    assert.equal(event.message, 'http template "call": header "Authorization": secret "api" in namespace "team" has no key "nope" (store it with skiff apply)');
  });

  it('successCondition decides over response.statusCode, body and headers; false fails with its text', async () => {
    assert.equal((await run({ url: `${base}/created`, successCondition: 'response.statusCode == 201' })).exitCode, 0);
    assert.equal(
      (await run({ url: `${base}/json`, successCondition: 'response.body contains "ok" && response.headers["Server"][0] == "skiff-test"' })).exitCode,
      0,
    );
    const no = await run({ url: `${base}/json`, successCondition: 'response.statusCode == 201' });
    assert.equal(no.exitCode, 1);
    assert.equal(no.message, "successCondition 'response.statusCode == 201' evaluated false");
    assert.equal(no.outputs?.result, '{"ok":true}');
    const broken = await run({ url: `${base}/json`, successCondition: 'response.nope.x == 1' });
    assert.match(broken.message!, /^successCondition 'response\.nope\.x == 1' cannot be evaluated: cannot fetch x from nil/);
  });

  it('fails a non-2xx answer without a successCondition, as Argo says it', async () => {
    const event = await run({ url: `${base}/missing` });
    assert.equal(event.exitCode, 1);
    assert.equal(event.message, 'received non-2xx response code: 404');
    assert.equal(event.outputs?.result, 'no such thing');
  });

  it('gives up after timeoutSeconds', async () => {
    const started = Date.now();
    const event = await run({ url: `${base}/slow`, timeoutSeconds: 0.3 });
    assert.ok(Date.now() - started < 2000);
    assert.equal(event.message, `GET ${base}/slow: no complete response within 0.3s (timeoutSeconds)`);
  });

  it('says when the connection is refused', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const event = await run({ url: `http://127.0.0.1:${port}/` });
    assert.equal(event.exitCode, 1);
    assert.equal(event.message, `GET http://127.0.0.1:${port}/: connection refused (ECONNREFUSED)`);
  });

  it('refuses a body larger than the cap, reading no further', async () => {
    const event = await run({ url: `${base}/big` }, { maxBodyBytes: 1000 });
    assert.equal(event.exitCode, 1);
    assert.equal(event.message, `GET ${base}/big: the response body is larger than 1000 bytes, the most an http template may receive here`);
    assert.equal(event.outputs, undefined);
  });

  it('follows a redirect as Go does (302: GET without the body)', async () => {
    const event = await run({ url: `${base}/moved`, method: 'POST', body: 'x' });
    assert.equal(event.exitCode, 0, event.message);
    assert.deepEqual(JSON.parse(event.outputs!.result!), { method: 'GET', auth: null, x: null, body: '' });
  });

  it('says what is wrong with a bad template instead of sending anything', async () => {
    const before = seen.length;
    assert.equal((await run({ url: 'ftp://example.test/x' })).message, 'http template "call": url "ftp://example.test/x" is not http or https');
    assert.equal((await run({ url: 'not a url' })).message, 'http template "call": url "not a url" is not a valid URL');
    assert.equal((await run({ url: `${base}/json`, method: 'GE T' })).message, 'http template "call": method "GE T" is not an HTTP method');
    assert.equal((await run({ url: `${base}/json`, timeoutSeconds: 'soon' })).message, 'http template "call": timeoutSeconds "soon" is not a positive number');
    assert.equal(
      (await run({ url: `${base}/json`, headers: [{ name: 'X', value: 'a\r\nInjected: 1' }] })).message,
      'http template "call": header "X" has a line break or NUL in its value',
    );
    assert.equal(seen.length, before);
  });

  it('sends bodyFrom.bytes (base64, as Argo stores []byte) and shows request fields to successCondition', async () => {
    const event = await run({
      url: `${base}/echo`,
      method: 'PUT',
      bodyFrom: { bytes: Buffer.from('raw bytes').toString('base64') },
      headers: [{ name: 'x-name', value: 'v' }],
      successCondition: 'request.method == "PUT" && request.headers["X-Name"][0] == "v" && response.body contains "raw bytes"',
    });
    assert.equal(event.exitCode, 0, event.message);
    assert.equal(JSON.parse(event.outputs!.result!).body, 'raw bytes');
  });

  it('verifies TLS certificates unless insecureSkipVerify is set', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'skiff-tls-'));
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'],
      { stdio: 'ignore' },
    );
    const tls = createHttpsServer({ key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(dir, 'cert.pem')) }, (_req, res) =>
      res.writeHead(200).end('secure'),
    );
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/`;
    try {
      const refused = await run({ url });
      assert.equal(refused.message, `GET ${url}: the server certificate is self-signed (insecureSkipVerify: true accepts it) (DEPTH_ZERO_SELF_SIGNED_CERT)`);
      assert.deepEqual((await run({ url, insecureSkipVerify: true })).outputs, { result: 'secure' });
    } finally {
      tls.closeAllConnections();
      await new Promise((resolve) => tls.close(resolve));
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('ends at once when killed', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = run({ url: `${base}/slow` }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const event = await pending;
    assert.equal(event.exitCode, 1);
    assert.ok(Date.now() - started < 2000, 'the request was abandoned, not waited for');
  });

  it('runs through createLocalRuntime with no pod and no pod-started, with the injected client, logging the outcome', async () => {
    const root = await mkdtemp(join(tmpdir(), 'skiff-http-'));
    const layout = new StateLayout(root);
    const workflow: Workflow = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name: 'wf', namespace: 'team' }, spec: {} };
    // Answers for a host this machine cannot reach, from the loopback server.
    const client: HttpClient = (request) => nodeHttpClient({ ...request, url: new URL(`${base}/json`) });
    const runtime = createLocalRuntime({ layout, objects, runOf: () => workflow, httpClient: client });
    try {
      const events: RuntimeEvent[] = [];
      const done = new Promise<void>((resolve) =>
        runtime.run({ ...pod({ url: 'https://unreachable.example/data.json' }), workflowName: 'wf' }, (e) => (events.push(e), resolve())),
      );
      await done;
      assert.deepEqual(
        events.map((e) => e.type),
        ['pod-finished'],
      );
      assert.deepEqual((events[0] as Extract<RuntimeEvent, { type: 'pod-finished' }>).outputs, { result: '{"ok":true}' });
      assert.equal(await readFile(layout.containerLog('default/wf', `p${counter}`, 'main'), 'utf8'), 'succeeded\n{"ok":true}');
    } finally {
      await runtime.close();
      await rm(root, { recursive: true, force: true });
    }
  });

  it('local runs no longer refuse http templates (plugin and resource templates still need a cluster)', () => {
    const wf: Workflow = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { name: 'w' },
      spec: {
        templates: [
          { name: 'h', http: { url: 'http://x' } },
          { name: 'p', plugin: { hello: {} } },
        ],
      },
    };
    assert.deepEqual(clusterOnlyFeatures(wf), ['template "p" is a plugin template: executor plugins need a cluster']);
  });
});
