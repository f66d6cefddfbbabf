import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, rm, stat, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { makePrivateDir, writePrivateFile } from '../state/private-files.js';
import type { StateLayout } from '../state/state-layout.js';
import type { RunKey } from '../ports/run-key.js';

/** What another `skiff` process asks of the process that drives a run. */
export type RunRequest = { op: 'stop' | 'terminate'; message?: string } | { op: 'resume' };

function requestsDir(layout: StateLayout, key: RunKey): string {
  return join(layout.runDir(key), 'requests');
}

let counter = 0;

/**
 * Leaves a request for the run's driver (a file under `runs/<namespace>/<name>/requests/`) and waits until the
 * driver has taken it (deleted it). Files rather than a socket: a request made while no process
 * drives the run waits there for the next one, so nothing asked is lost.
 */
export async function sendRequest(layout: StateLayout, runId: RunKey, request: RunRequest): Promise<string> {
  const dir = requestsDir(layout, runId);
  await makePrivateDir(dir);
  const name = `${Date.now().toString().padStart(15, '0')}-${process.pid}-${counter++}.json`;
  await writePrivateFile(join(dir, `.${name}.tmp`), JSON.stringify(request));
  await rename(join(dir, `.${name}.tmp`), join(dir, name));
  return join(dir, name);
}

/** Resolves true once the request was taken, false after `timeoutMs`. */
export async function waitTaken(path: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await stat(path);
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

/**
 * The driver's side: hands every request (those already waiting, then new ones) to `handle`, in
 * the order they were made, and deletes each once handled. Watches the folder, and also looks
 * every second, since fs.watch may miss events on some file systems.
 */
export function watchRequests(layout: StateLayout, runId: RunKey, handle: (request: RunRequest) => void): { close(): void } {
  const dir = requestsDir(layout, runId);
  let scanning = false;
  let again = false;
  let closed = false;
  const scan = async (): Promise<void> => {
    if (scanning) {
      again = true;
      return;
    }
    scanning = true;
    try {
      do {
        again = false;
        let names: string[];
        try {
          names = (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
        } catch {
          names = [];
        }
        for (const name of names) {
          if (closed) return;
          try {
            handle(JSON.parse(await readFile(join(dir, name), 'utf8')) as RunRequest);
          } finally {
            await rm(join(dir, name), { force: true });
          }
        }
      } while (again && !closed);
    } finally {
      scanning = false;
    }
  };
  let watcher: FSWatcher | undefined;
  void makePrivateDir(dir).then(() => {
    if (closed) return;
    try {
      watcher = watch(dir, () => void scan());
      watcher.on('error', () => undefined);
    } catch {
      // polling alone will do
    }
    void scan();
  });
  const timer = setInterval(() => void scan(), 1000);
  return {
    close: () => {
      closed = true;
      clearInterval(timer);
      watcher?.close();
    },
  };
}
