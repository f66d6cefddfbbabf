// The sync's plan against a real kube-apiserver: what merging a commit would create, change,
// leave and prune, with drift found on objects changed by hand — and nothing written meanwhile.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KubeConnection } from '../../src/kube/kube-connection.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import type { KubernetesObject } from '../../src/spec/model/kubernetes.js';
import type { DesiredObject, DesiredSet } from '../../src/sync/desired-set.js';
import { planSync } from '../../src/sync/plan/plan-sync.js';
import { renderPlanText } from '../../src/sync/plan/render-plan.js';
import { countPlan, planHasChanges, type SyncPlan } from '../../src/sync/plan/sync-plan.js';
import { withTracking } from '../../src/sync/plan/tracking.js';
import { parseRepositoryConfig } from '../../src/sync/repository-config.js';
import { applySync } from '../../src/sync/apply/apply-sync.js';
import { DirectoryTree } from '../../src/sync/directory-tree.js';
import { desiredSetAt } from '../../src/sync/desired-set.js';
import { REPO_ROOT, startSkiffKube, type KubeEnv } from '../env/kube/index.js';

const SKIFF = join(REPO_ROOT, 'bin', 'skiff.js');

function skiff(cwd: string, ...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SKIFF, ...args], { cwd, env: { ...process.env, KUBECONFIG: '' }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (error as { code?: unknown }).code : 0;
      resolve({ status: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

const NS = 'default';
const REPO = 'acme/flows';

const configMap = (name: string, data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS }, data });
const template = (name: string, image: string) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'WorkflowTemplate',
  metadata: { name, namespace: NS },
  spec: { entrypoint: 'main', templates: [{ name: 'main', container: { image, command: ['echo', 'hi'] } }] },
});

function desiredOf(objects: Array<Record<string, unknown>>): DesiredObject[] {
  return objects.map((object, document) => {
    const metadata = object.metadata as { name: string; namespace?: string };
    return {
      identity: {
        apiVersion: object.apiVersion as string,
        kind: object.kind as DesiredObject['identity']['kind'],
        namespace: metadata.namespace ?? NS,
        name: metadata.name,
      },
      source: { file: `manifests/${metadata.name}.yaml`, line: 1, document },
      object,
    };
  });
}

function setOf(objects: Array<Record<string, unknown>>, prune = true): DesiredSet {
  const parsed = parseRepositoryConfig('.skiff.yml', `paths: [manifests]\nnamespace: ${NS}\nprune: ${prune}\n`);
  assert.ok(parsed.ok);
  return { config: parsed.config, apply: desiredOf(objects), run: [], warnings: [] };
}

