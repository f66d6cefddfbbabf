import assert from 'node:assert/strict';
import { parse } from 'yaml';
import type { NodeStatus, WorkflowStatus } from '../../src/engine/workflow-status.js';
import type { Workflow } from '../../src/spec/model/workflow.js';

export interface FullRunOptions {
  name: string;
  namespace: string;
  /** An image with `sh`, `cat`, `find` and `test` (alpine for the node agent, busybox on the real node). */
  image: string;
  /** The node every pod names (`podSpecPatch`), where no scheduler runs. */
  nodeName?: string;
}

/**
 * One run that touches most of what the cluster runtime must carry, shared by the node-agent and
 * the real-node tests: steps, a loop whose output artifacts fan in to one step (`sum`), a script
 * result, a step that fails on its first attempt and succeeds on its retry (`flaky`), a DAG whose
 * second task reads the first's output parameter, and a volumeClaimTemplates claim that `gen` writes
 * and the DAG's tasks read (so they fail if it is not the same volume). Output artifacts go to the
 * namespace's default artifact repository.
 */
export function fullRunWorkflow(options: FullRunOptions): Workflow {
  const { image } = options;
  const workflow = parse(`
spec:
  entrypoint: main
  volumeClaimTemplates:
  - metadata: {name: work}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Mi}}}
  templates:
  - name: main
    steps:
    - - {name: gen, template: gen}
    - - {name: part, template: part, arguments: {parameters: [{name: n, value: "{{item}}"}]}, withItems: [1, 2, 3]}
    - - name: sum
        template: sum
        arguments: {artifacts: [{name: parts, from: "{{steps.part.outputs.artifacts.out}}"}]}
    - - {name: flaky, template: flaky}
    - - {name: graph, template: graph, arguments: {parameters: [{name: total, value: "{{steps.sum.outputs.result}}"}]}}
  - name: gen
    script:
      image: ${image}
      command: [sh]
      source: |
        echo 42 > /work/seed
        echo generated
      volumeMounts: [{name: work, mountPath: /work}]
  - name: part
    inputs: {parameters: [{name: n}]}
    container: {image: ${image}, command: [sh, -c, "echo {{inputs.parameters.n}} > /tmp/out"]}
    outputs: {artifacts: [{name: out, path: /tmp/out}]}
  - name: sum
    inputs: {artifacts: [{name: parts, path: /tmp/parts}]}
    script:
      image: ${image}
      command: [sh]
      source: |
        total=0; for f in $(find /tmp/parts -type f); do total=$((total + $(cat $f))); done; echo $total
  - name: flaky
    retryStrategy: {limit: 2}
    container: {image: ${image}, command: [sh, -c, "test {{retries}} -ge 1"]}
  - name: graph
    inputs: {parameters: [{name: total}]}
    dag:
      tasks:
      - {name: a, template: echo, arguments: {parameters: [{name: m, value: "a{{inputs.parameters.total}}"}]}}
      - {name: b, template: echo, dependencies: [a], arguments: {parameters: [{name: m, value: "{{tasks.a.outputs.parameters.said}}-b"}]}}
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: ${image}, command: [sh, -c, "test $(cat /work/seed) = 42; echo -n {{inputs.parameters.m}} > /tmp/said"], volumeMounts: [{name: work, mountPath: /work}]}
    outputs: {parameters: [{name: said, valueFrom: {path: /tmp/said}}]}
`) as Workflow;
  workflow.metadata = { name: options.name, namespace: options.namespace, labels: { 'workflows.argoproj.io/controller-instanceid': 'skiff' } };
  // No scheduler in the test environments: the pods name their node themselves.
  if (options.nodeName) workflow.spec.podSpecPatch = JSON.stringify({ nodeName: options.nodeName });
  return workflow;
}

/** The node of `status` shown as `displayName` (e.g. `part(0:1)`). */
export function nodeNamed(status: WorkflowStatus, displayName: string): NodeStatus | undefined {
  return Object.values(status.nodes).find((n) => n.displayName === displayName);
}

/**
 * What every runtime must make of fullRunWorkflow: Succeeded, the script's result, the fan-in's sum
 * of the loop's artifacts, the DAG's chained parameter, `flaky` run twice (failed, then succeeded),
 * and the loop's first output artifact stored as an S3 key. Returns that artifact's key.
 */
export function assertFullRun(status: WorkflowStatus): string {
  const detail = JSON.stringify(Object.values(status.nodes).map((n) => [n.displayName, n.phase, n.message]));
  assert.equal(status.phase, 'Succeeded', detail);
  assert.equal(nodeNamed(status, 'gen')?.outputs?.result, 'generated');
  assert.equal(nodeNamed(status, 'sum')?.outputs?.result, '6');
  assert.equal(nodeNamed(status, 'a')?.outputs?.parameters?.[0]?.value, 'a6');
  assert.equal(nodeNamed(status, 'b')?.outputs?.parameters?.[0]?.value, 'a6-b');
  // The retry's attempts, in order: the first exits 1, the second ({{retries}} = 1) succeeds.
  const attempts = Object.values(status.nodes).filter((n) => n.displayName.startsWith('flaky(') && n.type === 'Pod');
  assert.deepEqual(
    attempts.map((n) => [n.displayName, n.phase]).sort(),
    [
      ['flaky(0)', 'Failed'],
      ['flaky(1)', 'Succeeded'],
    ],
    detail,
  );
  assert.match(nodeNamed(status, 'flaky(0)')?.message ?? '', /exit code 1/);
  const out = nodeNamed(status, 'part(0:1)')?.outputs?.artifacts?.[0];
  assert.ok(out?.s3?.key, `an S3 key: ${JSON.stringify(out)}`);
  return out.s3.key;
}
