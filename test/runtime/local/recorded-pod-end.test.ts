import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { NodeStatus } from '../../../src/engine/workflow-status.js';
import { runTagPrefix } from '../../../src/runtime/local/sandbox-tags.js';
import { LocalRunStore } from '../../../src/state/local-run-store.js';

const child = fileURLToPath(new URL('./pod-end-kill-child.js', import.meta.url));

function run(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, ...args], { stdio: 'inherit' });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Pids of processes whose name starts with `prefix`. */
function processesNamed(prefix: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').startsWith(prefix);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function nodeNamed(state: string, displayName: string): Promise<NodeStatus> {
  const run = (await new LocalRunStore(state).peek('once'))!;
  return Object.values(run.status.nodes).find((n) => n.displayName === displayName)!;
}

/** Kills a driver at `killAt` of step `count`, waits a while with no driver, then lets another one continue the run. */
async function killAndResume(killAt: 'ended' | 'started'): Promise<{ dir: string; state: string; killedAt: number; resumedAt: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-once-'));
  const state = join(dir, 'state');
  assert.deepEqual(await run([state, 'start', killAt]), { code: null, signal: 'SIGKILL' });
  const killedAt = Date.now();
  // Nobody drives the run for a while: none of this may count in a step's time.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const resumedAt = Date.now();
  assert.deepEqual(await run([state, 'resume', killAt]), { code: 0, signal: null });
  // Whatever the killed driver left of its sandboxes (one can be stuck half-started) is gone.
  assert.deepEqual(processesNamed(runTagPrefix(state, 'once')), [], 'sandboxes of the killed driver are still running');
  return { dir, state, killedAt, resumedAt };
}

test('a step whose end its pod recorded before the driver was SIGKILLed is not run again: the restarted driver takes the recorded end and outputs', async () => {
  const { dir, state, killedAt, resumedAt } = await killAndResume('ended');
  try {
    const run = (await new LocalRunStore(state).peek('once'))!;
    assert.equal(run.status.phase, 'Succeeded');
    const count = await nodeNamed(state, 'count');
    assert.equal(count.phase, 'Succeeded');
    // The claim's file has one line: the step ran once (a second run would have made it 2).
    assert.deepEqual(count.outputs?.parameters, [{ name: 'n', value: '1' }], 'the step ran a second time');
    assert.deepEqual((await nodeNamed(state, 'use')).inputs?.parameters, [{ name: 'n', value: '1' }], 'the next step did not get the output');
    // It ended before the kill, not when the next driver found its end.
    assert.ok(Date.parse(count.finishedAt!) <= killedAt, `finishedAt ${count.finishedAt} is after the kill`);
    assert.ok(Date.parse(count.finishedAt!) < resumedAt);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a step cut short by a SIGKILL runs again, and its time is that of its new run only', async () => {
  const { dir, state, resumedAt } = await killAndResume('started');
  try {
    const count = await nodeNamed(state, 'count');
    // Killed as it started (its sandbox dies with the driver); whether it got to write is a race.
    assert.match(String(count.outputs?.parameters?.[0]?.value), /^[12]$/);
    assert.equal(count.phase, 'Succeeded');
    // Node times are whole seconds.
    assert.ok(
      Date.parse(count.startedAt!) >= Math.floor(resumedAt / 1000) * 1000,
      `startedAt ${count.startedAt} counts time from before the restart (${new Date(resumedAt).toISOString()})`,
    );
    assert.ok(Date.parse(count.finishedAt!) >= Date.parse(count.startedAt!));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
