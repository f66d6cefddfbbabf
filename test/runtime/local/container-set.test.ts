import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { LocalRunHarness, nodesByName } from './local-run-harness.js';

/**
 * containerSet templates on the local runtime: one pod whose containers run side by side in
 * their own sandboxes, each starting once its dependencies succeeded, sharing the set's
 * volumeMounts, with main's stdout and outputs as the node's.
 */
describe('containerSet on the local runtime (real sandboxed containers)', () => {
  let harness: LocalRunHarness;
  before(async () => {
    harness = await LocalRunHarness.create();
  });
  after(async () => harness.close());

  const workflow = (templates: string, entrypoint = 'main') => `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { generateName: set- }
spec:
  entrypoint: ${entrypoint}
  templates:
${templates}`;

  // Each container appends "<name> start" and "<name> end" to a log on the shared workspace.
  const step = (name: string, pause: string) => JSON.stringify(`echo "${name} start" >> /workspace/log; sleep ${pause}; echo "${name} end" >> /workspace/log`);

  it('runs a graph (a -> b, c -> main) in dependency order, sharing the workspace, with main stdout as the result', async () => {
    const { status } = await harness.run(
      workflow(`
    - name: main
      steps:
        - - { name: group, template: group }
        - - name: check
            template: check
            arguments: { parameters: [{ name: log, value: "{{steps.group.outputs.result}}" }] }
    - name: group
      volumes: [{ name: workspace, emptyDir: {} }]
      containerSet:
        volumeMounts: [{ name: workspace, mountPath: /workspace }]
        containers:
          - { name: a, image: alpine, command: [sh, -c, ${step('a', '0.2')}] }
          - { name: b, image: alpine, command: [sh, -c, ${step('b', '0.5')}], dependencies: [a] }
          - { name: c, image: alpine, command: [sh, -c, ${step('c', '0.5')}], dependencies: [a] }
          - name: main
            image: python:3-alpine
            dependencies: [b, c]
            command: [python3, -c, "print(open('/workspace/log').read().strip())"]
    - name: check
      inputs: { parameters: [{ name: log }] }
      container: { image: alpine, command: [sh, -c, 'echo "{{inputs.parameters.log}}"'] }
`),
    );
    assert.equal(status.phase, 'Succeeded', status.message);
    const nodes = nodesByName(status);
    const log = nodes.group!.outputs?.result?.split('\n') ?? [];
    const at = (line: string) => log.indexOf(line);
    assert.equal(log.length, 6, `the log: ${log.join(' | ')}`);
    assert.ok(at('a end') < at('b start') && at('a end') < at('c start'), `b and c start after a ends: ${log.join(' | ')}`);
    // b and c run side by side: each starts before the other ends.
    assert.ok(at('b start') < at('c end') && at('c start') < at('b end'), `b and c overlap: ${log.join(' | ')}`);
    assert.equal(nodes.check!.inputs?.parameters?.[0]?.value, nodes.group!.outputs?.result);
    for (const name of ['a', 'b', 'c', 'main']) {
      const container = Object.values(status.nodes).find((n) => n.type === 'Container' && n.displayName === name)!;
      assert.equal(container.phase, 'Succeeded', name);
      assert.equal(container.outputs?.exitCode, '0');
    }
  });

  it('runs containers without dependencies at the same time', async () => {
    // Each waits (up to 10 s) for the other's mark: they can only both succeed side by side.
    const meet = (me: string, other: string) => `touch /workspace/${me}; for i in $(seq 100); do [ -e /workspace/${other} ] && exit 0; sleep 0.1; done; exit 1`;
    const { status } = await harness.run(
      workflow(`
    - name: main
      volumes: [{ name: workspace, emptyDir: {} }]
      containerSet:
        volumeMounts: [{ name: workspace, mountPath: /workspace }]
        containers:
          - { name: x, image: alpine, command: [sh, -c, ${JSON.stringify(meet('x', 'y'))}] }
          - { name: y, image: alpine, command: [sh, -c, ${JSON.stringify(meet('y', 'x'))}] }
`),
    );
    assert.equal(status.phase, 'Succeeded', status.message);
    assert.deepEqual(
      Object.values(status.nodes)
        .filter((n) => n.type === 'Container')
        .map((n) => `${n.displayName} ${n.phase}`)
        .sort(),
      ['x Succeeded', 'y Succeeded'],
    );
  });

  it('stops the dependents of a failed container and fails the node, naming both', async () => {
    const { id, status } = await harness.run(
      workflow(`
    - name: main
      volumes: [{ name: workspace, emptyDir: {} }]
      containerSet:
        volumeMounts: [{ name: workspace, mountPath: /workspace }]
        containers:
          - { name: a, image: alpine, command: [sh, -c, "exit 0"] }
          - { name: b, image: alpine, command: [sh, -c, "echo broken >&2; exit 3"], dependencies: [a] }
          - { name: c, image: alpine, command: [sh, -c, "touch /workspace/c"], dependencies: [a] }
          - { name: d, image: alpine, command: [sh, -c, "touch /workspace/d"], dependencies: [b, c] }
          - { name: e, image: alpine, command: [sh, -c, "touch /workspace/e"], dependencies: [d] }
`),
    );
    assert.equal(status.phase, 'Failed');
    const pod = Object.values(status.nodes).find((n) => n.type === 'Pod')!;
    assert.equal(pod.message, 'container "b" failed (exit code 3); "d" did not run: it depends on "b"; "e" did not run: it depends on "d"');
    const container = (name: string) => Object.values(status.nodes).find((n) => n.type === 'Container' && n.displayName === name)!;
    assert.equal(container('b').phase, 'Failed');
    assert.equal(container('c').phase, 'Succeeded');
    assert.equal(container('d').phase, 'Omitted');
    assert.equal(container('e').phase, 'Omitted');
    const log = await readFile(harness.layout.containerLog(id, id, 'b'), 'utf8');
    assert.match(log, /broken/);
    const dLog = await readFile(harness.layout.containerLog(id, id, 'd'), 'utf8');
    assert.match(dLog, /"d" does not run: it depends on "b", which failed \(exit code 3\)/);
  });

  it("collects main's outputs from the shared volume, whichever container wrote them", async () => {
    const { status } = await harness.run(
      workflow(`
    - name: main
      volumes: [{ name: workspace, emptyDir: {} }]
      containerSet:
        volumeMounts: [{ name: workspace, mountPath: /workspace }]
        containers:
          - { name: a, image: alpine, command: [sh, -c, "echo -n hi > /workspace/out"] }
          - { name: main, image: alpine, command: [sh, -c, "cat /workspace/out; echo ' there'"], dependencies: [a] }
      outputs:
        parameters:
          - name: out
            valueFrom: { path: /workspace/out }
`),
    );
    assert.equal(status.phase, 'Succeeded', status.message);
    const pod = Object.values(status.nodes).find((n) => n.type === 'Pod')!;
    assert.deepEqual(pod.outputs?.parameters, [{ name: 'out', value: 'hi' }]);
    assert.equal(pod.outputs?.result, 'hi there');
  });

  it('retries a failing container within the pod per containerSet.retryStrategy', async () => {
    const flaky = 'n=$(ls /workspace | wc -l); touch /workspace/attempt-$n; [ "$n" -ge 2 ]';
    const { status } = await harness.run(
      workflow(`
    - name: main
      volumes: [{ name: workspace, emptyDir: {} }]
      containerSet:
        retryStrategy: { retries: "3", duration: 100ms }
        volumeMounts: [{ name: workspace, mountPath: /workspace }]
        containers:
          - { name: main, image: alpine, command: [sh, -c, ${JSON.stringify(flaky)}] }
`),
    );
    assert.equal(status.phase, 'Succeeded', status.message);
    assert.equal(Object.values(status.nodes).filter((n) => n.type === 'Pod').length, 1, 'the retries happen inside the one pod');
    const { status: tooFew } = await harness.run(
      workflow(`
    - name: main
      volumes: [{ name: workspace, emptyDir: {} }]
      containerSet:
        retryStrategy: { retries: 1 }
        volumeMounts: [{ name: workspace, mountPath: /workspace }]
        containers:
          - { name: main, image: alpine, command: [sh, -c, ${JSON.stringify(flaky)}] }
`),
    );
    assert.equal(tooFew.phase, 'Failed', 'two attempts are not enough for a step that needs three');
    assert.equal(tooFew.message, 'container "main" failed (exit code 1)');
  });

  it('fails a container the sandbox cannot start on its own, and its dependents do not wait for it forever', async () => {
    const { status } = await harness.run(
      workflow(`
    - name: main
      containerSet:
        containers:
          - name: a
            image: alpine
            command: [sh, -c, "true"]
            env: [{ name: TOKEN, valueFrom: { secretKeyRef: { name: absent, key: token } } }]
          - { name: b, image: alpine, command: [sh, -c, "true"], dependencies: [a] }
`),
    );
    assert.equal(status.phase, 'Failed');
    const container = (name: string) => Object.values(status.nodes).find((n) => n.type === 'Container' && n.displayName === name)!;
    assert.match(container('a').message ?? '', /absent/);
    assert.equal(container('b').phase, 'Omitted', JSON.stringify(Object.values(status.nodes).map((n) => [n.displayName, n.phase, n.message])));
    assert.match(status.message ?? '', /container "a" failed \(.*absent.*\); "b" did not run: it depends on "a"/);
  });
});
