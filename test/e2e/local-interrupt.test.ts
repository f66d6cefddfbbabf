import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/paths.js';

const skiff = join(repoRoot, 'bin', 'skiff.js');

/** Processes whose command line holds `marker` (the sandboxed steps of this test). */
function running(marker: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', marker], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

test('a skiff driving a run that gets SIGTERM ends its sandboxed steps, and resume finishes the run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-interrupt-'));
  const marker = `skiff-interrupt-${process.pid}-${Date.now()}`;
  writeFileSync(
    join(dir, 'wf.yaml'),
    `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: interrupted
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: slow
        template: slow
  - name: slow
    container:
      image: busybox
      command: [sh, -c]
      args: ["sleep 3 # ${marker}"]
`,
  );
  const env = { ...process.env, SKIFF_STATE_DIR: join(dir, 'state') };
  const child = spawn(process.execPath, [skiff, 'submit', 'wf.yaml', '--wait'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; running(marker).length === 0; i++) {
    assert.ok(i < 300, 'the step never started');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGTERM');
  assert.equal(await exited, 143);
  assert.match(stderr, /interrupted by SIGTERM; "skiff resume interrupted" continues it/);
  for (let i = 0; running(marker).length > 0; i++) {
    assert.ok(i < 100, `sandboxed steps outlived skiff: ${running(marker).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The step was cut short, so resume runs it again, to the end this time.
  const resumed = spawn(process.execPath, [skiff, 'resume', 'interrupted', '--wait'], { cwd: dir, env: { ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  resumed.stdout.on('data', (chunk) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => resumed.on('exit', (c) => resolve(c)));
  assert.equal(code, 0, out);
  assert.match(out, /Status:\s+Succeeded/);
});

test('a skiff driving a run that gets SIGINT ends its daemons too (the whole sandbox), and leaves no relay directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-interrupt-'));
  const marker = `skiff-interrupt-daemon-${process.pid}-${Date.now()}`;
  writeFileSync(
    join(dir, 'wf.yaml'),
    `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: interrupted-daemon
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: svc
        template: svc
    - - name: slow
        template: slow
  - name: svc
    daemon: true
    container:
      image: alpine
      command: [sh, -c]
      args: ["sleep 1000 & sleep 1000 # ${marker}-svc"]
  - name: slow
    container:
      image: alpine
      command: [sh, -c]
      args: ["sleep 30 # ${marker}-slow"]
`,
  );
  // Its own temporary directory, where the daemon's relay directory is made, so other runs do not count.
  const temp = join(dir, 'tmp');
  mkdirSync(temp);
  const env = { ...process.env, SKIFF_STATE_DIR: join(dir, 'state'), TMPDIR: temp };
  const child = spawn(process.execPath, [skiff, 'submit', 'wf.yaml', '--wait'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; running(`${marker}-slow`).length === 0; i++) {
    assert.ok(i < 300, `the step after the daemon never started: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.ok(running(`${marker}-svc`).length > 0, 'the daemon runs beside the later step');
  child.kill('SIGINT');
  assert.equal(await exited, 130);
  for (let i = 0; running(marker).length > 0; i++) {
    assert.ok(i < 100, `sandboxed processes outlived skiff: ${running(marker).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.deepEqual(readdirSync(temp), []);
});
