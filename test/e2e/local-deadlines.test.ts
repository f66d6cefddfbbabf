import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FAIL_FAST_MESSAGE } from '../../src/engine/fail-fast.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import { parseSourceFile } from '../../src/spec/source/parse-source-file.js';
import { argoCorpusDir } from '../helpers/paths.js';
import { LocalRunHarness } from '../runtime/local/local-run-harness.js';

/**
 * Two of Argo's examples that its CI does not run (no pinned phase in MANIFEST.tsv), on the local
 * runtime with real processes: per-step `timeout` kills a real `sleep 30s` at 10 s, and a steps
 * template's `failFast` stops a sequential loop at its first failed item.
 */
function example(file: string): Workflow {
  return parseSourceFile(file, readFileSync(resolve(argoCorpusDir, file), 'utf8')).documents[0]!.value as Workflow;
}

describe('deadlines and failFast on the local runtime', () => {
  let harness: LocalRunHarness;
  before(async () => {
    harness = await LocalRunHarness.create();
  });
  after(async () => {
    await harness.close();
  });

  it('step-level-timeout.yaml: both 30 s sleeps are stopped at their 10 s timeout and the run fails', { timeout: 120_000 }, async () => {
    const started = Date.now();
    const { status } = await harness.run(example('examples/step-level-timeout.yaml'));
    const sleeps = Object.values(status.nodes).filter((n) => n.displayName === 'sleep1' || n.displayName === 'sleep2');
    assert.equal(sleeps.length, 2);
    for (const node of sleeps) {
      assert.equal(node.phase, 'Failed', `${node.displayName}: ${node.message ?? ''}`);
      assert.equal(node.message, 'Pod was active on the node longer than the specified deadline');
    }
    assert.equal(status.phase, 'Failed');
    assert.ok(Date.now() - started < 29_000, 'the sleeps did not run to their end');
  });

  it('loops-arbitrary-sequential-steps.yaml: the items after the failing one never run', { timeout: 120_000 }, async () => {
    const { status } = await harness.run(example('examples/loops-arbitrary-sequential-steps.yaml'));
    const pods = Object.values(status.nodes).filter((n) => n.type === 'Pod');
    assert.deepEqual(
      pods.map((n) => n.phase),
      ['Succeeded', 'Succeeded', 'Succeeded', 'Failed'],
    );
    assert.equal(status.phase, 'Failed');
    assert.equal(status.message, FAIL_FAST_MESSAGE);
  });
});
