import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

const SKIFF_BIN = join(repoRoot, 'bin', 'skiff.js');
// util-linux's setpriv makes the kernel kill the controller when the test process dies, even by SIGKILL.
const SETPRIV = '/usr/bin/setpriv';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * `skiff controller` as a process of its own, as an operator runs it: its log lines (stderr and
 * stdout) are collected with the time each arrived, and it can be killed, frozen or stopped.
 */
export class ControllerProcess {
  /** Every line the process wrote, in order, with the time (ms since the epoch) the test read it. */
  readonly lines: Array<{ at: number; text: string }> = [];
  readonly exited: Promise<ProcessExit>;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();
  private exit: ProcessExit | undefined;

  constructor(
    readonly name: string,
    args: readonly string[],
  ) {
    const argv = [SKIFF_BIN, 'controller', ...args];
    this.child = existsSync(SETPRIV)
      ? spawn(SETPRIV, ['--pdeathsig', 'SIGKILL', '--', process.execPath, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this);
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const text of parts) this.lines.push({ at: Date.now(), text });
        this.wake();
      });
    }
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        live.delete(this);
        this.wake();
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** The first line matching `pattern` (already written or still to come), with when it came. */
  async line(pattern: RegExp, timeoutMs = 60_000): Promise<{ at: number; text: string }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find((l) => pattern.test(l.text));
      if (found) return found;
      if (this.exit) throw new Error(`${this.name} exited (${JSON.stringify(this.exit)}) before writing ${pattern}:\n${this.log()}`);
      if (Date.now() > deadline) throw new Error(`${this.name} wrote no ${pattern} within ${timeoutMs} ms:\n${this.log()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** SIGKILL: no lease released, no write finished, as when a node or the kernel kills it. Resolves once it is gone. */
  kill(): Promise<ProcessExit> {
    this.signal('SIGKILL');
    return this.exited;
  }

  /** SIGSTOP: frozen where it is, holding its lease and its connections; `kill()` afterwards. */
  freeze(): void {
    this.signal('SIGSTOP');
  }

  /** SIGTERM: the controller releases its lease and exits. */
  stop(): Promise<ProcessExit> {
    this.signal('SIGTERM');
    return this.exited;
  }

  log(): string {
    return this.lines.map((l) => `${this.name}| ${l.text}`).join('\n');
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.exit || this.child.pid === undefined) return;
    try {
      process.kill(this.child.pid, signal);
    } catch {
      // gone already
    }
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) waiter();
  }
}

const live = new Set<ControllerProcess>();

/** Kills every controller process still running (for `after`): none outlives its test file. */
export async function killControllerProcesses(): Promise<void> {
  await Promise.all([...live].map((controller) => controller.kill()));
}
