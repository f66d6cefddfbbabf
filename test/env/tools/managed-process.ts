import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';

/** A long-running helper server (MinIO, ...) started by test setup, with its output in a log file. */
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
// so an interrupted test run leaves no servers behind.
const live = new Set<ChildProcess>();
let hooksInstalled = false;

// On Linux, util-linux's setpriv makes the kernel SIGKILL the child when this process dies, even by
// SIGKILL, which no exit handler can cover.
const SETPRIV = '/usr/bin/setpriv';
const usePdeathsig = process.platform === 'linux' && existsSync(SETPRIV);

function killAllNow(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
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
    const [command, args] = usePdeathsig
      ? [SETPRIV, ['--pdeathsig', 'KILL', '--', options.command, ...options.args]]
      : [options.command, [...options.args]];
    child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
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

  const logTail = (lines = 40): string => {
    const parts: string[] = [];
    if (spawnError) parts.push(`spawn failed: ${spawnError.message}`);
    try {
      parts.push(readFileSync(options.logPath, 'utf8').split('\n').slice(-lines).join('\n'));
    } catch {
      // no log yet
    }
    return parts.join('\n');
  };

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 5000): Promise<void> => {
    stopping ??= (async () => {
      if (!running) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        await exited;
      } finally {
        clearTimeout(timer);
      }
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
    logTail,
  };
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
      throw new Error(
        `${proc.name} exited (code ${exit.code}, signal ${exit.signal}) before ${what}; log ${proc.logPath}:\n${proc.logTail()}`,
      );
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
