import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { V1Pod, V1PodStatus } from '@kubernetes/client-node';
import type { PodObjectSource } from '../../../src/ports/pod-object-source.js';
import { logPath, runPod } from '../../../src/runtime/local/run-pod.js';

const objects: PodObjectSource = {
  configMap: async (namespace, name) => (namespace === 'ns' && name === 'settings' ? { mode: 'fast' } : undefined),
  secret: async (namespace, name) => (namespace === 'ns' && name === 'creds' ? { token: 's3cr3t' } : undefined),
};

async function run(pod: V1Pod): Promise<{ statuses: V1PodStatus[]; podDir: string }> {
  const podDir = mkdtempSync(join(tmpdir(), 'skiff-pod-'));
  const statuses: V1PodStatus[] = [];
  await runPod({ pod, podDir, claimsDir: join(podDir, 'claims'), objects, report: async (status) => void statuses.push(structuredClone(status)) }).done;
  return { statuses, podDir };
}

describe('running a pod spec on this machine', () => {
  it('runs init containers, then the main container, with ConfigMap volumes and Secret env', async () => {
    const { statuses, podDir } = await run({
      metadata: { name: 'p', namespace: 'ns' },
      spec: {
        volumes: [
          { name: 'cfg', configMap: { name: 'settings' } },
          { name: 'shared', emptyDir: {} },
        ],
        initContainers: [
          {
            name: 'init',
            image: 'busybox',
            command: ['sh', '-c', 'cp /cfg/mode /shared/mode'],
            volumeMounts: [
              { name: 'cfg', mountPath: '/cfg' },
              { name: 'shared', mountPath: '/shared' },
            ],
          },
        ],
        containers: [
          {
            name: 'main',
            image: 'busybox',
            command: ['sh', '-c', 'echo "$(cat /shared/mode) $TOKEN"'],
            env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } }],
            volumeMounts: [{ name: 'shared', mountPath: '/shared' }],
          },
        ],
      },
    });
    const last = statuses.at(-1)!;
    assert.equal(last.phase, 'Succeeded');
    assert.ok(
      statuses.some((s) => s.phase === 'Running'),
      'the pod was reported Running before it finished',
    );
    assert.equal(readFileSync(logPath(podDir, 'main'), 'utf8'), 'fast s3cr3t\n');
  });

  it('fails the pod and skips the main container when an init container fails', async () => {
    const { statuses } = await run({
      metadata: { name: 'p', namespace: 'ns' },
      spec: { initContainers: [{ name: 'init', image: 'busybox', command: ['false'] }], containers: [{ name: 'main', image: 'busybox', command: ['true'] }] },
    });
    const last = statuses.at(-1)!;
    assert.equal(last.phase, 'Failed');
    assert.equal(last.initContainerStatuses?.[0]?.state?.terminated?.exitCode, 1);
    assert.ok(last.containerStatuses?.[0]?.state?.waiting, 'the main container never started');
  });

  it('fails with a clear message when a referenced Secret key is missing', async () => {
    const { statuses } = await run({
      metadata: { name: 'p', namespace: 'ns' },
      spec: {
        containers: [{ name: 'main', image: 'busybox', command: ['true'], env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'nope' } } }] }],
      },
    });
    const terminated = statuses.at(-1)!.containerStatuses?.[0]?.state?.terminated;
    assert.equal(statuses.at(-1)!.phase, 'Failed');
    assert.match(terminated?.message ?? '', /Secret "creds" has no key "nope"/);
  });

  it('says a container without a command cannot run, since images are not pulled', async () => {
    const { statuses } = await run({ metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [{ name: 'main', image: 'docker/whalesay' }] } });
    assert.equal(statuses.at(-1)!.phase, 'Failed');
    assert.match(statuses.at(-1)!.containerStatuses?.[0]?.state?.terminated?.message ?? '', /has no command/);
  });
});
