import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintSources } from '../../src/spec/lint-sources.js';
import { SOURCE_LIMITS } from '../../src/spec/source/parse-source-file.js';

// Pull-request contents are untrusted. Each of these must end in a clear diagnostic (or a
// clean result), never a crash, a hang or an exhausted heap.
const lint = (text: string) => lintSources([{ file: 'hostile.yaml', text }]);
const rules = (text: string) => lint(text).diagnostics.map((d) => `${d.line}:${d.column} ${d.rule}`);

describe('hostile and broken input', () => {
  it('refuses a billion-laughs alias bomb', () => {
    let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    let previous = 'a';
    for (const name of 'bcdefghi') {
      text += `${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]\n`;
      previous = name;
    }
    const report = lint(text);
    assert.equal(report.diagnostics.length, 1);
    assert.equal(report.diagnostics[0]!.rule, 'yaml-aliases');
    assert.match(report.diagnostics[0]!.message, /too many aliases/);
  });

  it('refuses deep nesting, in block and in flow style', () => {
    const flow = `a: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`;
    assert.ok(lint(flow).diagnostics.some((d) => d.severity === 'error'));
    let block = '';
    for (let depth = 0; depth < 500; depth++) block += `${'  '.repeat(depth)}k${depth}:\n`;
    block += `${'  '.repeat(500)}leaf: 1\n`;
    assert.deepEqual(rules(block), ['1:1 too-deep']);
  });

  it('refuses a file with more documents than the limit, without parsing them', () => {
    const text = 'kind: ConfigMap\n---\n'.repeat(SOURCE_LIMITS.maxDocuments + 1);
    assert.deepEqual(rules(text), ['1:1 too-many-documents']);
  });

  it('refuses a file over the size limit', () => {
    const text = `a: "${'x'.repeat(SOURCE_LIMITS.maxFileBytes)}"\n`;
    assert.deepEqual(rules(text), ['1:1 file-too-large']);
  });

  it('refuses binary content', () => {
    assert.deepEqual(rules('apiVersion: v1\u0000\u0001\u0002'), ['1:1 binary-file']);
  });

  it('points at the line of a YAML syntax error', () => {
    const text = 'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec:\n  templates: [\n    {name: a\n  entrypoint: a\n';
    const report = lint(text);
    assert.ok(report.diagnostics.length >= 1);
    assert.ok(
      report.diagnostics.every((d) => d.rule === 'yaml-syntax' && d.line >= 4),
      JSON.stringify(report.diagnostics),
    );
  });

  it('warns about a duplicate key on the line that repeats it (Go keeps the last value, so Argo accepts it)', () => {
    const report = lint('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  x: "1"\n  x: "2"\n');
    assert.deepEqual(
      report.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.rule}`),
      ['6:3 warning duplicate-key'],
    );
    assert.match(report.diagnostics[0]!.message, /replaces the one on line 5/);
  });

  it('skips text that is not YAML of a Kubernetes object, with a note', () => {
    const report = lint('This is just a README that happens to end in .yaml.\n');
    assert.deepEqual(report.diagnostics, []);
    assert.equal(report.skipped.length, 1);
    assert.match(report.skipped[0]!.reason, /not a Kubernetes object/);
  });

  it('accepts an empty file and a file of only comments', () => {
    assert.deepEqual(lint('').diagnostics, []);
    assert.deepEqual(lint('# nothing here\n---\n').diagnostics, []);
  });

  it('reports a Workflow with no templates', () => {
    const text = 'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: x}\nspec:\n  entrypoint: main\n';
    assert.deepEqual(rules(text), ['4:1 no-templates']);
  });

  it('survives values of the wrong type everywhere the rules look', () => {
    const text = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Workflow',
      'metadata: 7',
      'spec:',
      '  entrypoint: [main]',
      '  arguments: {parameters: {name: x}}',
      '  templates:',
      '  - 42',
      '  - name: main',
      '    steps: {a: b}',
      '    dag: [1, 2]',
      '    inputs: "x"',
      '    outputs: {parameters: [7, {name: 8}]}',
      '',
    ].join('\n');
    const report = lint(text);
    assert.ok(report.diagnostics.length > 0);
    assert.ok(
      report.diagnostics.every((d) => d.rule !== 'internal'),
      JSON.stringify(report.diagnostics, null, 1),
    );
  });

  it('handles thousands of documents and a DAG of thousands of tasks', () => {
    const tasks = Array.from({ length: 3000 }, (_, i) => `      - {name: t${i}, template: w${i > 0 ? `, depends: t${i - 1}` : ''}}`);
    const dag = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Workflow',
      'metadata: {name: big}',
      'spec:',
      '  entrypoint: main',
      '  templates:',
      '  - name: w',
      '    container: {image: busybox}',
      '  - name: main',
      '    dag:',
      '      tasks:',
      ...tasks,
      '',
    ].join('\n');
    assert.deepEqual(lint(dag).diagnostics, []);
    const many = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n---\n'.repeat(SOURCE_LIMITS.maxDocuments - 1);
    const report = lint(many);
    assert.deepEqual(report.diagnostics, []);
    assert.equal(report.checked.ConfigMap, SOURCE_LIMITS.maxDocuments - 1);
  });
});
