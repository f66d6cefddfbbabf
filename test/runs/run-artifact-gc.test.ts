// runGarbagePass: the GC pass the local and cluster runtimes share, through a driver that records
// what it is asked to delete.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ArtifactDriver, Repository, StorageLocation } from '../../src/artifacts/index.js';
import type { WorkflowStatus } from '../../src/engine/workflow-status.js';
import { runGarbagePass } from '../../src/runs/run-artifact-gc.js';
import type { Workflow } from '../../src/spec/model/workflow.js';

const workflow = (artifactGC: NonNullable<Workflow['spec']['artifactGC']>): Workflow => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata: { name: 'w', namespace: 'ci' },
  spec: { entrypoint: 'main', artifactGC },
});

const status = (): WorkflowStatus => ({
  phase: 'Succeeded',
  conditions: [{ type: 'ArtifactGCError', status: 'True', message: 'an earlier pass' }],
  nodes: {
    pod: {
      id: 'pod',
      name: 'w',
      displayName: 'w',
      type: 'Pod',
      phase: 'Succeeded',
      outputs: {
        artifacts: [
          { name: 'out', s3: { key: 'w/pod/out.tgz' } },
          { name: 'kept', s3: { key: 'w/pod/kept.tgz' }, artifactGC: { strategy: 'Never' } },
        ],
      },
    },
  },
});

const repository: Repository = { s3: { bucket: 'b', endpoint: 'minio:9000', keyFormat: '{{workflow.name}}' } };

function recordingDriver(refuse?: string): ArtifactDriver & { deleted: StorageLocation[] } {
  const deleted: StorageLocation[] = [];
  const unused = () => Promise.reject(new Error('not used by GC'));
  return {
    deleted,
    load: unused,
    save: unused,
    list: unused,
    openRead: unused,
    async delete(location) {
      if (refuse && location.s3?.key === refuse) throw new Error('Access Denied');
      deleted.push(location);
    },
    close() {},
  };
}

test('on completion: the due artifact is deleted in the run’s repository and marked, the strategy processed; Never stays', async () => {
  const driver = recordingDriver();
  const pass = await runGarbagePass(workflow({ strategy: 'OnWorkflowCompletion' }), status(), { deleting: false, driver, repository: async () => repository });
  assert.deepEqual(driver.deleted, [{ s3: { bucket: 'b', endpoint: 'minio:9000', key: 'w/pod/out.tgz' } }]);
  assert.deepEqual(pass.failures, []);
  assert.equal(pass.finalizerRemovable, true);
  const artifacts = pass.changes?.nodes[0]?.outputs?.artifacts ?? [];
  assert.deepEqual(
    artifacts.map((a) => [a.name, a.deleted === true]),
    [
      ['out', true],
      ['kept', false],
    ],
  );
  assert.deepEqual(pass.changes?.run.artifactGCStatus, { strategiesProcessed: { OnWorkflowCompletion: true } });
});

test('nothing due (OnWorkflowDeletion before a deletion): no changes, and the repository is not even looked up', async () => {
  let looked = false;
  const pass = await runGarbagePass(workflow({ strategy: 'OnWorkflowDeletion' }), status(), {
    deleting: false,
    driver: recordingDriver(),
    repository: async () => ((looked = true), repository),
  });
  // OnWorkflowCompletion is still due as a strategy, with no artifact of it: processed, nothing deleted.
  assert.deepEqual(pass.changes?.nodes, []);
  assert.deepEqual(pass.changes?.run.artifactGCStatus, { strategiesProcessed: { OnWorkflowCompletion: true } });
  assert.equal(looked, false);
  const done = { ...status(), artifactGCStatus: { strategiesProcessed: { OnWorkflowCompletion: true } } };
  looked = false;
  const again = await runGarbagePass(workflow({ strategy: 'OnWorkflowDeletion' }), done, {
    deleting: false,
    driver: recordingDriver(),
    repository: async () => ((looked = true), repository),
  });
  assert.equal(again.changes, undefined);
  assert.equal(looked, false);
});

test('a refused delete is a failure and an ArtifactGCError condition (replacing an earlier one); forceFinalizerRemoval lets go anyway', async () => {
  const driver = recordingDriver('w/pod/out.tgz');
  const pass = await runGarbagePass(workflow({ strategy: 'OnWorkflowDeletion' }), status(), { deleting: true, driver, repository: async () => repository });
  assert.equal(pass.finalizerRemovable, false);
  assert.equal(pass.failures.length, 1);
  assert.match(pass.failures[0]!, /could not delete "out" of node pod .*Access Denied/);
  const conditions = pass.changes?.run.conditions ?? [];
  assert.equal(conditions.length, 1);
  assert.equal(conditions[0]?.type, 'ArtifactGCError');
  assert.match(conditions[0]?.message ?? '', /Access Denied/);
  const forced = await runGarbagePass(workflow({ strategy: 'OnWorkflowDeletion', forceFinalizerRemoval: true }), status(), {
    deleting: true,
    driver: recordingDriver('w/pod/out.tgz'),
    repository: async () => repository,
  });
  assert.equal(forced.finalizerRemovable, true);
  assert.equal(forced.failures.length, 1);
});

test('a pass that fails as a whole (the repository unreadable) is a condition, never a rejection', async () => {
  const pass = await runGarbagePass(workflow({ strategy: 'OnWorkflowCompletion' }), status(), {
    deleting: false,
    driver: recordingDriver(),
    repository: () => Promise.reject(new Error('ConfigMap "artifact-repositories" is not valid YAML')),
  });
  assert.equal(pass.finalizerRemovable, false);
  assert.deepEqual(pass.changes?.run.conditions, [
    { type: 'ArtifactGCError', status: 'True', message: 'artifact GC failed: ConfigMap "artifact-repositories" is not valid YAML' },
  ]);
  assert.deepEqual(pass.changes?.nodes, []);
});
