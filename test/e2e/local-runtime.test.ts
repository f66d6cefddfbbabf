import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { LocalRunHarness, nodesByName } from '../runtime/local/local-run-harness.js';

const head = (name: string) => `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: ${name}-}
spec:
`;

describe('local runtime, end to end (RunDriver + LocalRunStore + sandbox)', () => {
  let harness: LocalRunHarness;
  before(async () => {
    harness = await LocalRunHarness.create();
  });
  after(async () => harness.close());

  it('runs hello world and keeps its log where skiff logs reads it', async () => {
    const { id, status } = await harness.run(`${head('hello-world')}
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: [echo], args: ["hello world"]}
`);
    assert.equal(status.phase, 'Succeeded', JSON.stringify(status, null, 1));
    const node = Object.values(status.nodes)[0]!;
    assert.equal(node.outputs?.exitCode, '0');
    const log = await readFile(harness.layout.containerLog(id, id, 'main'), 'utf8');
    assert.equal(log, 'hello world\n');
  });

  it("feeds a script's outputs.result into a when", async () => {
    const { status } = await harness.run(`${head('coin')}
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: flip, template: flip}
    - - {name: heads, template: say, when: "{{steps.flip.outputs.result}} == heads"}
      - {name: tails, template: say, when: "{{steps.flip.outputs.result}} == tails"}
  - name: flip
    script:
      image: python:3.12
      command: [python3]
      source: |
        print("heads")
  - name: say
    container: {image: alpine, command: [sh, -c, "echo it was heads"]}
`);
    assert.equal(status.phase, 'Succeeded');
    const nodes = nodesByName(status);
    assert.equal(nodes.flip!.outputs?.result, 'heads');
    assert.equal(nodes.heads!.phase, 'Succeeded');
    assert.equal(nodes.tails!.phase, 'Skipped');
  });

  it('reads output parameters from their paths (valueFrom.path, with a default)', async () => {
    const { status } = await harness.run(`${head('params')}
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: gen, template: gen}
    - - name: use
        template: use
        arguments: {parameters: [{name: msg, value: "{{steps.gen.outputs.parameters.msg}}-{{steps.gen.outputs.parameters.missing}}"}]}
  - name: gen
    container: {image: alpine, command: [sh, -c, "printf 'hi there\\n' > /tmp/msg.txt"]}
    outputs:
      parameters:
      - {name: msg, valueFrom: {path: /tmp/msg.txt}}
      - {name: missing, valueFrom: {path: /tmp/none, default: dflt}}
  - name: use
    inputs: {parameters: [{name: msg}]}
    container: {image: alpine, command: [sh, -c, "test '{{inputs.parameters.msg}}' = 'hi there-dflt'"]}
`);
    assert.equal(status.phase, 'Succeeded', JSON.stringify(nodesByName(status).use));
    assert.equal(nodesByName(status).gen!.outputs?.parameters?.[0]?.value, 'hi there');
  });

  it('passes an artifact with from through the local default repository', async () => {
    const { id, status } = await harness.run(`${head('artifact-passing')}
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: make, template: make}
    - - name: read
        template: read
        arguments: {artifacts: [{name: in, from: "{{steps.make.outputs.artifacts.out}}"}]}
  - name: make
    container: {image: alpine, command: [sh, -c, "mkdir -p /tmp/out && echo one > /tmp/out/a && echo two > /tmp/out/b"]}
    outputs: {artifacts: [{name: out, path: /tmp/out}]}
  - name: read
    inputs: {artifacts: [{name: in, path: /tmp/in}]}
    container: {image: alpine, command: [sh, -c, "test \\"$(cat /tmp/in/a /tmp/in/b)\\" = \\"$(printf 'one\\ntwo')\\""]}
`);
    assert.equal(status.phase, 'Succeeded', JSON.stringify(nodesByName(status).read));
    const out = nodesByName(status).make!.outputs?.artifacts?.[0] as { local?: { key?: string } };
    assert.match(out.local?.key ?? '', new RegExp(`^default/${id}/${id}-make-\\d+/out\\.tgz$`));
    assert.ok(existsSync(`${harness.layout.artifacts}/${out.local!.key}`));
  });

  it('fans in parallel writers through a volumeClaimTemplates volume, removed when the run ends', async () => {
    const { id, status } = await harness.run(`${head('vct')}
  entrypoint: main
  volumeClaimTemplates:
  - metadata: {name: work}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
  templates:
  - name: main
    steps:
    - - {name: write, template: write, arguments: {parameters: [{name: n, value: "{{item}}"}]}, withItems: [1, 2, 3, 4]}
    - - {name: gather, template: gather}
  - name: write
    inputs: {parameters: [{name: n}]}
    container:
      image: alpine
      command: [sh, -c, "echo part{{inputs.parameters.n}} > /mnt/work/part{{inputs.parameters.n}}"]
      volumeMounts: [{name: work, mountPath: /mnt/work}]
  - name: gather
    script:
      image: alpine
      command: [sh]
      source: cat /mnt/work/part* | tr '\\n' ' '
      volumeMounts: [{name: work, mountPath: /mnt/work}]
`);
    assert.equal(status.phase, 'Succeeded', JSON.stringify(status, null, 1));
    assert.equal(nodesByName(status).gather!.outputs?.result, 'part1 part2 part3 part4 ');
    await harness.runtime.close();
    assert.equal(existsSync(harness.layout.claimsDir(id)), false);
  });

  it("aggregates a withParam loop's output parameters into a JSON array", async () => {
    const { status } = await harness.run(`${head('aggregate')}
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: list, template: list}
    - - {name: square, template: square, arguments: {parameters: [{name: n, value: "{{item}}"}]}, withParam: "{{steps.list.outputs.result}}"}
    - - {name: sum, template: sum, arguments: {parameters: [{name: values, value: "{{steps.square.outputs.parameters.sq}}"}]}}
  - name: list
    script: {image: python:3, command: [python3], source: "import json; print(json.dumps([1, 2, 3]))"}
  - name: square
    inputs: {parameters: [{name: n}]}
    container: {image: alpine, command: [sh, -c, "echo $(( {{inputs.parameters.n}} * {{inputs.parameters.n}} )) > /tmp/sq"]}
    outputs: {parameters: [{name: sq, valueFrom: {path: /tmp/sq}}]}
  - name: sum
    inputs: {parameters: [{name: values}]}
    script:
      image: python:3
      command: [python3]
      source: |
        import json
        print(sum(int(v) for v in json.loads('{{inputs.parameters.values}}')))
`);
    assert.equal(status.phase, 'Succeeded', JSON.stringify(nodesByName(status).sum));
    assert.equal(nodesByName(status).sum!.inputs?.parameters?.[0]?.value, '["1","4","9"]');
    assert.equal(nodesByName(status).sum!.outputs?.result, '14');
  });

  it("hands a looped step's output artifact downstream as one directory (fan-in)", async () => {
    const { status } = await harness.run(`${head('fan-in')}
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: make, template: make, arguments: {parameters: [{name: n, value: "{{item}}"}]}, withItems: [a, b, c]}
    - - name: gather
        template: gather
        arguments: {artifacts: [{name: parts, from: "{{steps.make.outputs.artifacts.part}}"}]}
  - name: make
    inputs: {parameters: [{name: n}]}
    container: {image: alpine, command: [sh, -c, "echo {{inputs.parameters.n}} > /tmp/part"]}
    outputs: {artifacts: [{name: part, path: /tmp/part}]}
  - name: gather
    inputs: {artifacts: [{name: parts, path: /tmp/parts}]}
    script: {image: alpine, command: [sh], source: "cd /tmp/parts && for f in *; do printf '%s=%s ' $f $(cat $f); done"}
`);
    assert.equal(status.phase, 'Succeeded', JSON.stringify(nodesByName(status).gather));
    assert.equal(nodesByName(status).gather!.outputs?.result, '0=a 1=b 2=c ');
  });

  it('fails a step by its exit code, with its outputs still recorded', async () => {
    const { status } = await harness.run(`${head('fail')}
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine, command: [sh, -c, "echo partial > /tmp/p; exit 3"]}
    outputs: {parameters: [{name: p, valueFrom: {path: /tmp/p}}]}
`);
    assert.equal(status.phase, 'Failed');
    const node = Object.values(status.nodes)[0]!;
    assert.equal(node.outputs?.exitCode, '3');
    assert.equal(node.message, 'Error (exit code 3)');
    assert.equal(node.outputs?.parameters?.[0]?.value, 'partial');
  });

  it('kills a step that exceeds activeDeadlineSeconds', async () => {
    const started = Date.now();
    const { status } = await harness.run(`${head('deadline')}
  entrypoint: main
  templates:
  - name: main
    activeDeadlineSeconds: 1
    container: {image: alpine, command: [sleep, "60"]}
`);
    assert.equal(status.phase, 'Failed');
    assert.match(Object.values(status.nodes)[0]!.message ?? '', /deadline/);
    assert.ok(Date.now() - started < 10_000);
  });

  it('reports a missing input artifact as a pod error on the node', async () => {
    const { status } = await harness.run(`${head('missing')}
  entrypoint: main
  templates:
  - name: main
    inputs: {artifacts: [{name: data, path: /tmp/data, s3: {key: does/not/exist}}]}
    container: {image: alpine, command: [cat, /tmp/data]}
`);
    assert.equal(status.phase, 'Error');
    assert.match(Object.values(status.nodes)[0]!.message ?? '', /data/);
  });
});
