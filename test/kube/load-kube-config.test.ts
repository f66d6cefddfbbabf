// loadKubeConfig: a file given wins over $KUBECONFIG, a $KUBECONFIG list merges with the first
// file winning each name, a context can be chosen, and a context without a cluster is refused.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadKubeConfig } from '../../src/kube/kube-connection.js';

function kubeconfig(name: string, server: string, namespace?: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server } }],
    users: [{ name, user: { token: `token-${name}` } }],
    contexts: [{ name, context: { cluster: name, user: name, ...(namespace ? { namespace } : {}) } }],
    'current-context': name,
  });
}

describe('loadKubeConfig', () => {
  let dir: string;
  let first: string;
  let second: string;
  let clash: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-kubeconfig-'));
    first = join(dir, 'first');
    second = join(dir, 'second');
    clash = join(dir, 'clash');
    await writeFile(first, kubeconfig('one', 'https://one.example:6443', 'ci'));
    await writeFile(second, kubeconfig('two', 'https://two.example:6443'));
    await writeFile(clash, kubeconfig('one', 'https://impostor.example:6443'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a file given wins over $KUBECONFIG', () => {
    const kc = loadKubeConfig({ kubeconfigPath: second, env: { KUBECONFIG: first } });
    assert.equal(kc.getCurrentCluster()?.server, 'https://two.example:6443');
  });

  test('$KUBECONFIG lists files: the first names the context, later ones add, none overrides', () => {
    const kc = loadKubeConfig({ env: { KUBECONFIG: [join(dir, 'missing'), first, clash, second].join(delimiter) } });
    assert.equal(kc.getCurrentContext(), 'one');
    assert.equal(kc.getCurrentCluster()?.server, 'https://one.example:6443');
    assert.equal(kc.getContextObject(kc.getCurrentContext())?.namespace, 'ci');
    assert.deepEqual(kc.clusters.map((c) => c.name).sort(), ['one', 'two']);
  });

  test('a context other than the current one can be chosen', () => {
    const kc = loadKubeConfig({ context: 'two', env: { KUBECONFIG: [first, second].join(delimiter) } });
    assert.equal(kc.getCurrentCluster()?.server, 'https://two.example:6443');
  });

  test('a $KUBECONFIG whose files are all missing is refused, naming them', () => {
    assert.throws(() => loadKubeConfig({ env: { KUBECONFIG: join(dir, 'missing') } }), /none of the files KUBECONFIG lists exists: .*missing/);
  });

  test('a context that names no cluster is refused', async () => {
    const broken = join(dir, 'broken');
    await writeFile(
      broken,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [],
        users: [],
        contexts: [{ name: 'x', context: { cluster: 'gone', user: 'u' } }],
        'current-context': 'x',
      }),
    );
    assert.throws(() => loadKubeConfig({ kubeconfigPath: broken, env: {} }), /names no cluster/);
  });
});
