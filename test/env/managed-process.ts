import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';

/**
 * A long-running server the tests start (etcd, kube-apiserver, MinIO, ...), in its own process
 * group, with its output in a log file.
 */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  /** Settles when the process has exited, for whatever reason. */
  readonly exited: Promise<ProcessExit>;
  isRunning(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** The last lines of the log, for error messages. */
  logTail(lines?: number): string;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartProcessOptions {
  name: string;
  command: string;
  args: readonly string[];
  /** Appended to (created if missing); stdout and stderr both go here, written by the child itself. */
  logPath: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

// Every process started here and not yet exited; killed when this Node process exits or is signalled,
// so an interrupted test run leaves no servers behind. Each is its own process group, and the
// whole group is ended, so whatever a server started itself goes with it.
const live = new Set<ChildProcess>();
let hooksInstalled = false;

// On Linux, util-linux's setpriv makes the kernel SIGKILL the child when this process dies, even by
// SIGKILL, which no exit handler can cover.
const SETPRIV = '/usr/bin/setpriv';
const usePdeathsig = process.platform === 'linux' && existsSync(SETPRIV);

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function killAllNow(): void {
  for (const child of live) killGroup(child, 'SIGKILL');
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAllNow();
  process.removeListener(signal, onSignal);
  // Keep the default meaning of the signal unless someone else also handles it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
}

/**
 * Starts `command` with stdout and stderr appended to `logPath`. The caller waits for readiness itself.
 *
 * @example
 *   const proc = startProcess({ name: 'minio', command: bin, args: ['server', dir], logPath });
 *   try { await waitUntil(() => isReady(), { proc }); } finally { await proc.stop(); }
 */
export function startProcess(options: StartProcessOptions): ManagedProcess {
  installHooks();
  const logFd = openSync(options.logPath, 'a');
  let child: ChildProcess;
  try {
    const [command, args] = usePdeathsig ? [SETPRIV, ['--pdeathsig', 'KILL', '--', options.command, ...options.args]] : [options.command, [...options.args]];
    child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', logFd, logFd],
      detached: true,
    });
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(logFd);
  }
  // Holding no reference lets the test process exit while a server runs; the hooks above and the
  // parent-death signal still end it.
  child.unref();
  live.add(child);
  let running = true;
  let spawnError: Error | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      live.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (err) => {
      // spawn failed (e.g. missing binary): reported by logTail(), where readiness errors look.
      spawnError = err;
      running = false;
      live.delete(child);
      resolve({ code: null, signal: null });
    });
  });

  const tail = (lines = 40): string => [...(spawnError ? [`spawn failed: ${spawnError.message}`] : []), logTail(options.logPath, lines)].join('\n');

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 5000): Promise<void> => {
    stopping ??= (async () => {
      if (!running) return;
      // Waited for now: unreferenced, a child that outlives its SIGTERM grace (killed after it)
      // would leave the event loop with nothing to wait on, and the test would end mid-await.
      child.ref();
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
      try {
        await exited;
      } finally {
        clearTimeout(timer);
      }
      // The leader is gone; anything left in its group goes too.
      killGroup(child, 'SIGKILL');
    })();
    return stopping;
  };

  return {
    name: options.name,
    pid: child.pid ?? -1,
    logPath: options.logPath,
    exited,
    isRunning: () => running,
    stop,
    logTail: tail,
  };
}

/** The last `lines` lines of a log file, for failure messages. */
export function logTail(logPath: string, lines = 40): string {
  try {
    return readFileSync(logPath, 'utf8').split('\n').slice(-lines).join('\n');
  } catch (error) {
    return `(no log at ${logPath}: ${(error as Error).message})`;
  }
}

export interface WaitUntilOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Fail at once, with its log, if this process exits while waiting. */
  proc?: ManagedProcess;
  what?: string;
}

/** Polls `check` until it returns true; rejects on timeout or when `proc` exits first. */
export async function waitUntil(check: () => Promise<boolean>, options: WaitUntilOptions = {}): Promise<void> {
  const { timeoutMs = 30_000, intervalMs = 50, proc, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    if (proc && !proc.isRunning()) {
      const exit = await proc.exited;
      throw new Error(`${proc.name} exited (code ${exit.code}, signal ${exit.signal}) before ${what}; log ${proc.logPath}:\n${proc.logTail()}`);
    }
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      const log = proc ? `; log ${proc.logPath}:\n${proc.logTail()}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
