import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** A server binary running in its own process group, its output going to a log file. */
export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  /** Settles when the process has exited, with its exit code or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

// Every server still running, so a signal or an unexpected exit of the test process can end them
// all. Ending a process group (negative pid) also reaches anything a server started itself.
const running = new Set<ServerProcess>();
let handlersInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone: nothing to end.
  }
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // 'exit' runs synchronously only, so SIGKILL is the one thing that surely lands before we go.
  process.on('exit', () => {
    for (const server of running) killGroup(server.pid, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      for (const server of running) killGroup(server.pid, 'SIGKILL');
      // Listening to a signal replaces Node's default of exiting; put the default back and
      // re-raise so the test process still dies of the signal it was sent.
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/**
 * Starts `command` detached into a new process group, wrapped in util-linux `setpriv --pdeathsig`
 * so the kernel kills it even if this Node process is SIGKILLed and no handler runs (no orphans).
 */
export function startServerProcess(
  name: string,
  command: string,
  args: readonly string[],
  logPath: string,
): ServerProcess {
  installExitHandlers();
  const logFd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', command, ...args], {
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(logFd);
  }
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error(`${name}: could not start ${command} (is util-linux's setpriv installed?)`);
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  // Holding no reference lets the test process exit while a server runs; the handlers above and
  // the parent-death signal still end it.
  child.unref();

  const server: ServerProcess = {
    name,
    pid,
    logPath,
    exited,
    async stop(graceMs = 5000) {
      running.delete(server);
      if (child.exitCode !== null || child.signalCode !== null) return;
      killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // The leader is gone; anything left in its group goes too.
      killGroup(pid, 'SIGKILL');
    },
  };
  running.add(server);
  void exited.then(() => running.delete(server));
  return server;
}

/** The last `lines` lines of a server's log, for failure messages. */
export async function tailLog(logPath: string, lines = 40): Promise<string> {
  try {
    const text = await readFile(logPath, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n');
  } catch (error) {
    return `(no log at ${logPath}: ${(error as Error).message})`;
  }
}
