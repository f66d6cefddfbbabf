import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archiveLocation } from '../../src/artifacts/artifact-keys.js';
import { collectArtifactGarbage } from '../../src/artifacts/collect-artifact-garbage.js';
import { createArtifactDriver } from '../../src/artifacts/create-artifact-driver.js';
import { loadFanIn, planFanIn } from '../../src/artifacts/load-fan-in.js';
import { artifactGCStrategy, planArtifactGC, type GCNode } from '../../src/artifacts/plan-artifact-gc.js';
import { saveOutputArtifact } from '../../src/artifacts/save-output-artifact.js';

const nodes: GCNode[] = [
  { id: 'wf', type: 'Steps' },
  {
    id: 'wf-a',
    type: 'Pod',
    outputs: {
      artifacts: [
        { name: 'default', s3: { key: 'k1' } },
        { name: 'keep', s3: { key: 'k2' }, artifactGC: { strategy: 'Never' } },
        { name: 'on-delete', s3: { key: 'k3' }, artifactGC: { strategy: 'OnWorkflowDeletion' } },
        { name: 'already', s3: { key: 'k4' }, deleted: true },
      ],
    },
  },
];

test('strategy: the artifact overrides the workflow; nothing set means Never', () => {
  assert.equal(artifactGCStrategy({ name: 'a' }, {}), 'Never');
  assert.equal(artifactGCStrategy({ name: 'a' }, { artifactGC: { strategy: 'OnWorkflowCompletion' } }), 'OnWorkflowCompletion');
  assert.equal(artifactGCStrategy({ name: 'a', artifactGC: { strategy: 'Never' } }, { artifactGC: { strategy: 'OnWorkflowCompletion' } }), 'Never');
  assert.equal(artifactGCStrategy({ name: 'a', artifactGC: { strategy: '' } }, { artifactGC: { strategy: 'OnWorkflowDeletion' } }), 'OnWorkflowDeletion');
});

test('on completion only OnWorkflowCompletion artifacts go; on deletion the rest, each strategy once', () => {
  const spec = { artifactGC: { strategy: 'OnWorkflowCompletion' as const } };
  const running = planArtifactGC(nodes, spec, { completed: false, deleting: false, processed: new Set() });
  assert.deepEqual(running, { strategies: [], items: [] });
  const done = planArtifactGC(nodes, spec, { completed: true, deleting: false, processed: new Set() });
  assert.deepEqual(done.strategies, ['OnWorkflowCompletion']);
  assert.deepEqual(
    done.items.map((i) => i.artifact.name),
    ['default'],
  );
  const deleting = planArtifactGC(nodes, spec, { completed: true, deleting: true, processed: new Set(['OnWorkflowCompletion']) });
  assert.deepEqual(deleting.strategies, ['OnWorkflowDeletion']);
  assert.deepEqual(
    deleting.items.map((i) => i.artifact.name),
    ['on-delete'],
  );
  const deletedBeforeCompletionGC = planArtifactGC(nodes, spec, { completed: false, deleting: true, processed: new Set() });
  assert.deepEqual(deletedBeforeCompletionGC.items.map((i) => i.artifact.name).sort(), ['default', 'on-delete']);
});

test('collectArtifactGarbage deletes through the driver, keeps Never, and reports failures without throwing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-gc-'));
  const driver = createArtifactDriver({ secrets: { get: async () => undefined }, namespace: 'argo' });
  try {
    const archive = { local: { root: join(dir, 'repo'), key: 'wf/pod' } };
    await mkdir(join(dir, 'repo'), { recursive: true });
    for (const key of ['k1', 'k2', 'k3']) await writeFile(join(dir, 'repo', key), key);
    const spec = { artifactGC: { strategy: 'OnWorkflowCompletion' as const } };
    const plan = planArtifactGC(nodes, spec, { completed: true, deleting: true, processed: new Set() });
    const outcome = await collectArtifactGarbage(plan, { driver, archiveLocationFor: () => archive, spec });
    assert.deepEqual(outcome.deleted.map((i) => i.artifact.name).sort(), ['default', 'on-delete']);
    assert.deepEqual(await readdir(join(dir, 'repo')), ['k2'], 'Never is kept');
    assert.equal(outcome.finalizerRemovable, true);

    const broken = await collectArtifactGarbage(plan, { driver, archiveLocationFor: () => undefined, spec });
    assert.equal(broken.failed.length, 2);
    assert.match(broken.failed[0]!.message, /artifact GC could not delete "(default|on-delete)" of node wf-a: .*configure artifact storage/);
    assert.equal(broken.finalizerRemovable, false);
    const forced = await collectArtifactGarbage(plan, {
      driver,
      archiveLocationFor: () => undefined,
      spec: { artifactGC: { ...spec.artifactGC, forceFinalizerRemoval: true } },
    });
    assert.equal(forced.finalizerRemovable, true);
  } finally {
    driver.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('fan-in: each iteration lands at <path>/<index>; iterations without the artifact are left out', async () => {
  assert.deepEqual(
    planFanIn('/in/all', [{ index: 2, artifact: { name: 'o', s3: { key: 'c' } } }, { index: 0, artifact: { name: 'o', s3: { key: 'a' } } }, { index: 1 }]).map(
      (e) => e.path,
    ),
    ['/in/all/0', '/in/all/2'],
  );
  assert.throws(() => planFanIn('/x', [{ index: 0 }, { index: 0 }]), /iteration 0 is given twice/);

  const dir = await mkdtemp(join(tmpdir(), 'skiff-fan-in-'));
  const driver = createArtifactDriver({ secrets: { get: async () => undefined }, namespace: 'argo' });
  try {
    const iterations = [];
    for (const index of [0, 1, 2]) {
      const archive = archiveLocation({ local: { root: join(dir, 'repo') } }, (n) => ({ 'workflow.name': 'wf', 'pod.name': `wf-loop-${index}` })[n]);
      await writeFile(join(dir, `report-${index}.txt`), `report ${index}\n`);
      const saved = await saveOutputArtifact(
        { name: 'report', path: '/tmp/report.txt' },
        { driver, archiveLocation: archive, sourcePath: join(dir, `report-${index}.txt`) },
      );
      assert.ok(saved.saved);
      iterations.push(index === 1 ? { index } : { index, artifact: saved.recorded, archiveLocation: archive });
    }
    const result = await loadFanIn({ name: 'reports', path: '/tmp/reports', mode: 0o640 }, iterations, { driver, destPath: join(dir, 'in', 'reports') });
    assert.deepEqual(result.loaded, [0, 2]);
    assert.deepEqual((await readdir(join(dir, 'in', 'reports'))).sort(), ['0', '2']);
    assert.equal(await readFile(join(dir, 'in', 'reports', '2'), 'utf8'), 'report 2\n');
    assert.equal((await stat(join(dir, 'in', 'reports', '0'))).mode & 0o777, 0o640);
    await assert.rejects(loadFanIn({ name: 'reports' }, [{ index: 0 }], { driver, destPath: join(dir, 'in', 'none') }), /no iteration of the loop produced it/);
    assert.deepEqual(await loadFanIn({ name: 'reports', optional: true }, [{ index: 0 }], { driver, destPath: join(dir, 'in', 'none') }), { loaded: [] });
  } finally {
    driver.close();
    await rm(dir, { recursive: true, force: true });
  }
});
