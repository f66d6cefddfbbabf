import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodRequest } from '../../src/engine/engine-events.js';
import { RunRepositories } from '../../src/runs/run-repositories.js';
import type { ConfigMap } from '../../src/spec/model/kubernetes.js';
import type { Workflow } from '../../src/spec/model/workflow.js';

const workflow: Workflow = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata: { name: 'wf-abcde', namespace: 'team' },
  spec: { entrypoint: 'main', templates: [] },
};
const request = {
  workflowName: 'wf-abcde',
  workflowNamespace: 'default',
  nodeId: 'wf-abcde',
  podName: 'wf-abcde',
  template: { name: 'main' },
  inputs: {},
} as PodRequest;

/** The namespace's artifact-repositories ConfigMap, naming a directory repository as its default. */
const configMaps = (root: string) => ({
  get: async (namespace: string, name: string): Promise<ConfigMap | undefined> =>
    namespace === 'team' && name === 'artifact-repositories'
      ? {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name, namespace, annotations: { 'workflows.argoproj.io/default-artifact-repository': 'here' } },
          data: { here: `local:\n  root: ${root}\n` },
        }
      : undefined,
});

describe('RunRepositories', () => {
  it("resolves a new run by Argo's rule and keys its archive location by pod", async () => {
    const repositories = new RunRepositories({ configMaps: configMaps('/repo/now'), localDefault: { local: { root: '/default' } } });
    const resolved = await repositories.repository(workflow);
    assert.equal(resolved.source, 'namespace-configmap');
    assert.deepEqual(await repositories.archiveLocation(workflow, request), { local: { root: '/repo/now', key: 'wf-abcde/wf-abcde' } });
  });

  it('a run that recorded its repository keeps it after a restart, though the ConfigMap now says otherwise', async () => {
    const repositories = new RunRepositories({
      configMaps: configMaps('/repo/now'),
      localDefault: { local: { root: '/default' } },
      recordedOf: async (runId) =>
        runId === 'team/wf-abcde'
          ? { namespace: 'team', configMap: 'artifact-repositories', key: 'here', artifactRepository: { local: { root: '/repo/then' } } }
          : undefined,
    });
    const resolved = await repositories.repository(workflow);
    assert.equal(resolved.source, 'recorded');
    assert.deepEqual(resolved.ref, {
      namespace: 'team',
      configMap: 'artifact-repositories',
      key: 'here',
      artifactRepository: { local: { root: '/repo/then' } },
    });
    assert.deepEqual(await repositories.archiveLocation(workflow, request), { local: { root: '/repo/then', key: 'wf-abcde/wf-abcde' } });
  });
});
