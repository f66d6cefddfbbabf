import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalRunStore } from '../../src/state/local-run-store.js';

const child = fileURLToPath(new URL('./crash-child.js', import.meta.url));

/**
 * Runs the child; with `killAfterFinished`, SIGKILLs it as soon as its log shows that many pods
 * finished (and one more started), so each kill lands at a known point of the run however fast
 * or slow the machine is.
 */
function run(args: string[], log: string, killAfterFinished?: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, ...args], { stdio: 'ignore' });
    let timer: NodeJS.Timeout | undefined;
    if (killAfterFinished !== undefined) {
      timer = setInterval(() => {
        let text = '';
        try {
          text = readFileSync(log, 'utf8');
        } catch {
          return;
        }
        const finished = text.split('\n').filter((l) => l.startsWith('finish ')).length;
        const started = text.split('\n').filter((l) => l.startsWith('start ')).length;
        if (finished >= killAfterFinished && started > finished) proc.kill('SIGKILL');
      }, 2);
    }
    proc.on('error', reject);
    proc.on('exit', (code) => {
      if (timer) clearInterval(timer);
      resolve(code);
    });
  });
}

// Kill points spread over the run: with the first pod running, during the fan-out, between
// groups, near the end (11 pods in all).
for (const killAfterFinished of [0, 3, 7, 9]) {
  test(`SIGKILL with ${killAfterFinished} pods finished and a restart: no finished step runs again, no started step is lost`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-crash-'));
    try {
      const log = join(dir, 'pods.log');
      const state = join(dir, 'state');
      assert.equal(await run([state, log, 'start'], log, killAfterFinished), null, 'the first process was killed');
      const store = new LocalRunStore(state);
      const saved = await store.load('crash');
      await store.closeAll();
      // A pod had started, and pods start only after the change that asked for them is saved.
      assert.ok(saved, 'the run was saved before its first pod started');
      assert.notEqual(saved.status.phase, 'Succeeded');
      const recordedFinished = new Set(
        Object.values(saved.status.nodes)
          .filter((n) => n.type === 'Pod' && n.phase === 'Succeeded')
          .map((n) => n.id),
      );
      const recordedStarted = new Set(
        Object.values(saved.status.nodes)
          .filter((n) => n.type === 'Pod')
          .map((n) => n.id),
      );
      assert.equal(await run([state, log, 'resume'], log), 0);
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      const second = lines.slice(lines.findIndex((l) => l.startsWith('process resume')));
      const restarted = second.filter((l) => l.startsWith('start ')).map((l) => l.slice(6));
      for (const id of restarted) assert.ok(!recordedFinished.has(id), `pod ${id} was recorded finished and ran again`);
      const final = new LocalRunStore(state);
      const done = (await final.load('crash'))!;
      await final.closeAll();
      assert.ok(
        second.some((l) => l === 'done default/crash Succeeded'),
        second.join('\n'),
      );
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
