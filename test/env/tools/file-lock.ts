import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** A held lock; `release()` lets the next waiter in (also safe to call twice). */
export interface FileLock {
  release(): Promise<void>;
}

/**
 * Takes an exclusive flock(2) on `path`, waiting as long as another process holds it, so two test
 * files (node --test runs them in parallel) or two test runs on one machine take turns.
 *
 * The lock is held by a small `flock` child that lives until its stdin closes: when this process
 * exits, however it dies (SIGKILL included), the pipe closes, the child ends, and the kernel drops
 * the lock, so a crashed run never leaves a stale lock behind.
 */
export async function acquireFileLock(path: string, options: { timeoutMs?: number; what?: string } = {}): Promise<FileLock> {
  mkdirSync(dirname(path), { recursive: true });
  const { timeoutMs = 15 * 60_000, what = path } = options;
  const child = spawn('flock', ['--exclusive', path, 'sh', '-c', 'echo locked; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  // The holder must not keep this process alive, nor be held by it beyond its own life.
  child.unref();
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`waited ${timeoutMs} ms for the lock ${path} (${what}); another test run holds it`)), timeoutMs);
      child.stdout.once('data', () => resolve());
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`flock ${path} exited with ${code} before taking the lock: ${stderr}`)));
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
  // Streams unreferenced too: a held lock never keeps the test process from exiting.
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
  let released: Promise<void> | undefined;
  return {
    release() {
      released ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        // Waiting for the holder to end must keep this process alive until it has.
        child.ref();
        child.stdin.end();
        await exited;
      })();
      return released;
    },
  };
}
