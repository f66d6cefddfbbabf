import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Template, Workflow } from '../../src/spec/model/workflow.js';
import { parseSourceFile } from '../../src/spec/source/parse-source-file.js';
import { FAIL_FAST_MESSAGE } from '../../src/engine/fail-fast.js';
import { argoCorpusDir } from '../helpers/paths.js';
import { corpusScript } from './corpus-script.js';
import { echo, simulate, START, workflowOf } from './simulate-run.js';

const DEADLINE = 'Pod was active on the node longer than the specified deadline';
const at = (ms: number) => new Date(START + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const leaf = (name: string, extra: Partial<Template> = {}): Template => ({ name, ...echo, ...extra });

/** An example of Argo's corpus, named as Argo's controller would name it. */
function example(file: string): Workflow {
  const workflow = parseSourceFile(file, readFileSync(resolve(argoCorpusDir, file), 'utf8')).documents[0]!.value as Workflow;
  workflow.metadata = { ...workflow.metadata, name: `${workflow.metadata?.generateName ?? 'wf-'}abcde` };
  return workflow;
}

test('step-level-timeout.yaml: both steps time out at 10 s; continueOn.failed covers one, continueOn.error not the other, so the run fails', () => {
  const r = simulate(example('examples/step-level-timeout.yaml'), { script: corpusScript });
  const sleep1 = r.byDisplay('sleep1')!;
  const sleep2 = r.byDisplay('sleep2')!;
  for (const node of [sleep1, sleep2]) {
    assert.equal(node.phase, 'Failed');
    assert.equal(node.message, DEADLINE);
    assert.equal(node.finishedAt, at(10_000));
  }
  assert.equal(r.kills.length, 2, 'the timed-out pods are killed');
  assert.equal(r.status.phase, 'Failed');
  assert.equal(r.status.message, `child '${sleep1.id}' failed`);
});

test('dag-task-level-timeout.yaml: B (10 s timeout, 15 s of work) fails at 25 s, C finishes, the DAG fails', () => {
  const r = simulate(example('examples/dag-task-level-timeout.yaml'), { script: corpusScript });
  assert.equal(r.byDisplay('A')!.phase, 'Succeeded');
  assert.equal(r.byDisplay('B')!.phase, 'Failed');
  assert.equal(r.byDisplay('B')!.message, DEADLINE);
  assert.equal(r.byDisplay('B')!.finishedAt, at(25_000));
  assert.equal(r.byDisplay('C')!.phase, 'Succeeded');
  assert.equal(r.status.phase, 'Failed');
});

test('timeouts-workflow.yaml: activeDeadlineSeconds ends the run at 30 s and kills the day-long sleeps', () => {
  const r = simulate(example('examples/timeouts-workflow.yaml'), { script: corpusScript });
  assert.equal(r.status.phase, 'Failed');
  assert.equal(r.status.finishedAt, at(30_000));
  assert.equal(r.kills.length, 3);
  assert.equal(r.byDisplay('sleep-one-day(0:1)')!.message, 'Step exceeded its deadline');
});

test('loops-arbitrary-sequential-steps.yaml: failFast with parallelism 1 stops at the first failed item', () => {
  const r = simulate(example('examples/loops-arbitrary-sequential-steps.yaml'), { script: corpusScript });
  assert.equal(r.pods.length, 4, 'three items succeed, the fourth fails, the last two never run');
  assert.equal(r.status.phase, 'Failed');
  assert.equal(r.status.message, FAIL_FAST_MESSAGE);
});

test('timeout counts from each attempt of a retried template, not from the Retry node', () => {
  let n = 0;
  const r = simulate(workflowOf({ entrypoint: 'main', templates: [leaf('main', { timeout: '10s', retryStrategy: { limit: 1 } })] }), {
    script: () => ({ durationMs: n++ === 0 ? 60_000 : 8_000 }),
  });
  assert.equal(r.byName('wf(0)')!.message, DEADLINE);
  assert.equal(r.byName('wf(1)')!.phase, 'Succeeded');
  assert.equal(r.status.phase, 'Succeeded');
  assert.equal(r.status.finishedAt, at(18_000));
});

test('a timeout that templateDefaults gives a steps or DAG template bounds its pods, not the template (Argo ignores it there)', () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    templateDefaults: { timeout: '5s' },
    templates: [
      { name: 'main', steps: [[{ name: 'a', template: 'work' }], [{ name: 'b', template: 'inner' }]] },
      { name: 'inner', dag: { tasks: [{ name: 'c', template: 'work' }] } },
      leaf('work'),
    ],
  });
  const ok = simulate(workflow, { script: () => ({ durationMs: 4_000 }) });
  assert.equal(ok.status.phase, 'Succeeded', 'two 4 s steps: 8 s in all, past the 5 s the steps template was given');
  assert.equal(ok.status.finishedAt, at(8_000));
  assert.equal(ok.pods[0]!.deadline, at(5_000).replace('Z', '.000Z'));

  const slow = simulate(workflow, { script: () => ({ durationMs: 6_000 }) });
  assert.equal(slow.byName('wf[0].a')!.message, DEADLINE);
  assert.equal(slow.status.phase, 'Failed');
});

test("a pod held back by the workflow's parallelism starts its timeout when it is sent, as Argo creates its node only then", () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    parallelism: 1,
    templates: [
      {
        name: 'main',
        steps: [
          [
            { name: 'a', template: 'work' },
            { name: 'b', template: 'work' },
          ],
        ],
      },
      leaf('work', { timeout: '10s' }),
    ],
  });
  const r = simulate(workflow, { script: () => ({ durationMs: 6_000 }) });
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.deepEqual(
    r.pods.map((p) => p.deadline),
    [at(10_000), at(16_000)].map((t) => t.replace('Z', '.000Z')),
  );
  assert.equal(r.status.finishedAt, at(12_000));
});

test('pendingTimeout fails a pod that has not started in time with "timeout", and kills it; a started pod runs on', () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [
      {
        name: 'main',
        steps: [
          [
            { name: 'slow-start', template: 'a' },
            { name: 'quick-start', template: 'b' },
          ],
        ],
      },
      leaf('a', { pendingTimeout: '5s' }),
      leaf('b', { pendingTimeout: '5s' }),
    ],
  });
  const r = simulate(workflow, {
    script: (pod) => (pod.template.name === 'a' ? { startAfterMs: 60_000, durationMs: 1_000 } : { startAfterMs: 1_000, durationMs: 30_000 }),
  });
  const late = r.byName('wf[0].slow-start')!;
  assert.equal(late.phase, 'Failed');
  assert.equal(late.message, 'timeout');
  assert.equal(late.finishedAt, at(5_000));
  assert.equal(r.kills.length, 1);
  assert.equal(r.byName('wf[0].quick-start')!.phase, 'Succeeded', 'started within its pendingTimeout, then ran for 30 s');
  assert.equal(r.status.phase, 'Failed');
});
