import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runName, skiff, workspace } from './run-cli.js';

const FLAKY = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: flaky-
spec:
  entrypoint: flaky
  templates:
    - name: flaky
      retryStrategy:
        limit: 2
        retryPolicy: OnTransientError
      container:
        image: alpine
        command: [sh, -c, "true"]
`;
const OUT_OF_SLOTS = { SKIFF_INSTANT_SCRIPT: '{"flaky": {"error": "runner out of slots"}}' };

async function attempts(dir: string, name: string): Promise<number> {
  const get = await skiff(dir, ['get', name, '-o', 'json']);
  const status = (JSON.parse(get.stdout) as { status: { nodes: Record<string, { type: string }> } }).status;
  return Object.values(status.nodes).filter((n) => n.type === 'Pod').length;
}

describe('TRANSIENT_ERROR_PATTERN', () => {
  it('makes retryPolicy OnTransientError retry the failures it matches, as on Argo controller', async () => {
    const dir = workspace({ 'flaky.yaml': FLAKY });
    const plain = runName((await skiff(dir, ['submit', 'flaky.yaml', '--wait'], { env: OUT_OF_SLOTS })).stdout);
    assert.equal(await attempts(dir, plain), 1, 'not a transient message: no retry');
    const matched = runName(
      (await skiff(dir, ['submit', 'flaky.yaml', '--wait'], { env: { ...OUT_OF_SLOTS, TRANSIENT_ERROR_PATTERN: 'out of (slots|memory)' } })).stdout,
    );
    assert.equal(await attempts(dir, matched), 3, 'the first attempt and two retries');
  });

  it('refuses a pattern that is not a regular expression, saying why, before any run is saved', async () => {
    const dir = workspace({ 'flaky.yaml': FLAKY });
    const result = await skiff(dir, ['submit', 'flaky.yaml', '--wait'], { env: { ...OUT_OF_SLOTS, TRANSIENT_ERROR_PATTERN: '(slots' } });
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /TRANSIENT_ERROR_PATTERN "\(slots" is not a regular expression/);
    assert.match((await skiff(dir, ['list'])).stdout, /^NAME\s+STATUS/, 'the list has its header');
    assert.doesNotMatch((await skiff(dir, ['list'])).stdout, /flaky-/, 'and no run');
  });
});
