import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';

async function run(args: string[], cwd: string): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await main(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    cwd,
  });
  return { status, stdout, stderr };
}

const GOOD = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: hello-
spec:
  entrypoint: main
  templates:
  - name: main
    container:
      image: busybox
      command: [echo, hello]
`;

const BAD = GOOD.replace('entrypoint: main', 'entrypoint: mian');

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-lint-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('skiff lint', () => {
  it('exits 0 and says so when the files are clean', async () => {
    const dir = workspace({ 'wf/hello.yaml': GOOD });
    const result = await run(['lint', 'wf'], dir);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^0 errors, 0 warnings, 0 notices in 1 document checked \(0 skipped\)$/m);
  });

  it('exits 1 and prints file:line:col, rule, message and the offending line', async () => {
    const dir = workspace({ 'bad.yaml': BAD });
    const result = await run(['lint', 'bad.yaml'], dir);
    assert.equal(result.status, 1);
    const lines = result.stdout.split('\n');
    assert.equal(lines[0], 'bad.yaml:6:15: error [entrypoint] template "mian" is not defined (did you mean "main"?)');
    assert.equal(lines[1], '    6 |   entrypoint: mian');
    assert.equal(lines[2], '      |               ^');
  });

  it('prints JSON diagnostics in the shape annotations are made from', async () => {
    const dir = workspace({ 'bad.yaml': BAD, 'other.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n' });
    const result = await run(['lint', '--format', 'json', '.'], dir);
    assert.equal(result.status, 1);
    const parsed = JSON.parse(result.stdout);
    assert.deepEqual(parsed.diagnostics, [
      { file: 'bad.yaml', line: 6, column: 15, endLine: 6, endColumn: 19, severity: 'error', rule: 'entrypoint', message: 'template "mian" is not defined (did you mean "main"?)' },
    ]);
    assert.deepEqual(parsed.skipped, [{ file: 'other.yaml', line: 1, reason: 'Deployment (apps/v1) is not a kind Skiff checks' }]);
    assert.equal(parsed.summary.errors, 1);
  });

  it('walks directories recursively for .yaml, .yml and .json, and ignores other files', async () => {
    const dir = workspace({ 'a/b/c.yml': BAD, 'a/d.json': JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { k: 'v' } }), 'a/notes.txt': 'kind: Workflow' });
    const result = await run(['lint', '-f', 'json', 'a'], dir);
    const parsed = JSON.parse(result.stdout);
    assert.deepEqual(parsed.summary.checked, { Workflow: 1, ConfigMap: 1 });
    assert.equal(parsed.diagnostics[0].file, 'a/b/c.yml');
  });

  it('reports unreadable and oversized files without reading them, and goes on', async () => {
    const dir = workspace({ 'ok.yaml': GOOD, 'big.yaml': `a: "${'x'.repeat(6 * 1024 * 1024)}"\n`, 'locked.yaml': GOOD });
    chmodSync(join(dir, 'locked.yaml'), 0o000);
    symlinkSync(join(dir, 'gone.txt'), join(dir, 'dangling.yaml'));
    const result = await run(['lint', '-f', 'json', '.'], dir);
    const parsed = JSON.parse(result.stdout);
    const rules = parsed.diagnostics.map((d: { file: string; rule: string }) => `${d.file} ${d.rule}`);
    assert.ok(rules.includes('big.yaml file-too-large'), rules.join());
    assert.ok(rules.includes('dangling.yaml unreadable'), rules.join());
    // root can read a mode-000 file; then it is simply linted like the others
    if (process.getuid?.() !== 0) assert.ok(rules.includes('locked.yaml unreadable'), rules.join());
    assert.equal(parsed.summary.checked.Workflow >= 1, true);
    assert.equal(result.status, 1);
  });

  it('exits 2 on usage errors, with the usage', async () => {
    const dir = workspace({});
    for (const args of [['lint'], ['lint', '--format', 'xml', '.'], ['lint', '--bogus', '.'], ['lint', 'nowhere.yaml'], ['frobnicate']]) {
      const result = await run(args, dir);
      assert.equal(result.status, 2, args.join(' '));
      assert.match(result.stderr, /Usage: skiff/, args.join(' '));
    }
  });

  it('explains itself with --help', async () => {
    const top = await run(['--help'], '/');
    assert.equal(top.status, 0);
    assert.match(top.stdout, /lint\s+check workflow files/);
    const lint = await run(['lint', '--help'], '/');
    assert.equal(lint.status, 0);
    assert.match(lint.stdout, /Usage: skiff lint \[options\] PATH\.\.\./);
    assert.match(lint.stdout, /Exit status: 0 no errors/);
  });
});
