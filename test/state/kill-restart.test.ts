import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalRunStore } from '../../src/state/local-run-store.js';

const child = fileURLToPath(new URL('./crash-child.js', import.meta.url));

function run(args: string[], killAfterMs?: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, ...args], { stdio: 'ignore' });
    let timer: NodeJS.Timeout | undefined;
    if (killAfterMs !== undefined) timer = setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
    proc.on('error', reject);
    proc.on('exit', (code) => {
      if (timer) clearTimeout(timer);
      resolve(code);
    });
  });
}

// Kill points spread over the run: during the fan-out, between groups, near the end.
for (const killAfterMs of [150, 220, 290, 360]) {
  test(`SIGKILL after ${killAfterMs} ms and a restart: no finished step runs again, no started step is lost`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-crash-'));
    try {
      const log = join(dir, 'pods.log');
      const state = join(dir, 'state');
      await run([state, log, 'start'], killAfterMs);
      const store = new LocalRunStore(state);
      const saved = await store.load('crash');
      await store.closeAll();
      if (!saved) return; // killed before the run was first saved: nothing to continue
      const recordedFinished = new Set(Object.values(saved.status.nodes).filter((n) => n.type === 'Pod' && n.phase === 'Succeeded').map((n) => n.id));
      const recordedStarted = new Set(Object.values(saved.status.nodes).filter((n) => n.type === 'Pod').map((n) => n.id));
      assert.equal(await run([state, log, 'resume']), 0);
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      const second = lines.slice(lines.findIndex((l) => l.startsWith('process resume')));
      const restarted = second.filter((l) => l.startsWith('start ')).map((l) => l.slice(6));
      for (const id of restarted) assert.ok(!recordedFinished.has(id), `pod ${id} was recorded finished and ran again`);
      const final = new LocalRunStore(state);
      const done = (await final.load('crash'))!;
      await final.closeAll();
      if (saved.status.phase === 'Succeeded') return;
      assert.ok(second.some((l) => l === 'done crash Succeeded'), second.join('\n'));
      assert.equal(done.status.phase, 'Succeeded');
      const pods = Object.values(done.status.nodes).filter((n) => n.type === 'Pod');
      assert.equal(pods.length, 11);
      for (const pod of pods) assert.equal(pod.phase, 'Succeeded', pod.name);
      for (const id of recordedStarted) assert.ok(done.status.nodes[id], `started pod ${id} was lost`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
