import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { posix } from 'node:path';
import { cleanPath, planRootMounts, type HostTree, type SandboxMount } from './sandbox-mounts.js';

export type { SandboxMount } from './sandbox-mounts.js';

/** A container to run as a sandboxed process on this machine. */
export interface SandboxSpec {
  /** The command and its arguments, already resolved (entrypoint + args). */
  argv: string[];
  env: Record<string, string>;
  workingDir?: string;
  hostname?: string;
  mounts: SandboxMount[];
  /** A network namespace of its own, with only loopback (a daemon pod's; see pod-network.ts). Default: the host's network. */
  ownNetwork?: boolean;
  /** Called with each chunk the process writes. */
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
}

export interface SandboxExit {
  /** The exit code, or 128 + signal number when a signal ended it, as a container runtime reports. */
  exitCode: number;
  signal?: string;
}

export interface SandboxedProcess {
  readonly pid: number | undefined;
  readonly exited: Promise<SandboxExit>;
  kill(signal?: NodeJS.Signals): void;
}

/** The PATH a container image usually has; the host's own PATH (home directories) is not carried in. */
export const CONTAINER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Why no sandbox can be made here and how to fix it, or undefined when bubblewrap works. */
export function sandboxUnavailableReason(): string | undefined {
  const probe = spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-pid', '--die-with-parent', 'true'], { stdio: 'ignore', timeout: 10_000 });
  if (probe.error && (probe.error as NodeJS.ErrnoException).code === 'ENOENT') {
    return 'bubblewrap (bwrap) is not installed; install it with "apt-get install bubblewrap" (Debian/Ubuntu) or your distribution\'s package';
  }
  if (probe.status !== 0) {
    return 'bubblewrap cannot create namespaces here (user namespaces may be disabled: sysctl kernel.unprivileged_userns_clone=1, or run as root)';
  }
  return undefined;
}

const hostTree: HostTree = {
  list(dir) {
    try {
      return readdirSync(dir, { withFileTypes: true }).map((entry) => {
        const path = posix.join(dir, entry.name);
        if (entry.isSymbolicLink()) return { name: entry.name, kind: 'symlink' as const, target: readlinkSync(path) };
        if (entry.isDirectory()) return { name: entry.name, kind: 'dir' as const };
        if (entry.isFile()) return { name: entry.name, kind: 'file' as const };
        return { name: entry.name, kind: 'other' as const };
      });
    } catch {
      return undefined;
    }
  },
};

/** Namespace inits of running sandboxes: killed if Skiff exits first, so no step outlives it. */
const live = new Set<number>();
process.once('exit', () => {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

const IMAGE_DIRS = ['/mnt', '/home', '/root', '/srv', '/media'];

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGPIPE: 13, SIGABRT: 6, SIGSEGV: 11 };

/**
 * Runs one container's process under bubblewrap: a root of the host's system directories
 * (read-only) plus the container's mounts, a private /tmp, /proc and /dev, its own PID, IPC and
 * UTS namespaces, a clean environment, and no way to outlive Skiff (--die-with-parent). The
 * network is shared, so steps talk to the same services the host can reach, unless the spec asks
 * for a network of its own.
 */
export function startSandboxed(spec: SandboxSpec): SandboxedProcess {
  const args = [
    '--die-with-parent',
    '--new-session',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    ...(spec.ownNetwork ? ['--unshare-net'] : []),
    '--hostname', spec.hostname ?? 'skiff-step',
    // The private /tmp comes first: mounts below it (an input artifact at /tmp/in) land on top of it.
    ...(spec.mounts.some((m) => cleanPath(m.containerPath) === '/tmp') ? [] : ['--tmpfs', '/tmp']),
    // The empty directories every image has, so a step can write below /mnt or $HOME as in a container.
    ...IMAGE_DIRS.flatMap((dir) => ['--dir', dir]),
    ...planRootMounts(hostTree, spec.mounts),
    '--proc', '/proc',
    '--dev', '/dev',
    '--clearenv',
    ...Object.entries({ PATH: CONTAINER_PATH, HOME: '/root', HOSTNAME: spec.hostname ?? 'skiff-step', ...spec.env }).flatMap(([k, v]) => ['--setenv', k, v]),
    // Without a workingDir a container starts in its image's WORKDIR, `/` for the images we stand in for.
    ...(spec.workingDir ? ['--dir', spec.workingDir, '--chdir', spec.workingDir] : ['--chdir', '/']),
    '--',
    ...spec.argv,
  ];
  // bwrap tells on fd 3 the host pid of the namespace's init: killing it ends every process of the
  // step. --die-with-parent alone is not enough: the kernel drops the parent-death signal when bwrap
  // changes credentials (it does, run as root), so a killed bwrap could leave the step running.
  const child = spawn('bwrap', ['--info-fd', '3', ...args], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  let innerPid: number | undefined;
  let pendingSignal: NodeJS.Signals | undefined;
  let info = '';
  const infoStream = child.stdio[3] as NodeJS.ReadableStream | null;
  infoStream?.on('data', (chunk: Buffer) => {
    info += chunk.toString();
    const match = /"child-pid"\s*:\s*(\d+)/.exec(info);
    if (match && innerPid === undefined) {
      innerPid = Number(match[1]);
      live.add(innerPid);
      if (pendingSignal) {
        signalInner(pendingSignal);
        child.kill(pendingSignal);
      }
    }
  });
  infoStream?.on('error', () => undefined);
  const signalInner = (signal: NodeJS.Signals): void => {
    if (innerPid === undefined) return;
    try {
      process.kill(innerPid, signal);
    } catch {
      // already gone
    }
  };
  child.stdout!.on('data', (chunk: Buffer) => spec.onStdout(chunk));
  child.stderr!.on('data', (chunk: Buffer) => spec.onStderr(chunk));
  const exited = new Promise<SandboxExit>((resolve) => {
    child.on('error', (error) => {
      spec.onStderr(Buffer.from(`skiff: cannot start the sandbox: ${error.message}\n`));
      resolve({ exitCode: 127 });
    });
    child.on('close', (code, signal) => {
      if (innerPid !== undefined) live.delete(innerPid);
      if (signal) resolve({ exitCode: 128 + (SIGNALS[signal] ?? 0), signal });
      else resolve({ exitCode: code ?? 1 });
    });
  });
  return {
    get pid() {
      return child.pid;
    },
    exited,
    kill(signal: NodeJS.Signals = 'SIGTERM') {
      pendingSignal = signal;
      if (innerPid !== undefined) {
        signalInner(signal);
        child.kill(signal);
        return;
      }
      // bwrap has not told the step's pid yet. Killing bwrap now could leave a step it has just
      // started running with nobody to end it, so the signal waits for the pid (above); bwrap is
      // killed anyway if it never tells, which means it started no step.
      setTimeout(() => {
        if (innerPid === undefined) child.kill(signal);
      }, 2000).unref();
    },
  };
}
