import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';

async function run(args: string[], cwd: string, stdin?: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await main(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    cwd,
    ...(stdin ? { stdin: Readable.from(stdin.map((chunk) => Buffer.from(chunk))) } : {}),
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

const UNKNOWN_FIELD = GOOD.replace('  entrypoint: main', '  entrypoint: main\n  templats: []');

describe('skiff lint', () => {
  it('is strict by default, as argo lint: an unknown field is an error; --strict=false and --no-strict keep it a warning', async () => {
    const dir = workspace({ 'wf.yaml': UNKNOWN_FIELD });
    const strict = await run(['lint', '-o', 'simple', 'wf.yaml'], dir);
    assert.equal(strict.status, 1);
    assert.match(strict.stdout, /^wf\.yaml:7:3: error \[unknown-key\] unknown field "templats" in WorkflowSpec \(did you mean "templates"\?\)/);
    for (const flag of ['--strict=false', '--no-strict']) {
      const lenient = await run(['lint', flag, '-o', 'simple', 'wf.yaml'], dir);
      assert.equal(lenient.status, 0, flag);
      assert.match(lenient.stdout, /^wf\.yaml:7:3: warning \[unknown-key\]/, flag);
    }
    assert.equal((await run(['lint', '--strict=true', 'wf.yaml'], dir)).status, 1);
  });

  it('reads standard input for -, reported as <stdin>, within the size limit', async () => {
    const dir = workspace({});
    const result = await run(['lint', '-o', 'simple', '-'], dir, [BAD.slice(0, 40), BAD.slice(40)]);
    assert.equal(result.status, 1);
    assert.match(result.stdout, /^<stdin>:6:15: error \[entrypoint\] template "mian" is not defined/);
    const huge = await run(
      ['lint', '-'],
      dir,
      Array.from({ length: 6 }, () => `# ${'x'.repeat(1024 * 1024)}\n`),
    );
    assert.equal(huge.status, 1);
    assert.match(huge.stdout, /<stdin>:1:1: error \[file-too-large\]/);
    const none = await run(['lint', '-'], dir);
    assert.equal(none.status, 2);
  });

  it('checks only the kinds --kinds names; ConfigMaps always', async () => {
    const template = BAD.replace('kind: Workflow', 'kind: WorkflowTemplate').replace('generateName: hello-', 'name: hello');
    const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\ndata: {}\n';
    const dir = workspace({ 'wf.yaml': BAD, 'tmpl.yaml': template, 'cm.yaml': configMap });
    const templatesOnly = await run(['lint', '--kinds', 'workflowtemplates', '-o', 'simple', '.'], dir);
    assert.deepEqual(
      templatesOnly.stdout
        .split('\n')
        .filter((l) => l.includes(': error '))
        .map((l) => l.split(':')[0]),
      ['cm.yaml', 'tmpl.yaml'],
    );
    const both = await run(['lint', '--kinds', 'workflows,workflowtemplate', '-o', 'simple', '.'], dir);
    assert.match(both.stdout, /^3 errors/m);
    assert.match((await run(['lint', '--kinds', 'all', '-o', 'simple', '.'], dir)).stdout, /^3 errors/m);
  });

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
      {
        file: 'bad.yaml',
        line: 6,
        column: 15,
        endLine: 6,
        endColumn: 19,
        severity: 'error',
        rule: 'entrypoint',
        message: 'template "mian" is not defined (did you mean "main"?)',
      },
    ]);
    assert.deepEqual(parsed.skipped, [{ file: 'other.yaml', line: 1, reason: 'Deployment (apps/v1) is not a kind Skiff checks' }]);
    assert.equal(parsed.summary.errors, 1);
  });

  it('walks directories recursively for .yaml, .yml and .json, and ignores other files', async () => {
    const dir = workspace({
      'a/b/c.yml': BAD,
      'a/d.json': JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { k: 'v' } }),
      'a/notes.txt': 'kind: Workflow',
    });
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

  it('exits 2 on usage errors: one line saying what is wrong and where the help is', async () => {
    const dir = workspace({});
    for (const args of [['lint'], ['lint', '--format', 'xml', '.'], ['lint', '--bogus', '.'], ['lint', 'nowhere.yaml'], ['lint', '--kinds', 'pods', '.']]) {
      const result = await run(args, dir);
      assert.equal(result.status, 2, args.join(' '));
      assert.match(result.stderr, /^skiff lint: .+\nRun "skiff lint --help" for usage\.\n$/, args.join(' '));
    }
    assert.match((await run(['lint', '--strcit', '.'], dir)).stderr, /^skiff lint: unknown flag --strcit \(did you mean --strict\?\)\n/);
    assert.match((await run(['lint', '--zzzzzzzz', '.'], dir)).stderr, /^skiff lint: unknown flag --zzzzzzzz\nRun/);
    const unknownCommand = await run(['frobnicate'], dir);
    assert.equal(unknownCommand.status, 2);
    assert.match(unknownCommand.stderr, /Usage: skiff/);
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
