// The sync's apply and prune against a real kube-apiserver, across three commits of a repository:
// each commit's objects appear, change and go as git says; a fourth sync of the same commit makes no
// write request at all.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeSyncLocks } from '../../src/kube/kube-sync-locks.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import type { ConfigMap, KubernetesObject } from '../../src/spec/model/kubernetes.js';
import { applySync } from '../../src/sync/apply/apply-sync.js';
import type { DesiredSet } from '../../src/sync/desired-set.js';
import { parseRepositoryConfig } from '../../src/sync/repository-config.js';
import { REPO_ROOT, startSkiffKube, type KubeEnv } from '../env/kube/index.js';

const NS = 'default';
const REPO = 'acme/flows';

const configMap = (name: string, data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS }, data });
const cron = (name: string, schedule: string) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'CronWorkflow',
  metadata: { name, namespace: NS },
  spec: { schedule, workflowSpec: { workflowTemplateRef: { name: 'build' } } },
});
const template = (name: string) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'WorkflowTemplate',
  metadata: { name, namespace: NS },
  spec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'alpine', command: ['true'] } }] },
});

function commit(objects: Array<Record<string, unknown>>): DesiredSet {
  const parsed = parseRepositoryConfig('.skiff.yml', `paths: [manifests]\nnamespace: ${NS}\nprune: true\n`);
  assert.ok(parsed.ok);
  const apply = objects.map((object, document) => {
    const { name } = object.metadata as { name: string };
    return {
      identity: { apiVersion: object.apiVersion as string, kind: object.kind as 'ConfigMap', namespace: NS, name },
      source: { file: `manifests/${name}.yaml`, line: 1, document },
      object,
    };
  });
  return { config: parsed.config, apply, run: [], warnings: [] };
}

/** A client that counts the requests that write (dry runs are not writes). */
function counting(client: KubeClient): { client: KubeClient; writes: string[] } {
  const writes: string[] = [];
  const wrapped = new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const options = (property === 'apply' || property === 'create' || property === 'replace' || property === 'delete' ? args[1] : args[3]) as
          | { dryRun?: boolean }
          | undefined;
        if (['apply', 'create', 'replace', 'delete', 'patch'].includes(String(property)) && !options?.dryRun) writes.push(String(property));
        return value.apply(target, args);
      };
    },
  });
  return { client: wrapped, writes };
}

