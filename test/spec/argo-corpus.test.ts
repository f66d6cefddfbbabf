import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { lintSources } from '../../src/spec/lint-sources.js';
import { argoCorpusDir } from '../helpers/paths.js';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.(ya?ml|json)$/.test(name) ? [path] : [];
  });
}

describe("Argo's example corpus", () => {
  const examples = join(argoCorpusDir, 'examples');
  const files = yamlFiles(examples).sort();
  const report = lintSources(files.map((path) => ({ file: relative(examples, path), text: readFileSync(path, 'utf8') })));

  it('is present beside the project', () => {
    assert.ok(files.length > 150, `expected Argo's examples under ${examples}, found ${files.length} files`);
  });

  it('lints with no error: every example Argo accepts is accepted', () => {
    const errors = report.diagnostics.filter((d) => d.severity === 'error');
    // Two examples indent generateName under labels, so they have no name at all: the API server
    // refuses them ("name or generateName is required"), and Argo's own tests skip both (no-test label).
    assert.deepEqual(
      errors.map((d) => `${d.file}:${d.line}:${d.column} [${d.rule}] ${d.message}`),
      [
        'fun-with-gifs.yaml:12:1 [object-name] a Workflow needs metadata.name or metadata.generateName',
        'k8s-jobs.yaml:8:1 [object-name] a Workflow needs metadata.name or metadata.generateName',
      ],
    );
  });

  it('checks every Argo workflow kind in it and skips only kinds Skiff does not manage', () => {
    for (const kind of ['Workflow', 'WorkflowTemplate', 'ClusterWorkflowTemplate', 'CronWorkflow', 'ConfigMap']) {
      assert.ok((report.checked[kind] ?? 0) > 0, `no ${kind} was checked`);
    }
    const skippedKinds = new Set(report.skipped.map((s) => s.reason.split(' ')[0]));
    assert.deepEqual([...skippedKinds].sort(), ['PersistentVolumeClaim', 'ResourceQuota', 'WorkflowEventBinding']);
  });

  it('raises no unknown-key warning: every field the examples use is known', () => {
    const unknown = report.diagnostics.filter((d) => d.rule === 'unknown-key');
    assert.deepEqual(
      unknown.map((d) => `${d.file}:${d.line} ${d.message}`),
      [],
    );
  });
});
