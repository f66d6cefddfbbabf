import { open, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RunKey } from '../ports/run-key.js';
import type { LogBytes, LogRef, RunPageSource } from '../ports/run-page-source.js';
import { watchChanges } from '../shared/watch-changes.js';
import type { LocalTarget } from './local-target.js';
import { readRun } from './read-run.js';
import { localArtifactAccess } from './local-artifact-access.js';

/**
 * The run page's view of a state directory: runs from their snapshot and journal, changes seen
 * through fs.watch of the run's folder (and a slow poll where fs.watch misses them), logs from the
 * files the local runtime writes, artifacts through the run's repository as `skiff cp` reads them.
 */
export function localRunPageSource(target: LocalTarget, env: NodeJS.ProcessEnv, options: { pollMs?: number } = {}): RunPageSource {
  const pollMs = options.pollMs ?? 1000;
  const logPath = (ref: LogRef): string => target.layout.containerLog(ref.key, ref.pod, ref.container);
  return {
    description: `the state directory ${target.layout.root}`,
    readRun: (key) => readRun(target.layout, key),
    runVersion: async (key: RunKey) => {
      const dir = target.layout.runDir(key);
      const parts = await Promise.all(
        ['snapshot.json', 'journal.ndjson'].map((file) =>
          stat(join(dir, file)).then(
            (s) => `${s.size}:${s.mtimeMs}:${s.ino}`,
            () => '-',
          ),
        ),
      );
      return parts.join('/');
    },
    watchRun: (key, onChange) => watchChanges(target.layout.runDir(key), onChange, { pollMs }),
    secret: (namespace, name) => target.objects.secret(namespace, name),
    readLog: async (ref, maxBytes, end) => readFileTail(logPath(ref), maxBytes, end),
    async *streamLog(ref, { from, follow, signal, finished }) {
      const path = logPath(ref);
      let offset = from;
      if (!follow) {
        yield* readFrom(path, offset, signal);
        return;
      }
      let wake: (() => void) | undefined;
      let changed = true;
      const nudge = (): void => {
        changed = true;
        wake?.();
      };
      const watching = watchChanges(dirname(path), nudge, { pollMs });
      signal.addEventListener('abort', nudge, { once: true });
      try {
        while (!signal.aborted) {
          changed = false;
          // Asked before reading: a step that had ended has written all it will, so what is read next is the rest.
          const done = await finished();
          for await (const chunk of readFrom(path, offset, signal)) {
            offset += chunk.length;
            yield chunk;
          }
          if (done) return;
          if (!changed) await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      } finally {
        watching.close();
        signal.removeEventListener('abort', nudge);
      }
    },
    artifactAccess: (run) => localArtifactAccess(target, run, env),
  };
}

/** The file's bytes from `offset` to its end as it is now, in chunks; nothing when it does not exist yet. */
async function* readFrom(path: string, offset: number, signal: AbortSignal): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    const size = (await handle.stat()).size;
    for (let at = offset; at < size && !signal.aborted; ) {
      const bytes = Buffer.alloc(Math.min(size - at, 1 << 20));
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, at);
      if (bytesRead === 0) return;
      at += bytesRead;
      yield bytes.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** The last `maxBytes` of a file before `end` (default: its size). */
async function readFileTail(path: string, maxBytes: number, end?: number): Promise<LogBytes> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return { bytes: Buffer.alloc(0), start: 0, size: 0 };
  try {
    const size = (await handle.stat()).size;
    const stop = Math.min(end ?? size, size);
    const start = Math.max(0, stop - maxBytes);
    const bytes = Buffer.alloc(stop - start);
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, start);
    return { bytes: bytes.subarray(0, bytesRead), start, size };
  } finally {
    await handle.close();
  }
}
