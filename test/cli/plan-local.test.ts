import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SYNC_REPOSITORY_ANNOTATION } from '../../src/kube/kube-names.js';
import type { KubernetesObject } from '../../src/spec/model/kubernetes.js';
import { LocalObjectStore } from '../../src/state/local-object-store.js';
import { StateLayout } from '../../src/state/state-layout.js';
import { skiff, workspace } from './run-cli.js';

const CONFIG = 'paths: [manifests]\nnamespace: ci\nprune: true\n';
const settings = (value: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: ${value}\n`;
type Stored = KubernetesObject & { data: Record<string, string> };

const TEMPLATE = `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: greet
spec:
  templates:
    - name: main
      container:
        image: alpine:3
        command: [echo, hi]
`;

describe('skiff plan and skiff sync against the local state directory', () => {
  it('plans, syncs, finds nothing to do, shows a change, prunes, and leaves objects others stored alone', async () => {
    const dir = workspace({
      '.skiff.yml': CONFIG,
      'manifests/settings.yaml': settings('fast'),
      'manifests/greet.yaml': TEMPLATE,
      'mine/own.yaml': settings('own').replace('settings', 'own'),
    });
    const objects = new LocalObjectStore(new StateLayout(join(dir, 'state')).objects);

    const first = await skiff(dir, ['plan', '.', '--repository', 'acme/flows']);
    assert.equal(first.status, 2, first.stderr);
    assert.match(first.stdout, /2 to create/);
    assert.equal(await objects.getObject('ConfigMap', 'ci', 'settings'), undefined, 'a plan writes nothing');

    // An object stored by hand beside the synced ones: never pruned.
    assert.equal((await skiff(dir, ['apply', 'mine', '-n', 'ci'])).status, 0);

    const synced = await skiff(dir, ['sync', '.', '--repository', 'acme/flows']);
    assert.equal(synced.status, 0, synced.stderr);
    assert.match(synced.stdout, /^configmap\/settings \(namespace ci\) created$/m);
    assert.match(synced.stdout, /^workflowtemplate\.argoproj\.io\/greet \(namespace ci\) created$/m);
    const stored = await objects.getObject<Stored>('ConfigMap', 'ci', 'settings');
    assert.equal(stored!.data.mode, 'fast');
    assert.equal(stored!.metadata.annotations?.[SYNC_REPOSITORY_ANNOTATION], 'acme/flows');

    const again = await skiff(dir, ['plan', '.', '--repository', 'acme/flows']);
    assert.equal(again.status, 0, again.stdout);
    assert.match(again.stdout, /0 to create, 0 to change, 0 to prune, 2 unchanged/);
    const resynced = await skiff(dir, ['sync', '.', '--repository', 'acme/flows']);
    assert.equal(resynced.status, 0);
    const after = await objects.getObject<Stored>('ConfigMap', 'ci', 'settings');
    assert.equal(after!.metadata.resourceVersion, stored!.metadata.resourceVersion, 'a sync of the same files writes nothing');

    writeFileSync(join(dir, 'manifests', 'settings.yaml'), settings('slow'));
    const changed = await skiff(dir, ['plan', '.', '--repository', 'acme/flows']);
    assert.equal(changed.status, 2);
    assert.match(changed.stdout, /data\.mode/);
    assert.match(changed.stdout, /fast/);
    assert.match(changed.stdout, /slow/);

    // A hand edit with skiff apply is drift, named with its manager, and a conflict for the sync.
    writeFileSync(join(dir, 'mine', 'edit.yaml'), settings('by-hand'));
    assert.equal((await skiff(dir, ['apply', 'mine/edit.yaml', '-n', 'ci'])).status, 0);
    const drift = await skiff(dir, ['plan', '.', '--repository', 'acme/flows']);
    assert.match(drift.stdout, /skiff-apply/);
    const conflicted = await skiff(dir, ['sync', '.', '--repository', 'acme/flows']);
    assert.equal(conflicted.status, 1);
    assert.match(conflicted.stderr, /configmap\/settings .*failed: \.data\.mode owned by another manager/);

    writeFileSync(join(dir, 'manifests', 'greet.yaml'), '');
    const pruned = await skiff(dir, ['sync', '.', '--repository', 'acme/flows']);
    assert.match(pruned.stdout, /^workflowtemplate\.argoproj\.io\/greet \(namespace ci\) pruned$/m);
    assert.equal(await objects.getObject('WorkflowTemplate', 'ci', 'greet'), undefined);
    assert.ok(await objects.getObject('ConfigMap', 'ci', 'own'), 'an object Skiff never synced is not pruned');
  });

  it('a sync waits for another live sync of the repository, gives up after --lock-timeout, and takes over from a dead one', async () => {
    const dir = workspace({ '.skiff.yml': CONFIG, 'manifests/settings.yaml': settings('fast') });
    const locks = new StateLayout(join(dir, 'state')).syncLocks;
    mkdirSync(locks, { recursive: true });
    const holder = spawn('sleep', ['30']);
    try {
      const lockFile = join(locks, `${createHash('sha256').update('acme/flows').digest('hex').slice(0, 24)}.json`);
      writeFileSync(lockFile, JSON.stringify({ pid: holder.pid, since: new Date().toISOString() }));
      const refused = await skiff(dir, ['sync', '.', '--repository', 'acme/flows', '--lock-timeout', '300ms']);
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, new RegExp(`waiting for another sync of acme/flows \\(skiff process ${holder.pid}\\)`));
      assert.match(refused.stderr, /another sync of acme\/flows is still running .*nothing applied/);
      const other = await skiff(dir, ['sync', '.', '--repository', 'acme/other', '--lock-timeout', '0s']);
      assert.equal(other.status, 0, `another repository is not held up: ${other.stderr}`);
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
      const taken = await skiff(dir, ['sync', '.', '--repository', 'acme/flows', '--lock-timeout', '0s']);
      assert.equal(taken.status, 0, taken.stderr);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
