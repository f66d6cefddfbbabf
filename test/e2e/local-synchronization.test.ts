import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { StoredRun } from '../../src/ports/run-store.js';
import { LocalRunStore } from '../../src/state/local-run-store.js';
import { repoRoot } from '../helpers/paths.js';

const skiff = join(repoRoot, 'bin', 'skiff.js');

/** A workflow holding mutex `shared` for the whole run, whose one step sleeps `seconds`. */
function locked(name: string, seconds: number, marker: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: ${name}
spec:
  entrypoint: main
  synchronization:
    mutexes:
      - name: shared
  templates:
  - name: main
    container:
      image: busybox
      command: [sh, -c]
      args: ["sleep ${seconds} # ${marker}"]
`;
}

interface Started {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

function start(dir: string, env: NodeJS.ProcessEnv, args: string[]): Started {
  const child = spawn(process.execPath, [skiff, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

async function until(what: string, check: () => boolean | Promise<boolean>, tries = 400): Promise<void> {
  for (let i = 0; !(await check()); i++) {
    assert.ok(i < tries, `timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function running(marker: string): boolean {
  try {
    return execFileSync('pgrep', ['-f', marker], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false; // pgrep exits 1 when nothing matches
  }
}

const peek = (state: string, id: string): Promise<StoredRun | undefined> => new LocalRunStore(state).peek(id).catch(() => undefined);

test('two skiff processes on one state directory take turns with a workflow-level mutex', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-sync-'));
  const marker = `skiff-sync-${process.pid}-${Date.now()}`;
  writeFileSync(join(dir, 'a.yaml'), locked('first', 6, `${marker}-a`));
  writeFileSync(join(dir, 'b.yaml'), locked('second', 2, `${marker}-b`));
  const state = join(dir, 'state');
  const env = { ...process.env, SKIFF_STATE_DIR: state };
  const a = start(dir, env, ['submit', 'a.yaml', '--wait']);
  await until('the first run holds the mutex', () => running(`${marker}-a`));
  const b = start(dir, env, ['submit', 'b.yaml', '--wait']);
  await until(
    'the second run says it waits',
    async () => (await peek(state, 'second'))?.status.message === 'Waiting for default/Mutex/shared lock. Lock status: 0/1',
  );
  const waiting = (await peek(state, 'second'))!;
  assert.equal(waiting.status.phase, 'Pending');
  assert.equal(running(`${marker}-b`), false);
  assert.equal(await a.exited, 0, a.output());
  assert.equal(await b.exited, 0, b.output());
  const first = (await peek(state, 'first'))!.status;
  const second = (await peek(state, 'second'))!.status;
  assert.equal(first.phase, 'Succeeded');
  assert.equal(second.phase, 'Succeeded');
  assert.ok(Date.parse(second.startedAt!) >= Date.parse(first.finishedAt!), `second started ${second.startedAt}, first finished ${first.finishedAt}`);
  assert.equal(first.synchronization, undefined);
  assert.equal(second.synchronization, undefined);
});

test('a mutex held by a skiff that was killed is free for the others, and the killed run, resumed, takes it again', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-sync-'));
  const marker = `skiff-sync-kill-${process.pid}-${Date.now()}`;
  writeFileSync(join(dir, 'a.yaml'), locked('holder', 6, `${marker}-a`));
  writeFileSync(join(dir, 'b.yaml'), locked('waiter', 1, `${marker}-b`));
  const state = join(dir, 'state');
  const env = { ...process.env, SKIFF_STATE_DIR: state };
  const a = start(dir, env, ['submit', 'a.yaml', '--wait']);
  await until('the first run holds the mutex', () => running(`${marker}-a`));
  const b = start(dir, env, ['submit', 'b.yaml', '--wait']);
  await until(
    'the second run waits',
    async () => (await peek(state, 'waiter'))?.status.phase === 'Pending' && (await peek(state, 'waiter'))?.status.message !== undefined,
  );
  // The background skiff that drives the holder is killed; the submit following it says so.
  const { pid } = JSON.parse(readFileSync(join(state, 'runs', 'default', 'holder', 'driver.json'), 'utf8')) as { pid: number };
  process.kill(pid, 'SIGTERM');
  assert.equal(await a.exited, 1, a.output());
  assert.match(a.output(), /no skiff process is running holder any more; skiff resume holder continues it/);
  const interrupted = (await peek(state, 'holder'))!.status;
  assert.deepEqual(interrupted.synchronization, { mutex: { holding: [{ mutex: 'default/Mutex/shared', holder: 'default/holder' }] } });
  // Its driver is gone, and so is its hold: the waiting run goes on.
  assert.equal(await b.exited, 0, b.output());
  assert.equal((await peek(state, 'waiter'))!.status.phase, 'Succeeded');
  const resumed = start(dir, env, ['resume', 'holder', '--wait']);
  assert.equal(await resumed.exited, 0, resumed.output());
  const done = (await peek(state, 'holder'))!.status;
  assert.equal(done.phase, 'Succeeded');
  assert.equal(done.synchronization, undefined);
});
