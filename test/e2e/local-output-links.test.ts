import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../helpers/paths.js';
import { repositoryText } from '../helpers/repository-text.js';
import { LocalRunHarness, nodesByName } from '../runtime/local/local-run-harness.js';

const head = (name: string) => `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: ${name}-}
spec:
  entrypoint: main
  templates:
`;

/**
 * An attacker's steps through the real local runtime: outputs that are links to /etc/passwd and
 * to a file of Skiff's own installation (its package.json, which the wait container sees and the
 * step does not). The wait container must not read them; a link to the step's own file works.
 */
describe('local runtime: outputs are read as the step sees them', () => {
  let harness: LocalRunHarness;
  const packageJson = join(repoRoot, 'package.json');
  before(async () => {
    harness = await LocalRunHarness.create();
  });
  after(async () => harness.close());

  const leaked = async (): Promise<void> => {
    const text = await repositoryText(harness.layout.artifacts);
    assert.doesNotMatch(text, /root:[^:\n]*:0:0:/, 'no /etc/passwd in the repository');
    assert.ok(!text.includes('"bench:local"'), 'no Skiff package.json in the repository');
  };
  const NOTE = /outputs are read as the step sees them, and links that leave the output are not followed/;

  it('fails a step whose output directory holds a link to /etc/passwd, and stores nothing of it', async () => {
    const { status } = await harness.run(`${head('passwd-inside')}  - name: main
    container: {image: alpine, command: [sh, -c, "mkdir -p /tmp/out && echo fine > /tmp/out/ok && ln -s /etc/passwd /tmp/out/passwd"]}
    outputs: {artifacts: [{name: out, path: /tmp/out}]}
`);
    assert.notEqual(status.phase, 'Succeeded');
    const node = Object.values(status.nodes)[0]!;
    assert.match(node.message ?? '', /output artifact "out": "passwd" is a link to "\/etc\/passwd", outside the artifact/);
    assert.match(node.message!, NOTE);
    await leaked();
  });

  it("fails a step whose output artifact and parameter are links to Skiff's own package.json", async () => {
    const artifact = await harness.run(`${head('project-artifact')}  - name: main
    container: {image: alpine, command: [sh, -c, "ln -s ${packageJson} /tmp/pkg"]}
    outputs: {artifacts: [{name: pkg, path: /tmp/pkg}]}
`);
    assert.notEqual(artifact.status.phase, 'Succeeded');
    const message = Object.values(artifact.status.nodes)[0]!.message ?? '';
    assert.match(message, new RegExp(`output artifact "pkg": "/tmp/pkg" is a link to "${packageJson}", which the step's own filesystem does not resolve`));
    assert.match(message, NOTE);

    const parameter = await harness.run(`${head('project-parameter')}  - name: main
    container: {image: alpine, command: [sh, -c, "ln -s ${packageJson} /tmp/p"]}
    outputs: {parameters: [{name: p, valueFrom: {path: /tmp/p}}]}
`);
    assert.notEqual(parameter.status.phase, 'Succeeded');
    const node = Object.values(parameter.status.nodes)[0]!;
    assert.match(node.message ?? '', new RegExp(`output parameter "p": "/tmp/p" is a link to "${packageJson}"`));
    assert.ok(!JSON.stringify(parameter.status).includes('"bench:local"'));
    await leaked();
  });

  it("reads a link to the step's own file as that file, and hands it on", async () => {
    const { status } = await harness.run(`${head('own-links')}  - name: main
    steps:
    - - {name: make, template: make}
    - - name: read
        template: read
        arguments:
          parameters: [{name: p, value: "{{steps.make.outputs.parameters.p}}"}]
          artifacts: [{name: in, from: "{{steps.make.outputs.artifacts.out}}"}]
  - name: make
    container:
      image: alpine
      command: [sh, -c, "mkdir -p /tmp/data && echo mine > /tmp/data/x && ln -s x /tmp/data/latest && ln -s /tmp/data/x /tmp/p && ln -s /tmp/data /tmp/out"]
    outputs:
      parameters:
      - {name: p, valueFrom: {path: /tmp/p}}
      artifacts: [{name: out, path: /tmp/out}]
  - name: read
    inputs:
      parameters: [{name: p}]
      artifacts: [{name: in, path: /tmp/in}]
    container: {image: alpine, command: [sh, -c, "test '{{inputs.parameters.p}}' = mine && test \\"$(cat /tmp/in/latest)\\" = mine && test \\"$(readlink /tmp/in/latest)\\" = x"]}
`);
    const nodes = nodesByName(status);
    assert.equal(status.phase, 'Succeeded', JSON.stringify(nodes, null, 1));
    assert.equal(nodes.make!.outputs?.parameters?.[0]?.value, 'mine');
  });
});
