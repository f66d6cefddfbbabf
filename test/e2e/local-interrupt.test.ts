import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/paths.js';

const skiff = join(repoRoot, 'bin', 'skiff.js');

/**
 * Submits a workflow and returns the pid of the background skiff process that drives it (from
 * its lease), with a way to wait for that process's end and read what it wrote.
 */
function submitInBackground(dir: string, env: NodeJS.ProcessEnv, name: string): { pid: number; gone: () => Promise<void>; log: () => string } {
  execFileSync(process.execPath, [skiff, 'submit', 'wf.yaml'], { cwd: dir, env });
  const runDir = join(env.SKIFF_STATE_DIR!, 'runs', 'default', name);
  const { pid } = JSON.parse(readFileSync(join(runDir, 'driver.json'), 'utf8')) as { pid: number };
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const gone = async (): Promise<void> => {
    for (let i = 0; alive(); i++) {
      assert.ok(i < 200, `the driving skiff (pid ${pid}) did not end`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return { pid, gone, log: () => readFileSync(join(runDir, 'driver.log'), 'utf8') };
}

/** Processes whose command line holds `marker` (the sandboxed steps of this test). */
function running(marker: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', marker], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

test('the background skiff driving a run that gets SIGTERM ends its sandboxed steps, and resume finishes the run', async () => {
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
  const driver = submitInBackground(dir, env, 'interrupted');
  for (let i = 0; running(marker).length === 0; i++) {
    assert.ok(i < 300, 'the step never started');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  process.kill(driver.pid, 'SIGTERM');
  await driver.gone();
  assert.match(driver.log(), /interrupted by SIGTERM; "skiff resume interrupted" continues it/);
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

test('the background skiff driving a run that gets SIGINT ends its daemons too (the whole sandbox), and leaves no relay directory', async () => {
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
  const driver = submitInBackground(dir, env, 'interrupted-daemon');
  for (let i = 0; running(`${marker}-slow`).length === 0; i++) {
    assert.ok(i < 300, `the step after the daemon never started: ${driver.log()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.ok(running(`${marker}-svc`).length > 0, 'the daemon runs beside the later step');
  process.kill(driver.pid, 'SIGINT');
  await driver.gone();
  assert.match(driver.log(), /interrupted by SIGINT/);
  for (let i = 0; running(marker).length > 0; i++) {
    assert.ok(i < 100, `sandboxed processes outlived skiff: ${running(marker).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.deepEqual(readdirSync(temp), []);
});
