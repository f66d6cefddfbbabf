import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import type { WorkflowStatus } from '../../src/engine/workflow-status.js';
import { LocalRunStore } from '../../src/state/local-run-store.js';
import { LocalRunHarness } from '../runtime/local/local-run-harness.js';

const WORKFLOW = (name: string, extra = '') => `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: ${name}-}
spec:
  entrypoint: main
  artifactGC: {strategy: OnWorkflowCompletion${extra}}
  templates:
  - name: main
    container: {image: alpine, command: [sh, -c, "echo a > /tmp/a; echo k > /tmp/k; echo d > /tmp/d"]}
    outputs:
      artifacts:
      - {name: gone, path: /tmp/a}
      - {name: kept, path: /tmp/k, artifactGC: {strategy: Never}}
      - {name: ondelete, path: /tmp/d, artifactGC: {strategy: OnWorkflowDeletion}}
`;

type Artifact = NonNullable<NonNullable<WorkflowStatus['nodes'][string]['outputs']>['artifacts']>[number] & { local?: { root?: string; key?: string } };

/** The run's one pod node. */
function podNode(status: WorkflowStatus): WorkflowStatus['nodes'][string] | undefined {
  return Object.values(status.nodes).find((n) => n.type === 'Pod');
}

function artifacts(status: WorkflowStatus): Record<string, Artifact> {
  return Object.fromEntries((podNode(status)?.outputs?.artifacts ?? []).map((a) => [a.name, a as Artifact]));
}

/** Where the local default repository keeps an artifact (recorded by key only, as Argo records it). */
let repositoryRoot = '';
function fileOf(artifact: Artifact | undefined): string {
  assert.ok(artifact?.local?.key, `a local artifact: ${JSON.stringify(artifact)}`);
  return join(artifact.local.root ?? repositoryRoot, artifact.local.key);
}

async function skiffDelete(root: string, id: string): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await main(['delete', '--state-dir', root, id], {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    cwd: root,
    env: {},
  });
  return { status, stdout, stderr };
}

/** Puts a finished run back as if its skiff had died before the completion GC: the artifact is back, the strategy unprocessed. */
async function undoCompletionGc(harness: LocalRunHarness, id: string, byName: Record<string, Artifact>): Promise<void> {
  const store = new LocalRunStore(harness.layout.root);
  const run = (await store.load(id))!;
  delete run.status.artifactGCStatus;
  for (const a of podNode(run.status)!.outputs!.artifacts!) delete a.deleted;
  await store.save(run);
  await store.closeAll();
  await mkdir(join(fileOf(byName.gone), '..'), { recursive: true });
  await writeFile(fileOf(byName.gone), 'again');
}