describe('applying and pruning a sync against kube-apiserver', () => {
  let kube: KubeEnv;
  let connection: KubeConnection;

  before(async () => {
    ({ kube, client: connection } = await startSkiffKube());
  });

  after(async () => {
    await kube?.stop();
  });

  const names = async (apiVersion: string, kind: string): Promise<string[]> =>
    (await connection.list<KubernetesObject>(apiVersion, kind, NS)).items.map((o) => o.metadata.name ?? '').sort();

  test('three commits: create, change, delete; the cluster follows; a repeated sync writes nothing', async () => {
    const first = await applySync({
      desired: commit([cron('nightly', '0 1 * * *'), configMap('settings', { a: '1' }), template('build')]),
      client: connection,
      repository: REPO,
      commit: 'c1',
    });
    assert.ok(first.ok, JSON.stringify(first.outcomes));
    assert.deepEqual(
      first.outcomes.map((o) => `${o.object.identity.kind} ${o.result}`),
      ['ConfigMap created', 'WorkflowTemplate created', 'CronWorkflow created'],
      'ConfigMaps and templates before the CronWorkflows that use them',
    );
    const settings = await connection.get<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, name: 'settings' });
    assert.equal(settings.metadata.labels?.['app.kubernetes.io/managed-by'], 'skiff');
    assert.equal(settings.metadata.annotations?.['skiff.dev/repository'], REPO);
    assert.equal(settings.metadata.annotations?.['skiff.dev/source-path'], 'manifests/settings.yaml');
    assert.equal(settings.metadata.annotations?.['skiff.dev/commit'], 'c1');

    const second = await applySync({
      desired: commit([cron('nightly', '0 2 * * *'), configMap('settings', { a: '1' }), template('build')]),
      client: connection,
      repository: REPO,
      commit: 'c2',
    });
    assert.deepEqual(
      second.outcomes.map((o) => `${o.object.identity.name} ${o.result}`),
      ['settings unchanged', 'build unchanged', 'nightly changed'],
    );
    const nightly = await connection.get<KubernetesObject & { spec: { schedule: string } }>({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'CronWorkflow',
      namespace: NS,
      name: 'nightly',
    });
    assert.equal(nightly.spec.schedule, '0 2 * * *');

    const third = await applySync({
      desired: commit([configMap('settings', { a: '1' }), template('build')]),
      client: connection,
      repository: REPO,
      commit: 'c3',
    });
    assert.deepEqual(
      third.outcomes.map((o) => `${o.object.identity.name} ${o.result}`),
      ['settings unchanged', 'build unchanged', 'nightly pruned'],
    );
    assert.deepEqual(await names('argoproj.io/v1alpha1', 'CronWorkflow'), []);

    const { client, writes } = counting(connection);
    const fourth = await applySync({ desired: commit([configMap('settings', { a: '1' }), template('build')]), client, repository: REPO, commit: 'c3' });
    assert.ok(fourth.outcomes.every((o) => o.result === 'unchanged'));
    assert.deepEqual(writes, [], 'the same commit again makes no write request');
  });

  test('a field another manager owns fails that object only, naming the field; the others are applied', async () => {
    await serverSideApply(connection, configMap('settings', { a: 'by hand' }) as KubernetesObject, { fieldManager: 'kubectl-edit', force: true });
    const result = await applySync({
      desired: commit([configMap('settings', { a: '2' }), template('build'), configMap('more', { m: '1' })]),
      client: connection,
      repository: REPO,
      commit: 'c4',
    });
    assert.equal(result.ok, false);
    const byName = new Map(result.outcomes.map((o) => [o.object.identity.name, o]));
    assert.equal(byName.get('settings')?.result, 'failed');
    assert.match(byName.get('settings')?.error ?? '', /\.data\.a owned by another manager/);
    assert.equal(byName.get('more')?.result, 'created');
    assert.ok((await names('v1', 'ConfigMap')).includes('more'));
  });

  test('skiff sync applies a working directory, says what it did per object, prunes, and changes nothing the second time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-sync-'));
    const sync = (): Promise<{ status: number; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        const args = [join(REPO_ROOT, 'bin', 'skiff.js'), 'sync', dir, '--kubeconfig', kube.kubeconfigPath, '--repository', 'acme/sync-cli'];
        execFile(process.execPath, args, { env: { ...process.env, KUBECONFIG: '' }, timeout: 60_000 }, (error, stdout, stderr) => {
          const code = error ? (error as { code?: unknown }).code : 0;
          resolve({ status: typeof code === 'number' ? code : 1, stdout, stderr });
        });
      });
    try {
      mkdirSync(join(dir, 'flows'));
      writeFileSync(join(dir, '.skiff.yml'), `paths: [flows]\nnamespace: ${NS}\nprune: true\n`);
      writeFileSync(join(dir, 'flows', 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cli-a\ndata:\n  k: v\n');
      writeFileSync(join(dir, 'flows', 'b.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cli-b\ndata:\n  k: v\n');
      const first = await sync();
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stdout, /^configmap\/cli-a \(namespace default\) created$/m);
      assert.match(first.stdout, /^configmap\/cli-b \(namespace default\) created$/m);

      const second = await sync();
      assert.equal(second.status, 0, second.stderr);
      assert.match(second.stdout, /0 to create, 0 to change, 0 to prune, 2 unchanged/);
      assert.match(second.stdout, /^configmap\/cli-a \(namespace default\) unchanged$/m);

      unlinkSync(join(dir, 'flows', 'b.yaml'));
      const third = await sync();
      assert.equal(third.status, 0, third.stderr);
      assert.match(third.stdout, /^configmap\/cli-b \(namespace default\) pruned$/m);
      assert.equal((await names('v1', 'ConfigMap')).includes('cli-b'), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('two syncs of one repository exclude each other through a Lease; a dead holder is taken over once its lease runs out', async () => {
    const locks = new KubeSyncLocks(connection, 'default');
    const first = await locks.acquire('acme/locked', { waitMs: 5000 });
    assert.ok('held' in first, 'a free lock is taken at once');
    const waits: string[] = [];
    const second = await locks.acquire('acme/locked', { waitMs: 1500, onWait: (holder) => waits.push(holder) });
    assert.ok('heldBy' in second, 'the second sync does not get the lock while the first holds it');
    assert.match(second.heldBy, new RegExp(`/${process.pid}/`));
    assert.equal(waits.length, 1, 'the waiting sync says once whom it waits for');
    const other = await locks.acquire('acme/other', { waitMs: 1000 });
    assert.ok('held' in other, 'another repository is not held up');
    await other.held.release();
    await first.held.release();
    const third = await locks.acquire('acme/locked', { waitMs: 3000 });
    assert.ok('held' in third, 'released, the lock is taken at once');
    // A holder that died without releasing: its Lease stays, unrenewed, and is taken over once it has run out (1 s here).
    const name = `skiff-sync-${createHash('sha256').update('acme/crashed').digest('hex').slice(0, 24)}`;
    const renewTime = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    await connection.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace: 'default' },
      spec: { holderIdentity: 'crashed-host/1/dead', leaseDurationSeconds: 1, acquireTime: renewTime, renewTime },
    } as KubernetesObject);
    const started = Date.now();
    const taken = await locks.acquire('acme/crashed', { waitMs: 10_000 });
    assert.ok('held' in taken, 'the dead holder is taken over');
    assert.ok(Date.now() - started >= 900, 'not before its lease ran out');
    await taken.held.release();
    await third.held.release();
  });
});
