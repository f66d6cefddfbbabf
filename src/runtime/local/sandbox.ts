import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { cleanPath, HOST_ETC_ENTRIES, HOST_SYSTEM_DIRS, planRootMounts, type HostTree, type SandboxMount } from './sandbox-mounts.js';
import { sandboxIdentity, type SandboxIdentity } from './sandbox-identity.js';
import { buildSeccompFilter, seccompUnsupportedReason } from './seccomp-filter.js';

export type { SandboxMount } from './sandbox-mounts.js';

/** A container to run as a sandboxed process on this machine. */
export interface SandboxSpec {
  /** The command and its arguments, already resolved (entrypoint + args). */
  argv: string[];
  env: Record<string, string>;
  workingDir?: string;
  hostname?: string;
  mounts: SandboxMount[];
  /**
   * Share the host's network (Skiff's executor, or a run allowed egress). Default: a network
   * namespace of its own with only loopback.
   */
  hostNetwork?: boolean;
  /** Who the step runs as. Default: sandboxIdentity(). */
  identity?: SandboxIdentity;
  /** The process name the sandbox carries (see sandbox-tags.ts), so a later Skiff can find it. Default: bwrap. */
  tag?: string;
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
  const unsupported = seccompUnsupportedReason();
  if (unsupported) return unsupported;
  const probe = spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-pid', '--die-with-parent', 'true'], { stdio: 'ignore', timeout: 10_000 });
  if (probe.error && (probe.error as NodeJS.ErrnoException).code === 'ENOENT') {
    return 'bubblewrap (bwrap) is not installed; install it with "apt-get install bubblewrap" (Debian/Ubuntu) or your distribution\'s package';
  }
  if (probe.status !== 0) {
    return 'bubblewrap cannot create namespaces here (user namespaces may be disabled: sysctl kernel.unprivileged_userns_clone=1, or run as root)';
  }
  if (sandboxIdentity().switchUser && spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status !== 0) {
    return 'setpriv (util-linux) is not installed: Skiff runs as root and needs it to run steps as an unprivileged user';
  }
  return undefined;
}

let etcDir: string | undefined;

/**
 * The /etc files written for sandboxes (once per process, removed at its exit): users and groups
 * that name root and the step's own id, and a hosts file with localhost only.
 */
function sandboxEtcFiles(identity: SandboxIdentity): Record<string, string> {
  if (!etcDir) {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-etc-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const step = identity.uid === 0 ? '' : `skiff:x:${identity.uid}:${identity.gid}:skiff step:/root:/bin/sh\n`;
    const stepGroup = identity.gid === 0 ? '' : `skiff:x:${identity.gid}:\n`;
    writeFileSync(join(dir, 'passwd'), `root:x:0:0:root:/root:/bin/sh\n${step}nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`, { mode: 0o644 });
    writeFileSync(join(dir, 'group'), `root:x:0:\n${stepGroup}nogroup:x:65534:\n`, { mode: 0o644 });
    writeFileSync(join(dir, 'hosts'), '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n', { mode: 0o644 });
    etcDir = dir;
  }
  return { passwd: join(etcDir, 'passwd'), group: join(etcDir, 'group'), hosts: join(etcDir, 'hosts') };
}

/** A process that never started, reported as the sandbox reports one it could not start. */
function failedToStart(spec: SandboxSpec, reason: string): SandboxedProcess {
  spec.onStderr(Buffer.from(`skiff: cannot start the sandbox: ${reason}\n`));
  return { pid: undefined, exited: Promise.resolve({ exitCode: 127 }), kill: () => undefined };
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

/** The empty directories every image has, writable by the step as in a container. */
const IMAGE_DIRS = ['/mnt', '/home', '/root', '/srv', '/media'];

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGPIPE: 13, SIGABRT: 6, SIGSEGV: 11 };

// Child descriptors bwrap reads its setup from and tells on (see startSandboxed).
const ARGS_FD = 3;
const INFO_FD = 4;
const SECCOMP_FD = 5;

let seccompFilter: Buffer | undefined;

