import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { skiff, workspace } from './run-cli.js';

const SAVES = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: saves}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: make, template: make}
  - name: make
    container: {image: busybox, command: [sh, -c, "echo made > /tmp/out.txt"]}
    outputs:
      artifacts:
      - {name: report, path: /tmp/out.txt, archive: {none: {}}}
      - {name: log, path: /tmp/log.txt, archive: {none: {}}}
`;

/** The instant runtime saves nothing: it reports the artifacts, and the files are put where the repository keeps them. */
const REPORTS = JSON.stringify({
  make: {
    outputs: {
      artifacts: [
        { name: 'report', path: '/tmp/out.txt', local: { key: 'saves/report.txt' } },
        { name: 'log', path: '/tmp/log.txt', local: { key: 'saves/log.txt' } },
      ],
    },
  },
});

describe('skiff cp, as argo cp', () => {
  it("downloads a run's output artifacts under OUTPUT_DIR, filtered by name, with --path", async () => {
    const dir = workspace({ 'saves.yaml': SAVES, 'state/artifacts/saves/report.txt': 'the report\n', 'state/artifacts/saves/log.txt': 'the log\n' });
    assert.equal((await skiff(dir, ['submit', 'saves.yaml', '-w'], { env: { SKIFF_INSTANT_SCRIPT: REPORTS } })).status, 0);
    const all = await skiff(dir, ['cp', 'saves', 'out']);
    assert.equal(all.status, 0, all.stderr);
    const lines = all.stdout.trim().split('\n');
    assert.equal(lines.length, 2, all.stdout);
    const reportPath = /^make\/report -> (.+)$/m.exec(all.stdout)![1]!;
    assert.match(reportPath, new RegExp(`^${join(dir, 'out')}/default/saves/saves-\\d+/outputs/report$`));
    assert.equal(readFileSync(reportPath, 'utf8'), 'the report\n');
    const one = await skiff(dir, ['cp', '@latest', 'flat', '--artifact-name', 'log', '--path', '{templateName}-{artifactName}.txt']);
    assert.equal(one.stdout, `make/log -> ${join(dir, 'flat', 'make-log.txt')}\n`);
    assert.equal(readFileSync(join(dir, 'flat', 'make-log.txt'), 'utf8'), 'the log\n');
    assert.equal((await skiff(dir, ['cp', 'saves', 'none', '--template-name', 'other'])).stdout, '');
    const leaving = await skiff(dir, ['cp', 'saves', 'x', '--path', '../../{artifactName}']);
    assert.equal(leaving.status, 1);
    assert.match(leaving.stderr, /leaves/);
    assert.equal((await skiff(dir, ['cp', 'saves'])).status, 2);
  });
});
