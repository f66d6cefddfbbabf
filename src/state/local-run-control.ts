import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, rm, stat, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunControl, RunSignal, SentSignal } from '../ports/run-control.js';
import type { RunKey } from '../ports/run-key.js';
import { makePrivateDir, writePrivateFile } from './private-files.js';
import type { StateLayout } from './state-layout.js';

/**
 * Run control signals through the state directory: a signal is a file under
 * `runs/<namespace>/<name>/requests/`, taken (deleted) by whichever `skiff` process drives the
 * run. Files rather than a socket: a signal sent while no process drives the run waits there for
 * the next one, so nothing asked is lost.
 */
export class LocalRunControl implements RunControl {
  constructor(private readonly layout: StateLayout) {}

  async send(key: RunKey, signal: RunSignal): Promise<SentSignal> {
    const path = await sendRequest(this.layout, key, signal);
    return { taken: (timeoutMs) => waitTaken(path, timeoutMs) };
  }

  watch(key: RunKey, handle: (signal: RunSignal) => void): { close(): void } {
    return watchRequests(this.layout, key, handle);
  }
}

function requestsDir(layout: StateLayout, key: RunKey): string {
  return join(layout.runDir(key), 'requests');
}

let counter = 0;

/** Leaves a signal for the run's driver; resolves to its file, which the driver deletes once it has taken it. */
async function sendRequest(layout: StateLayout, runId: RunKey, request: RunSignal): Promise<string> {
  const dir = requestsDir(layout, runId);
  await makePrivateDir(dir);
  const name = `${Date.now().toString().padStart(15, '0')}-${process.pid}-${counter++}.json`;
  await writePrivateFile(join(dir, `.${name}.tmp`), JSON.stringify(request));
  await rename(join(dir, `.${name}.tmp`), join(dir, name));
  return join(dir, name);
}

/** Resolves true once the request was taken, false after `timeoutMs`. */
async function waitTaken(path: string, timeoutMs: number): Promise<boolean> {
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
function watchRequests(layout: StateLayout, runId: RunKey, handle: (request: RunSignal) => void): { close(): void } {
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
            handle(JSON.parse(await readFile(join(dir, name), 'utf8')) as RunSignal);
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