describe('artifact GC of local runs (local default repository)', () => {
  let harness: LocalRunHarness;
  before(async () => {
    harness = await LocalRunHarness.create();
    repositoryRoot = harness.layout.artifacts;
  });
  after(async () => harness.close());

  it('deletes OnWorkflowCompletion artifacts when the run completes, marks them deleted, keeps the others', async () => {
    const { id, status } = await harness.run(WORKFLOW('gc-complete'));
    assert.equal(status.phase, 'Succeeded', JSON.stringify(status, null, 1));
    const byName = artifacts(status);
    assert.equal(byName.gone?.deleted, true);
    assert.equal(byName.kept?.deleted, undefined);
    assert.equal(byName.ondelete?.deleted, undefined);
    assert.equal(existsSync(fileOf(byName.gone)), false, 'the OnWorkflowCompletion artifact is gone');
    assert.equal(existsSync(fileOf(byName.kept)), true, 'the Never artifact is kept');
    assert.equal(existsSync(fileOf(byName.ondelete)), true, 'the OnWorkflowDeletion artifact waits for deletion');
    assert.deepEqual(status.artifactGCStatus?.strategiesProcessed, { OnWorkflowCompletion: true });
    // What the store holds is what the driver reported.
    const reader = new LocalRunStore(harness.layout.root);
    const stored = await reader.load(id);
    await reader.closeAll();
    assert.equal(artifacts(stored!.status).gone?.deleted, true);
    assert.deepEqual(stored!.status.artifactGCStatus?.strategiesProcessed, { OnWorkflowCompletion: true });
  });

  it('records the resolved repository in status.artifactRepositoryRef when the first pod starts', async () => {
    const { status } = await harness.run(WORKFLOW('gc-ref'));
    assert.deepEqual(status.artifactRepositoryRef, {
      default: true,
      artifactRepository: { local: { root: harness.layout.artifacts, keyFormat: '{{workflow.namespace}}/{{workflow.name}}/{{pod.name}}' } },
    });
  });

  it('skiff delete applies OnWorkflowDeletion before removing the run, and keeps Never artifacts', async () => {
    const { id, status } = await harness.run(WORKFLOW('gc-delete'));
    const byName = artifacts(status);
    const deleted = await skiffDelete(harness.layout.root, id);
    assert.equal(deleted.status, 0, deleted.stderr);
    assert.equal(deleted.stdout, `workflow ${id} deleted\n`);
    assert.equal(existsSync(fileOf(byName.ondelete)), false, 'the OnWorkflowDeletion artifact is gone');
    assert.equal(existsSync(fileOf(byName.kept)), true, 'the Never artifact is kept');
    assert.equal(existsSync(join(harness.layout.runs, 'default', id)), false, 'the run is gone');
  });

  it('skiff delete also applies an OnWorkflowCompletion GC the run did not get to', async () => {
    const { id, status } = await harness.run(WORKFLOW('gc-late'));
    const byName = artifacts(status);
    await undoCompletionGc(harness, id, byName);
    const deleted = await skiffDelete(harness.layout.root, id);
    assert.equal(deleted.status, 0, deleted.stderr);
    assert.equal(existsSync(fileOf(byName.gone)), false);
    assert.equal(existsSync(fileOf(byName.ondelete)), false);
    assert.equal(existsSync(fileOf(byName.kept)), true);
  });

  it('the next skiff that starts a run also finishes an OnWorkflowCompletion GC a dead skiff left undone', async () => {
    const { id, status } = await harness.run(WORKFLOW('gc-orphan'));
    const byName = artifacts(status);
    await undoCompletionGc(harness, id, byName);
    await writeFile(
      join(harness.layout.root, 'other.yaml'),
      'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: other-}\nspec:\n  entrypoint: main\n  templates:\n  - name: main\n    container: {image: busybox, command: ["true"]}\n',
    );
    let stderr = '';
    const submitted = await main(['submit', '--state-dir', harness.layout.root, join(harness.layout.root, 'other.yaml'), '--wait'], {
      stdout: { write: () => true },
      stderr: { write: (t: string) => (stderr += t) },
      cwd: harness.layout.root,
      env: {},
    });
    assert.equal(submitted, 0, stderr);
    assert.match(stderr, new RegExp(`collecting the artifact garbage of run "${id}" in namespace "default"`));
    let processed: boolean | undefined;
    // The GC runs in a background skiff process of its own, which a loaded machine starts slowly.
    for (let i = 0; i < 1200 && !processed; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const reader = new LocalRunStore(harness.layout.root);
      processed = (await reader.load(id))?.status.artifactGCStatus?.strategiesProcessed?.OnWorkflowCompletion;
      await reader.closeAll();
    }
    assert.equal(processed, true, 'the GC was recorded');
    assert.equal(existsSync(fileOf(byName.gone)), false, 'the OnWorkflowCompletion artifact is gone again');
    assert.equal(existsSync(fileOf(byName.kept)), true);
    assert.equal(existsSync(fileOf(byName.ondelete)), true);
  });

  for (const force of [false, true]) {
    it(`skiff delete ${force ? 'deletes the run anyway with forceFinalizerRemoval' : 'keeps a run whose artifacts cannot be deleted, and says why'}`, async () => {
      const { id } = await harness.run(WORKFLOW(force ? 'gc-force' : 'gc-fail', force ? ', forceFinalizerRemoval: true' : ''));
      // Point the OnWorkflowDeletion artifact at an S3 server that is not there.
      const store = new LocalRunStore(harness.layout.root);
      const run = (await store.load(id))!;
      const artifact = podNode(run.status)!.outputs!.artifacts!.find((a) => a.name === 'ondelete') as Artifact;
      delete artifact.local;
      artifact.s3 = {
        bucket: 'nowhere',
        endpoint: '127.0.0.1:9',
        insecure: true,
        key: 'x/d.tgz',
        accessKeySecret: { name: 'none', key: 'a' },
        secretKeySecret: { name: 'none', key: 's' },
      };
      await store.save(run);
      await store.closeAll();
      const deleted = await skiffDelete(harness.layout.root, id);
      assert.match(deleted.stderr, /artifact GC could not delete "ondelete"/);
      if (force) {
        assert.equal(deleted.status, 0, deleted.stderr);
        assert.equal(existsSync(join(harness.layout.runs, 'default', id)), false);
      } else {
        assert.equal(deleted.status, 1);
        assert.match(deleted.stderr, /kept: .*forceFinalizerRemoval/);
        const reader = new LocalRunStore(harness.layout.root);
        const kept = await reader.load(id);
        await reader.closeAll();
        assert.ok(kept, 'the run is still there');
        assert.equal(kept.status.artifactGCStatus?.strategiesProcessed?.OnWorkflowDeletion, true);
        assert.match(kept.status.conditions?.find((c) => c.type === 'ArtifactGCError')?.message ?? '', /ondelete/);
      }
    });
  }

  it("skiff delete never deletes outside the directories local repositories may be in, whatever the run's status says", async () => {
    const { id } = await harness.run(WORKFLOW('gc-forged'));
    // A file of this machine, and a recorded repository (a status is data) that points at it.
    const victimDir = join(harness.layout.root, '..', `${id}-victim`);
    await mkdir(victimDir, { recursive: true });
    await writeFile(join(victimDir, 'precious'), 'keep me');
    const store = new LocalRunStore(harness.layout.root);
    const run = (await store.load(id))!;
    const artifact = podNode(run.status)!.outputs!.artifacts!.find((a) => a.name === 'ondelete') as Artifact;
    artifact.local = { root: victimDir, key: 'precious' };
    run.status.artifactRepositoryRef = { default: true, artifactRepository: { local: { root: victimDir } } } as never;
    await store.save(run);
    await store.closeAll();
    const deleted = await skiffDelete(harness.layout.root, id);
    assert.equal(deleted.status, 1);
    assert.match(deleted.stderr, /is outside the directories Skiff may use for them/);
    assert.equal(existsSync(join(victimDir, 'precious')), true, 'the file outside is still there');
  });
});