describe('planning a sync against kube-apiserver', () => {
  let kube: KubeEnv;
  let client: KubeConnection;

  before(async () => {
    ({ kube, client } = await startSkiffKube());
    // What an earlier commit applied, as the sync applies it (tracked, field manager skiff).
    const applied = [
      configMap('settings', { a: '1', b: '2' }),
      template('build', 'alpine:3.19'),
      configMap('retired', { x: '1' }),
      configMap('handed-over', { y: '1' }),
    ];
    for (const object of applied) {
      const path = `manifests/${(object.metadata as { name: string }).name}.yaml`;
      await serverSideApply(client, withTracking(object, { repository: REPO, path, commit: 'old' }) as unknown as KubernetesObject);
    }
    // Someone edits `settings` by hand: a field Skiff does not declare, under another manager.
    await serverSideApply(
      client,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: NS }, data: { extra: 'by hand' } } as KubernetesObject,
      {
        fieldManager: 'kubectl-edit',
      },
    );
    // Another tool takes over every field of `handed-over`: it is no longer Skiff's to delete.
    await serverSideApply(
      client,
      withTracking(configMap('handed-over', { y: '1' }), {
        repository: REPO,
        path: 'manifests/handed-over.yaml',
        commit: 'old',
      }) as unknown as KubernetesObject,
      { fieldManager: 'other-tool', force: true },
    );
    await serverSideApply(client, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'handed-over', namespace: NS } } as KubernetesObject);
    // Objects the sync must never prune: one of another repository, one without Skiff's label.
    await serverSideApply(
      client,
      withTracking(configMap('elsewhere', { z: '1' }), { repository: 'acme/other', path: 'x.yaml', commit: 'c' }) as unknown as KubernetesObject,
    );
    await client.create(configMap('unlabelled', { u: '1' }) as KubernetesObject);
  });

  after(async () => {
    await kube?.stop();
  });

  const versions = async (): Promise<string> => {
    const { items } = await client.list<KubernetesObject>('v1', 'ConfigMap', NS);
    const templates = await client.list<KubernetesObject>('argoproj.io/v1alpha1', 'WorkflowTemplate', NS);
    return [...items, ...templates.items].map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`).join(' ');
  };

  test('says what a commit creates, changes, leaves and prunes, with the drift, and writes nothing', async () => {
    const before = await versions();
    const plan: SyncPlan = await planSync({
      desired: setOf([configMap('settings', { a: '1', b: '3' }), template('build', 'alpine:3.19'), configMap('fresh', { n: '1' })]),
      client,
      repository: REPO,
      commit: 'new0000000',
    });
    console.log(renderPlanText(plan));
    assert.equal(await versions(), before, 'planning wrote nothing');

    const byName = new Map(plan.objects.map((o) => [o.identity.name, o]));
    assert.equal(byName.get('fresh')?.action, 'create');
    const settings = byName.get('settings')!;
    assert.equal(settings.action, 'change');
    assert.deepEqual(settings.changes, [{ path: 'data.b', before: '2', after: '3' }], 'only the field git changed (a new commit alone is no change)');
    assert.deepEqual(
      settings.drift.map((d) => `${d.path} ${d.manager}`),
      ['data.extra kubectl-edit'],
      'the hand edit is drift, with its field and manager',
    );
    assert.equal(byName.get('build')?.action, 'unchanged');
    assert.equal(byName.get('retired')?.action, 'prune');
    for (const kept of ['handed-over', 'elsewhere', 'unlabelled']) assert.equal(byName.has(kept), false, `${kept} is not pruned`);
    assert.deepEqual(countPlan(plan), { create: 1, change: 1, unchanged: 1, prune: 1, error: 0, drifted: 1 });
  });

  test('a field another manager owns is a conflict; an object the server refuses is an error; prune off prunes nothing', async () => {
    const plan = await planSync({
      desired: setOf([configMap('settings', { a: '1', b: '2', extra: 'from git' }), configMap('Bad_Name', { a: '1' })], false),
      client,
      repository: REPO,
      commit: 'new0000001',
    });
    const byName = new Map(plan.objects.map((o) => [o.identity.name, o]));
    const settings = byName.get('settings')!;
    assert.deepEqual(settings.conflicts, ['.data.extra']);
    assert.deepEqual(settings.changes, [{ path: 'data.extra', before: 'by hand', after: 'from git' }], 'what a forced apply would do');
    const bad = byName.get('Bad_Name')!;
    assert.equal(bad.action, 'error');
    assert.match(bad.error ?? '', /Bad_Name/);
    assert.equal(
      plan.objects.some((o) => o.action === 'prune'),
      false,
    );
    assert.equal(planHasChanges(plan), true);
  });

  test('skiff plan on a working directory: exit 2 with changes, 0 once the cluster matches, 1 for a Secret or a link out of the tree', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-plan-'));
    try {
      mkdirSync(join(dir, 'manifests'));
      writeFileSync(join(dir, '.skiff.yml'), `paths: [manifests]\nnamespace: ${NS}\n`);
      writeFileSync(join(dir, 'manifests', 'team.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: team\ndata:\n  owner: ops\n');
      const args = ['plan', dir, '--kubeconfig', kube.kubeconfigPath, '--repository', 'acme/plan-cli'];
      const first = await skiff(dir, ...args);
      assert.equal(first.status, 2, first.stderr);
      assert.match(first.stdout, /1 to create/);
      assert.match(first.stdout, /^\+ ConfigMap default\/team \(manifests\/team\.yaml:1\)$/m);

      const desired = await desiredSetAt(new DirectoryTree(dir));
      assert.ok(desired.ok);
      assert.ok((await applySync({ desired: desired.desired, client, repository: 'acme/plan-cli', commit: 'working-tree' })).ok);
      const second = await skiff(dir, ...args);
      assert.equal(second.status, 0, second.stdout + second.stderr);
      assert.match(second.stdout, /0 to create, 0 to change, 0 to prune, 1 unchanged/);
      assert.match((await skiff(dir, ...args, '-o', 'markdown')).stdout, /No changes\./);

      writeFileSync(join(dir, 'manifests', 'secret.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  token: hunter2\n');
      symlinkSync('/etc/passwd', join(dir, 'manifests', 'passwd.yaml'));
      const refused = await skiff(dir, ...args);
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /manifests\/secret\.yaml:2:7: error \[secret-in-git\] Secrets are never read from git/);
      assert.match(refused.stderr, /manifests\/passwd\.yaml:1:1: error \[symlink\]/);
      assert.doesNotMatch(refused.stdout + refused.stderr, /hunter2|root:x:0/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
