import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CORPUS_URL,
  LOCAL_EXCLUDED,
  type CorpusOutcome,
  type Loopback,
  loopbackFor,
  outcomeOf,
  RANDOM_BY_DESIGN,
  readCorpus,
  runPooled,
} from '../helpers/corpus-cases.js';
import { LocalRunHarness, MemoryObjects } from '../runtime/local/local-run-harness.js';

/**
 * Conformance: every Workflow of Argo's examples that MANIFEST.tsv marks local_runnable=yes, with
 * a pinned expected phase (Argo's, or Skiff's own for the examples Argo does not run: PINNED_HERE), runs on this machine through RunDriver + LocalRunStore + the local
 * runtime (real sandboxed processes, the local default artifact repository) and ends in that
 * phase. LOCAL_EXCLUDED (test/helpers/corpus-cases.ts) says why a file does not run here.
 */
const { cases, referenced, configMaps } = readCorpus();

const CONCURRENCY = 6;

describe('Argo example corpus on the local runtime', () => {
  let harness: LocalRunHarness;
  let http: Loopback;
  let outcomes = new Map<string, Promise<CorpusOutcome>>();

  before(async () => {
    const objects = new MemoryObjects();
    for (const cm of configMaps) objects.addConfigMap({ ...cm, metadata: { ...cm.metadata, namespace: cm.metadata.namespace ?? 'default' } });
    // artifact-repository-ref.yaml names key my-key of the namespace's artifact-repositories ConfigMap;
    // no default-key annotation, so every other example still falls to Skiff's local default.
    objects.addConfigMap({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'artifact-repositories', namespace: 'default' }, data: {} });
    http = await loopbackFor(CORPUS_URL);
    harness = await LocalRunHarness.create(objects, { httpClient: http.client });
    objects.configMaps.get('default/artifact-repositories')!.data = { 'my-key': `local:\n  root: ${harness.layout.artifacts}/my-repository\n` };
    // Runs start together (a few at a time); each test awaits its own.
    outcomes = runPooled(
      cases.filter((c) => !LOCAL_EXCLUDED[c.file]),
      CONCURRENCY,
      async (c) => outcomeOf((await harness.run(c.workflow, {}, referenced)).status),
    );
  });
  after(async () => {
    await harness.close();
    await http.close();
  });

  for (const c of cases) {
    if (LOCAL_EXCLUDED[c.file]) continue;
    it(`${c.file} ends ${c.expected}`, { timeout: 180_000 }, async () => {
      const outcome = await outcomes.get(c.file)!;
      if (RANDOM_BY_DESIGN.has(c.file) && outcome.phase === 'Failed' && outcome.exhausted) return;
      assert.equal(outcome.phase, c.expected, outcome.detail);
    });
  }

  it('runs the lifecycle hooks of both examples, each once, with their http templates', async () => {
    const wfLevel = await outcomes.get('examples/life-cycle-hooks-wf-level.yaml')!;
    const tmplLevel = await outcomes.get('examples/life-cycle-hooks-tmpl-level.yaml')!;
    assert.deepEqual(wfLevel.hooks, ['.hooks.running:HTTP:Succeeded', '.onExit:HTTP:Succeeded']);
    assert.deepEqual(tmplLevel.hooks, [
      '[0].step-1.hooks.running:HTTP:Succeeded',
      '[0].step-1.hooks.success:HTTP:Succeeded',
      '[1].step2.hooks.running:HTTP:Succeeded',
      '[1].step2.hooks.success:HTTP:Succeeded',
    ]);
    assert.ok(http.requests() >= 6);
  });

  it('runs most of the runnable corpus', () => {
    const ran = cases.filter((c) => !LOCAL_EXCLUDED[c.file]).length;
    assert.ok(ran >= 60, `only ${ran} of ${cases.length} corpus workflows run locally`);
  });
});
