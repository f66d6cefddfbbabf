import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { podName } from '../../../src/engine/node-naming.js';
import { LocalRunHarness, nodesByName } from './local-run-harness.js';

/** Processes whose command line holds `marker`. */
function running(marker: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', marker], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

async function gone(marker: string): Promise<void> {
  for (let i = 0; running(marker).length > 0; i++) {
    assert.ok(i < 100, `processes outlived the run: ${running(marker).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// An HTTP server in one line of ncat: each connection gets "HTTP/1.0 200" and the body.
const server = (body: string, port = 8080): string => `ncat -lk -p ${port} -c 'printf "HTTP/1.0 200 OK\\r\\n\\r\\n${body}"'`;

describe('daemons on the local runtime (real sandboxes)', () => {
  let harness: LocalRunHarness;
  const marker = `skiff-daemon-test-${process.pid}`;

  before(async () => {
    harness = await LocalRunHarness.create();
  });
  after(async () => {
    await harness.close();
    await gone(marker);
  });

  it('a daemon ready by its tcp probe serves later steps at its own ip, and is gone when its steps end', { timeout: 60_000 }, async () => {
    const { status } = await harness.run(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { generateName: daemon-tcp- }
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - { name: svc, template: svc }
    - - name: call
        template: call
        arguments: { parameters: [{ name: ip, value: "{{steps.svc.ip}}" }] }
  - name: svc
    daemon: true
    container:
      image: alpine:3.23
      command: [sh, -c]
      args: ${JSON.stringify([`sleep 1; ${server('from-the-daemon')} # ${marker}-tcp`])}
      readinessProbe:
        tcpSocket: { port: 8080 }
        periodSeconds: 1
  - name: call
    inputs: { parameters: [{ name: ip }] }
    script:
      image: alpine:3.23
      command: [sh]
      source: |
        curl -sS --max-time 5 http://{{inputs.parameters.ip}}:8080/
`);
    const nodes = nodesByName(status);
    assert.equal(status.phase, 'Succeeded', JSON.stringify(Object.values(status.nodes).map((n) => [n.name, n.phase, n.message])));
    const svc = nodes.svc!;
    assert.match(svc.podIP ?? '', /^127\.\d+\.\d+\.\d+$/);
    assert.notEqual(svc.podIP, '127.0.0.1');
    assert.equal(svc.phase, 'Succeeded');
    assert.equal(svc.daemoned, undefined);
    assert.equal(nodes.call!.outputs?.result, 'from-the-daemon');
    assert.equal(nodes.call!.inputs?.parameters?.[0]?.value, svc.podIP);
    await gone(`${marker}-tcp`);
  });

  it('two daemons listen on the same port at once, each in its own network, ready by httpGet', { timeout: 60_000 }, async () => {
    const daemon = (name: string) => `
  - name: ${name}
    daemon: true
    container:
      image: alpine:3.23
      command: [sh, -c]
      args: ${JSON.stringify([`${server(name)} # ${marker}-pair`])}
      ports: [{ containerPort: 8080 }]
      readinessProbe:
        httpGet: { path: /, port: 8080 }
        periodSeconds: 1`;
    const { status } = await harness.run(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { generateName: daemon-pair- }
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - { name: a, template: daemon-a }
      - { name: b, template: daemon-b }
    - - name: call
        template: call
        arguments: { parameters: [{ name: a, value: "{{steps.a.ip}}" }, { name: b, value: "{{steps.b.ip}}" }] }
${daemon('daemon-a')}
${daemon('daemon-b')}
  - name: call
    inputs: { parameters: [{ name: a }, { name: b }] }
    script:
      image: alpine:3.23
      command: [sh]
      source: |
        echo "$(curl -sS --max-time 5 http://{{inputs.parameters.a}}:8080/) $(curl -sS --max-time 5 http://{{inputs.parameters.b}}:8080/)"
`);
    assert.equal(status.phase, 'Succeeded', JSON.stringify(Object.values(status.nodes).map((n) => [n.name, n.phase, n.message])));
    const nodes = nodesByName(status);
    assert.notEqual(nodes.a!.podIP, nodes.b!.podIP);
    assert.equal(nodes.call!.outputs?.result, 'daemon-a daemon-b');
    await gone(`${marker}-pair`);
  });

  it('an exec probe runs inside the container (its own /tmp), and a DAG task reads tasks.<name>.ip', { timeout: 60_000 }, async () => {
    const { status } = await harness.run(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { generateName: daemon-exec- }
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - { name: svc, template: svc }
      - name: call
        template: call
        depends: svc
        arguments: { parameters: [{ name: ip, value: "{{tasks.svc.ip}}" }] }
  - name: svc
    daemon: true
    container:
      image: alpine:3.23
      command: [sh, -c]
      args: ${JSON.stringify([`sleep 1; touch /tmp/ready; ${server('after-exec-probe', 7000)} # ${marker}-exec`])}
      ports: [{ containerPort: 7000 }]
      readinessProbe:
        exec: { command: [cat, /tmp/ready] }
        periodSeconds: 1
  - name: call
    inputs: { parameters: [{ name: ip }] }
    script:
      image: alpine:3.23
      command: [sh]
      source: |
        test ! -e /tmp/ready && curl -sS --max-time 5 --retry 5 --retry-connrefused --retry-delay 1 http://{{inputs.parameters.ip}}:7000/
`);
    assert.equal(status.phase, 'Succeeded', JSON.stringify(Object.values(status.nodes).map((n) => [n.name, n.phase, n.message])));
    assert.equal(nodesByName(status).call!.outputs?.result, 'after-exec-probe');
    await gone(`${marker}-exec`);
  });

  it('a daemon that fails before it is ready fails its node with a clear message, and the probe failures are in its log', { timeout: 60_000 }, async () => {
    const { id, status } = await harness.run(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { generateName: daemon-dies- }
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - { name: svc, template: svc }
    - - { name: never, template: never }
  - name: svc
    daemon: true
    container:
      image: alpine:3.23
      command: [sh, -c]
      args: ["sleep 4; exit 3 # ${marker}-dies"]
      readinessProbe:
        tcpSocket: { port: 9999 }
        periodSeconds: 1
  - name: never
    container: { image: alpine:3.23, command: ["true"] }
`);
    assert.equal(status.phase, 'Failed');
    const svc = nodesByName(status).svc!;
    assert.equal(svc.phase, 'Failed');
    assert.equal(svc.message, 'daemon exited before it was ready (exit code 3)');
    assert.equal(nodesByName(status).never, undefined);
    const log = await readFile(harness.layout.containerLog(id, podName(id, svc.name, 'svc'), 'main'), 'utf8');
    assert.match(log, /skiff: readiness probe: TCP probe failed: connect ECONNREFUSED 127\.0\.0\.1:9999/);
  });

  it('a readiness probe the local runtime cannot run is refused with a message naming it', { timeout: 60_000 }, async () => {
    const { status } = await harness.run(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { generateName: daemon-grpc- }
spec:
  entrypoint: svc
  templates:
  - name: svc
    daemon: true
    container:
      image: alpine:3.23
      command: [sleep, "30"]
      readinessProbe:
        grpc: { port: 9090 }
`);
    assert.equal(status.phase, 'Error');
    assert.match(Object.values(status.nodes)[0]!.message ?? '', /container "main" readinessProbe\.grpc: gRPC probes are not run by the local runtime/);
  });
});
