import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SHIMS_PATH } from '../../../src/runtime/local/host-shims.js';
import { localizePod } from '../../../src/runtime/local/localize-pod.js';

describe('localizePod', () => {
  const pod = {
    metadata: { name: 'p' },
    spec: {
      containers: [
        { name: 'a', image: 'python:alpine', command: ['python', '-c', 'print(1)'] },
        { name: 'main', image: 'python:alpine', command: ['python', '-c', 'print(2)'] },
        { name: 'own-path', image: 'alpine', command: ['true'], env: [{ name: 'PATH', value: '/opt/bin' }] },
        { name: 'wait', image: 'skiff/executor', command: ['skiff', 'executor', 'wait'] },
      ],
    },
  };

  it("gives every user container (each of a containerSet's) the host shims, and runs the executor with this Node.js", () => {
    const local = localizePod(pod, { projectDir: '/srv/skiff', nodePath: '/usr/bin/node', executorImage: 'skiff/executor', shimsDir: '/state/shims' });
    const [a, main, ownPath, wait] = local.spec!.containers;
    for (const c of [a!, main!]) {
      assert.ok(
        c.env!.some((e) => e.name === 'PATH' && e.value!.endsWith(`:${SHIMS_PATH}`)),
        `${c.name} finds the shims`,
      );
      assert.ok(
        c.volumeMounts!.some((m) => m.mountPath === SHIMS_PATH && m.readOnly),
        `${c.name} mounts the shims`,
      );
    }
    assert.deepEqual(ownPath!.env, [{ name: 'PATH', value: '/opt/bin' }], 'a PATH the user set is left alone');
    assert.deepEqual(wait!.command, ['/usr/bin/node', '/srv/skiff/bin/skiff.js', 'executor', 'wait']);
    assert.ok(!wait!.env?.some((e) => e.name === 'PATH'));
    assert.equal(local.spec!.volumes!.filter((v) => v.name === 'skiff-shims').length, 1, 'one shims volume for the pod');
  });
});