/**
 * Runs one container's process under bubblewrap, as contained as a pod: a root of the host's /usr
 * (read-only), a small /etc and the container's mounts, a private /tmp, /proc and /dev; its own
 * PID, IPC, UTS and (unless `hostNetwork`) network namespaces; an unprivileged user (see
 * sandbox-identity.ts) with every capability dropped, no_new_privs and a seccomp filter (see
 * seccomp-filter.ts); a clean environment; no way to outlive Skiff (--die-with-parent).
 *
 * bubblewrap reads its arguments from a pipe (`--args`), not its command line: the environment
 * they carry may hold Secrets, and any user of the machine can read any process's command line.
 */
export function startSandboxed(spec: SandboxSpec): SandboxedProcess {
  const identity = spec.identity ?? sandboxIdentity();
  const unsupported = seccompUnsupportedReason();
  if (unsupported) return failedToStart(spec, unsupported);
  seccompFilter ??= buildSeccompFilter();
  const hostname = spec.hostname ?? 'skiff-step';
  const args = [
    '--die-with-parent',
    '--new-session',
    // Run by a normal user, bubblewrap needs a user namespace for the others and drops every
    // capability and sets no_new_privs itself; run by root, setpriv below does it.
    ...(identity.switchUser ? [] : ['--unshare-user', '--cap-drop', 'ALL']),
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    ...(spec.hostNetwork ? [] : ['--unshare-net']),
    '--hostname',
    hostname,
    // The private /tmp comes first: mounts below it (an input artifact at /tmp/in) land on top of it.
    ...(spec.mounts.some((m) => cleanPath(m.containerPath) === '/tmp') ? [] : ['--perms', '1777', '--tmpfs', '/tmp']),
    ...IMAGE_DIRS.flatMap((dir) => ['--perms', '0777', '--dir', dir]),
    ...planRootMounts(hostTree, spec.mounts, { systemDirs: HOST_SYSTEM_DIRS, etcEntries: HOST_ETC_ENTRIES, etcFiles: sandboxEtcFiles(identity) }),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--clearenv',
    ...Object.entries({ PATH: CONTAINER_PATH, HOME: '/root', HOSTNAME: hostname, ...spec.env }).flatMap(([k, v]) => ['--setenv', k, v]),
    // Without a workingDir a container starts in its image's WORKDIR, `/` for the images we stand in for.
    ...(spec.workingDir ? ['--perms', '0777', '--dir', spec.workingDir, '--chdir', spec.workingDir] : ['--chdir', '/']),
    // As in an image, a step may write at the top of its root (a tmpfs of its own).
    '--chmod',
    '1777',
    '/',
    '--seccomp',
    String(SECCOMP_FD),
    '--info-fd',
    String(INFO_FD),
  ];
  // The command stays on the command line (bubblewrap reads only options from --args); it is the
  // step's own command line anyway once it runs.
  const command = [
    ...(identity.switchUser
      ? ['setpriv', `--reuid=${identity.uid}`, `--regid=${identity.gid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--']
      : []),
    ...spec.argv,
  ];
  // bwrap tells on INFO_FD the host pid of the namespace's init: killing it ends every process of
  // the step. --die-with-parent alone is not enough: the kernel drops the parent-death signal when
  // bwrap changes credentials (it does, run as root), so a killed bwrap could leave the step running.
  // Its own environment holds nothing but PATH: the step's is in the arguments.
  const child = spawn('bwrap', ['--args', String(ARGS_FD), '--', ...command], {
    argv0: spec.tag ?? 'bwrap',
    stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? CONTAINER_PATH },
  });
  const pipes = child.stdio as unknown as Array<NodeJS.ReadWriteStream | null>;
  const argsStream = pipes[ARGS_FD];
  argsStream?.on('error', () => undefined);
  argsStream?.end(Buffer.from(args.map((a) => `${a}\0`).join('')));
  const seccompStream = pipes[SECCOMP_FD];
  seccompStream?.on('error', () => undefined);
  seccompStream?.end(seccompFilter);
  let innerPid: number | undefined;
  let pendingSignal: NodeJS.Signals | undefined;
  let info = '';
  const infoStream = pipes[INFO_FD];
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
