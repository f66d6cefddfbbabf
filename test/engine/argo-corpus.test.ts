import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseSourceFile } from '../../src/spec/source/parse-source-file.js';
import type { Workflow, WorkflowSpec } from '../../src/spec/model/workflow.js';
import type { ReferencedTemplate } from '../../src/engine/template-catalog.js';
import { loadParameterConfigMaps } from '../../src/runs/load-parameter-config-maps.js';
import type { ConfigMap } from '../../src/spec/model/kubernetes.js';
import { argoCorpusDir } from '../helpers/paths.js';
import { corpusScript } from './corpus-script.js';
import { PINNED_HERE, SEMAPHORE_CONFIG_MAP } from '../helpers/corpus-pins.js';
import { simulate } from './simulate-run.js';

/**
 * Every Workflow of Argo's examples whose features the engine covers runs to the phase Argo's
 * own tests expect (or, for examples Argo does not run, the one PINNED_HERE gives), on the
 * scripted instant runtime. The exclusions say why.
 */
export const EXCLUDED: Record<string, string> = {};

interface Case {
  file: string;
  expected: string;
  workflow: Workflow;
}

function documents(file: string): unknown[] {
  return parseSourceFile(file, readFileSync(resolve(argoCorpusDir, file), 'utf8')).documents.map((d) => d.value);
}

const lines = readFileSync(resolve(argoCorpusDir, 'MANIFEST.tsv'), 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#'));
const referenced: ReferencedTemplate[] = [];
// The corpus' ConfigMaps, as if applied to the namespace its workflows run in.
const configMaps = new Map<string, ConfigMap>([['my-config', SEMAPHORE_CONFIG_MAP]]);
const cases: Case[] = [];
for (const line of lines) {
  const [file, kind, , , , pinned] = line.split('\t') as [string, string, string, string, string, string];
  const expected = PINNED_HERE[file] ?? pinned;
  for (const doc of documents(file) as Array<{ kind?: string; metadata?: { name?: string; generateName?: string }; spec?: WorkflowSpec }>) {
    if (doc?.kind === 'WorkflowTemplate' || doc?.kind === 'ClusterWorkflowTemplate') {
      referenced.push({ name: doc.metadata?.name ?? '', clusterScope: doc.kind === 'ClusterWorkflowTemplate', spec: doc.spec ?? {} });
    }
    if (doc?.kind === 'ConfigMap' && doc.metadata?.name) configMaps.set(doc.metadata.name, doc as unknown as ConfigMap);
    if (doc?.kind === 'Workflow' && kind.includes('Workflow') && (expected === 'Succeeded' || expected === 'Failed')) {
      const workflow = doc as unknown as Workflow;
      workflow.metadata = { ...workflow.metadata, name: workflow.metadata?.name ?? `${workflow.metadata?.generateName ?? 'wf-'}abcde` };
      cases.push({ file, expected, workflow });
    }
  }
}

let ran = 0;
for (const c of cases) {
  if (EXCLUDED[c.file]) continue;
  ran++;
  test(`corpus: ${c.file} ends ${c.expected}`, async () => {
    const parameterMaps = await loadParameterConfigMaps(c.workflow, referenced, { get: async (_namespace, name) => configMaps.get(name) });
    const result = simulate(c.workflow, { script: corpusScript, definition: { referenced, configMaps: parameterMaps }, maxEvents: 50_000 });
    const failed = Object.values(result.status.nodes)
      .filter((n) => n.phase === 'Error' || n.phase === 'Failed')
      .map((n) => `${n.name}: ${n.message ?? ''}`);
    assert.equal(result.status.phase, c.expected, `${result.status.message ?? ''}\n${failed.join('\n')}`);
  });
}

test('corpus: the run covers most of the examples with a pinned phase', () => {
  assert.ok(ran >= 90, `only ${ran} corpus workflows ran`);
});
