import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyPodSpecPatch } from '../../../src/runtime/cluster/pod-spec-patch.js';

const spec = {
  containers: [
    { name: 'main', image: 'alpine', env: [{ name: 'A', value: '1' }], resources: { limits: { cpu: '1' } } },
    { name: 'wait', image: 'skiff' },
  ],
  volumes: [{ name: 'v', emptyDir: {} }],
  nodeSelector: { a: '1' },
  tolerations: [{ key: 'x' }],
};

describe('applyPodSpecPatch', () => {
  it('merges containers, env and volumes by name, maps by key, and appends new names', () => {
    const patched = applyPodSpecPatch(
      spec,
      JSON.stringify({
        containers: [
          { name: 'main', env: [{ name: 'B', value: '2' }], resources: { limits: { memory: '1Gi' } } },
          { name: 'extra', image: 'busybox' },
        ],
        volumes: [{ name: 'v', emptyDir: { medium: 'Memory' } }],
        nodeSelector: { b: '2' },
      }),
    );
    assert.ok('spec' in patched);
    assert.deepEqual(patched.spec.containers, [
      {
        name: 'main',
        image: 'alpine',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
        resources: { limits: { cpu: '1', memory: '1Gi' } },
      },
      { name: 'wait', image: 'skiff' },
      { name: 'extra', image: 'busybox' },
    ]);
    assert.deepEqual(patched.spec.volumes, [{ name: 'v', emptyDir: { medium: 'Memory' } }]);
    assert.deepEqual(patched.spec.nodeSelector, { a: '1', b: '2' });
  });

  it('removes a key given null, and leaves the input untouched', () => {
    const patched = applyPodSpecPatch(spec, 'nodeSelector: null');
    assert.ok('spec' in patched);
    assert.equal('nodeSelector' in patched.spec, false);
    assert.deepEqual(spec.nodeSelector, { a: '1' });
  });

  it('refuses text that is neither JSON nor YAML, and a list', () => {
    const broken = applyPodSpecPatch(spec, '{"containers": [');
    assert.ok('error' in broken);
    assert.match(broken.error, /neither JSON nor YAML/);
    const list = applyPodSpecPatch(spec, '- a');
    assert.ok('error' in list);
  });

  it('cannot reach Object.prototype', () => {
    applyPodSpecPatch(spec, '{"__proto__": {"polluted": true}}');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
