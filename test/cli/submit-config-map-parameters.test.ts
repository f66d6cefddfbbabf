import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { argoCorpusDir } from '../helpers/paths.js';
import { runName, skiff, workspace } from './run-cli.js';

const example = (file: string): string => readFileSync(resolve(argoCorpusDir, 'examples', file), 'utf8');

interface WorkflowJson {
  metadata: { name: string };
  status: {
    phase: string;
    message?: string;
    nodes: Record<string, { displayName: string; phase: string; message?: string; inputs?: { parameters?: Array<{ name: string; value: string }> } }>;
  };
}

describe('skiff submit with parameters from ConfigMaps', () => {
  it("reads a template input from a ConfigMap stored with skiff apply (Argo's example)", async () => {
    const dir = workspace({
      'cm.yaml': example('configmaps/simple-parameters-configmap.yaml'),
      'wf.yaml': example('arguments-parameters-from-configmap.yaml'),
    });
    assert.equal((await skiff(dir, ['apply', 'cm.yaml'])).status, 0);
    const result = await skiff(dir, ['submit', 'wf.yaml', '--wait', '-o', 'json']);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    const workflow = JSON.parse(result.stdout) as WorkflowJson;
    assert.equal(workflow.status.phase, 'Succeeded');
    assert.deepEqual(workflow.status.nodes[workflow.metadata.name]?.inputs?.parameters, [{ name: 'message', value: 'hello world' }]);
  });

  it('fails a run whose global parameter names a ConfigMap not applied, and a retry after skiff apply reads it', async () => {
    const dir = workspace({
      'cm.yaml': example('configmaps/simple-parameters-configmap.yaml'),
      'wf.yaml': example('global-parameters-from-configmap-referenced-as-local-variable.yaml'),
    });
    const failed = await skiff(dir, ['submit', 'wf.yaml', '--wait']);
    assert.equal(failed.status, 1);
    assert.match(failed.stdout, /spec\.arguments\.parameters\.message: ConfigMap "simple-parameters" does not exist in namespace "default"/);
    const name = runName(failed.stdout);

    assert.equal((await skiff(dir, ['apply', 'cm.yaml'])).status, 0);
    const retried = await skiff(dir, ['retry', name, '--wait', '-o', 'json']);
    assert.equal(retried.status, 0, retried.stdout + retried.stderr);
    const workflow = JSON.parse(retried.stdout) as WorkflowJson;
    assert.equal(workflow.status.phase, 'Succeeded');
    assert.deepEqual(workflow.status.nodes[name]?.inputs?.parameters, [{ name: 'message', value: 'hello world' }]);
  });

  it('finds a ConfigMap whose name is only known at run time among the applied ones', async () => {
    const dir = workspace({
      'cm.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: prod-settings\n  labels: {workflows.argoproj.io/configmap-type: Parameter}\ndata: {region: eu-west-1}\n',
      'wf.yaml': `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: dynamic-}
spec:
  entrypoint: main
  arguments:
    parameters: [{name: env, value: prod}]
  templates:
  - name: main
    inputs:
      parameters: [{name: env}]
    steps:
    - - name: show
        template: show
        arguments:
          parameters:
          - name: region
            valueFrom:
              configMapKeyRef: {name: "{{inputs.parameters.env}}-settings", key: region}
  - name: show
    inputs:
      parameters: [{name: region}]
    container: {image: busybox, command: [echo, "{{inputs.parameters.region}}"]}
`,
    });
    assert.equal((await skiff(dir, ['apply', 'cm.yaml'])).status, 0);
    const result = await skiff(dir, ['submit', 'wf.yaml', '--wait', '-o', 'json']);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    const workflow = JSON.parse(result.stdout) as WorkflowJson;
    const show = Object.values(workflow.status.nodes).find((n) => n.displayName === 'show');
    assert.deepEqual(show?.inputs?.parameters, [{ name: 'region', value: 'eu-west-1' }]);
  });

  it("reads the ConfigMap of the run's namespace (-n), not another namespace's", async () => {
    const dir = workspace({
      'cm.yaml': example('configmaps/simple-parameters-configmap.yaml'),
      'wf.yaml': example('arguments-parameters-from-configmap.yaml'),
    });
    assert.equal((await skiff(dir, ['apply', 'cm.yaml', '-n', 'team-a'])).status, 0);
    const elsewhere = await skiff(dir, ['submit', 'wf.yaml', '--wait']);
    assert.equal(elsewhere.status, 1);
    assert.match(elsewhere.stdout, /inputs\.parameters\.message: ConfigMap "simple-parameters" does not exist in namespace "default"/);
    const there = await skiff(dir, ['submit', 'wf.yaml', '--wait', '-n', 'team-a']);
    assert.equal(there.status, 0, there.stdout + there.stderr);
  });
});
