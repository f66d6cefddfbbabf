import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PodRequest } from '../../../src/engine/engine-events.js';
import type { RuntimeEvent } from '../../../src/ports/runtime.js';
import { createLocalRuntime } from '../../../src/runtime/local/create-local-runtime.js';
import { sandboxIdentity } from '../../../src/runtime/local/sandbox-identity.js';
import type { Template, Workflow } from '../../../src/spec/model/workflow.js';
import { StateLayout } from '../../../src/state/state-layout.js';
import { MemoryObjects } from './local-run-harness.js';
import { splitRunKey } from '../../../src/ports/run-key.js';

const workflowNamed = (name: string, spec: Workflow['spec'] = {}): Workflow => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata: { name, namespace: 'default' },
  spec,
});

describe('createLocalRuntime (real sandboxed pods, in-memory objects)', () => {
  let layout: StateLayout;
  const objects = new MemoryObjects();
  const workflows = new Map<string, Workflow>();
  let runtime: ReturnType<typeof createLocalRuntime>;
  let counter = 0;

  before(async () => {
    layout = new StateLayout(await mkdtemp(join(tmpdir(), 'skiff-runtime-')));
    runtime = createLocalRuntime({ layout, objects, runOf: (key) => workflows.get(splitRunKey(key).name) });
  });
  after(async () => {
    await runtime.close();
    await rm(layout.root, { recursive: true, force: true });
  });

  const pod = (template: Template, extra: Partial<PodRequest> = {}, spec: Workflow['spec'] = {}): PodRequest => {
    const name = `wf${++counter}`;
    workflows.set(name, workflowNamed(name, spec));
    return { workflowName: name, workflowNamespace: 'default', nodeId: `${name}-1`, podName: `${name}-pod`, template, inputs: {}, ...extra };
  };
  const events = (request: PodRequest): { all: RuntimeEvent[]; done: Promise<RuntimeEvent> } => {
    const all: RuntimeEvent[] = [];
    let resolve!: (e: RuntimeEvent) => void;
    const done = new Promise<RuntimeEvent>((r) => (resolve = r));
    runtime.run(request, (event) => {
      all.push(event);
      if (event.type !== 'pod-started') resolve(event);
    });
    return { all, done };
  };

  it('reports pod-started, then pod-finished with the exit code and outputs together', async () => {
    const request = pod({
      name: 't',
      script: { image: 'alpine', command: ['sh'], source: 'echo -n 42 > /tmp/n; echo hello' },
      outputs: { parameters: [{ name: 'n', valueFrom: { path: '/tmp/n' } }] },
    });
    const { all, done } = events(request);
    const finished = await done;
    assert.deepEqual(
      all.map((e) => e.type),
      ['pod-started', 'pod-finished'],
    );
    assert.deepEqual(finished, {
      type: 'pod-finished',
      nodeId: request.nodeId,
      exitCode: 0,
      outputs: { parameters: [{ name: 'n', value: '42' }], result: 'hello\n' },
    });
  });

  it('says clearly when a pod cannot run', async () => {
    const unknown: PodRequest = {
      workflowName: 'nobody',
      workflowNamespace: 'default',
      nodeId: 'n',
      podName: 'p-x',
      template: { name: 't', container: { image: 'alpine', command: ['true'] } },
      inputs: {},
    };
    assert.match(((await events(unknown).done) as { message: string }).message, /run default\/nobody is not known/);
    assert.match(
      (
        (await events(
          pod(
            { name: 'v', container: { image: 'alpine', command: ['true'], volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] } },
            {},
            { volumes: [{ name: 'cfg', configMap: { name: 'absent' } }] },
          ),
        ).done) as { message: string }
      ).message,
      /ConfigMap "absent" does not exist/,
    );
  });

  it('is idempotent by pod name: asking again reattaches, the last report wins', async () => {
    const request = pod({ name: 't', container: { image: 'alpine', command: ['sleep', '0.3'] } });
    const first: RuntimeEvent[] = [];
    runtime.run(request, (e) => first.push(e));
    const second = events(request);
    await second.done;
    assert.equal(first.filter((e) => e.type === 'pod-finished').length, 0);
  });

  it('kills a pod at once and reports nothing more for it', async () => {
    const request = pod({ name: 't', container: { image: 'alpine', command: ['sleep', '60'] } });
    const { all } = events(request);
    while (!all.some((e) => e.type === 'pod-started')) await new Promise((r) => setTimeout(r, 10));
    runtime.kill(`default/${request.workflowName}`, request.podName);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(
      all.map((e) => e.type),
      ['pod-started'],
    );
  });

  it('enforces the deadline itself when the engine does not', async () => {
    const request = pod({ name: 't', container: { image: 'alpine', command: ['sleep', '60'] } }, { deadline: new Date(Date.now() + 100).toISOString() });
    const finished = (await events(request).done) as Extract<RuntimeEvent, { type: 'pod-finished' }>;
    assert.equal(finished.exitCode, 137);
    assert.match(finished.message ?? '', /deadline/);
  });

  it('warns in the log, and on failure in the message, about an image that is not plain', async () => {
    const request = pod({ name: 't', container: { image: 'docker/whalesay', command: ['cowsay-not-here', 'hi'] } });
    const finished = (await events(request).done) as Extract<RuntimeEvent, { type: 'pod-finished' }>;
    assert.equal(finished.exitCode, 127);
    assert.match(finished.message ?? '', /docker\/whalesay.*not a plain/);
    assert.match(
      await readFile(layout.containerLog(`default/${request.workflowName}`, request.podName, 'main'), 'utf8'),
      /^skiff: warning: image "docker\/whalesay"/,
    );
  });

  it('gives env from Secrets and ConfigMaps, and ConfigMap volumes', async () => {
    objects
      .addSecret('default', 'creds', { token: 's3cret' })
      .addConfigMap({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { mode: 'fast' } });
    const request = pod(
      {
        name: 't',
        script: {
          image: 'alpine',
          command: ['sh'],
          source: 'echo "$TOKEN $(cat /etc/settings/mode)"',
          env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } }],
          volumeMounts: [{ name: 'settings', mountPath: '/etc/settings' }],
        },
      },
      {},
      { volumes: [{ name: 'settings', configMap: { name: 'settings' } }] },
    );
    const finished = (await events(request).done) as Extract<RuntimeEvent, { type: 'pod-finished' }>;
    assert.equal(finished.outputs?.result, 's3cret fast\n');
  });

  it("stores artifacts in the namespace's artifact-repositories ConfigMap repository, by its default-key annotation", async () => {
    const root = join(layout.artifacts, 'team-repo');
    objects.addConfigMap({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'artifact-repositories', namespace: 'default', annotations: { 'workflows.argoproj.io/default-artifact-repository': 'team' } },
      data: { team: `local:\n  root: ${root}\n  keyFormat: "team/{{workflow.name}}/{{pod.name}}"\n` },
    });
    try {
      const request = pod({
        name: 't',
        container: { image: 'alpine', command: ['sh', '-c', 'echo x > /tmp/o'] },
        outputs: { artifacts: [{ name: 'o', path: '/tmp/o', archive: { none: {} } }] },
      });
      const finished = (await events(request).done) as Extract<RuntimeEvent, { type: 'pod-finished' }>;
      const key = `team/${request.workflowName}/${request.podName}/o`;
      assert.deepEqual(finished.outputs?.artifacts, [{ name: 'o', path: '/tmp/o', archive: { none: {} }, local: { key } }]);
      assert.equal(await readFile(join(root, key), 'utf8'), 'x\n');
    } finally {
      objects.configMaps.delete('default/artifact-repositories');
    }
  });

  it("refuses a repository root outside Skiff's artifacts directory, creating and handing over nothing there", async () => {
    // A ConfigMap is data (applied from git): its root must not make Skiff mount or chown a host directory.
    const outside = join(layout.root, 'runs');
    const victim = join(tmpdir(), `skiff-not-a-repository-${process.pid}`);
    for (const root of [outside, victim, `${layout.artifacts}/../runs`]) {
      objects.addConfigMap({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'artifact-repositories', namespace: 'default', annotations: { 'workflows.argoproj.io/default-artifact-repository': 'evil' } },
        data: { evil: `local:\n  root: ${root}\n` },
      });
      try {
        const request = pod({
          name: 't',
          container: { image: 'alpine', command: ['sh', '-c', 'echo x > /tmp/o'] },
          outputs: { artifacts: [{ name: 'o', path: '/tmp/o' }] },
        });
        const ended = await events(request).done;
        assert.equal(ended.type, 'pod-error', root);
        assert.match((ended as { message: string }).message, /is outside the directories Skiff may use for them .*SKIFF_LOCAL_REPOSITORY_ROOTS/, root);
      } finally {
        objects.configMaps.delete('default/artifact-repositories');
      }
    }
    assert.equal(existsSync(victim), false, 'nothing was created there');
    if (existsSync(outside)) assert.notEqual((await stat(outside)).uid, sandboxIdentity().uid, 'nothing was handed to the sandbox user');
  });

  it('removes the run claims when the run finishes', async () => {
    const dir = layout.claimsDir('default/gone');
    await mkdir(join(dir, 'default', 'gone-work'), { recursive: true });
    runtime.runFinished!('default/gone');
    await runtime.close();
    assert.equal(existsSync(dir), false);
  });
});
