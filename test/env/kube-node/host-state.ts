import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * What a node changes on the host, as it was before the node started: enough to put it all back.
 * Written to a file before anything changes, so the watchdog can restore it after a crash too.
 */
export interface HostState {
  /** The node's own directory (containerd root and state, kubelet root, logs); removed entirely. */
  readonly workDir: string;
  /** containerd's socket; processes naming it (its shims) belong to this node. */
  readonly containerdSocket: string;
  /** The CNI bridge the node creates; deleted if it did not exist before. */
  readonly bridge: string;
  readonly bridgeExisted: boolean;
  /** sysctl files under /proc/sys and their values before the node started. */
  readonly sysctls: Readonly<Record<string, string>>;
  /** cgroup v1 hierarchies (and the unified one) that had no `kubepods` group before. */
  readonly cgroupRootsWithoutKubepods: readonly string[];
  /** iptables chains per tool and table before the node started (`iptables` absent: none). */
  readonly iptablesChains: Readonly<Record<string, readonly string[]>>;
  /** Fixed host paths the kubelet or containerd write (below at most two levels): what existed. */
  readonly fixedPaths: Readonly<Record<string, readonly string[]>>;
}

/** Every sysctl the kubelet (setupKernelTunables) or the bridge plugin may set. */
export const NODE_SYSCTLS = [
  'vm/overcommit_memory',
  'vm/panic_on_oom',
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
  'net/ipv4/ip_forward',
] as const;

/** Paths outside the work directory that the kubelet, containerd, its shims or libcni use whatever their configuration says. */
export const FIXED_PATHS = [
  '/var/lib/kubelet',
  '/var/log/containers',
  '/var/log/pods',
  '/run/containerd',
  '/var/lib/cni',
  '/run/netns',
  '/opt/containerd',
  '/etc/cni',
] as const;

const CGROUP_ROOT = '/sys/fs/cgroup';
const KUBEPODS = 'kubepods';
const IPTABLES_TABLES = ['filter', 'nat', 'mangle'] as const;

/** Paths below `root`, two levels deep, root included when it exists. */
function listTree(root: string): string[] {
  if (!existsSync(root)) return [];
  const out = [root];
  const walk = (dir: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      out.push(path);
      if (depth < 2 && statSync(path, { throwIfNoEntry: false })?.isDirectory()) walk(path, depth + 1);
    }
  };
  walk(root, 1);
  return out.sort();
}

export function cgroupRoots(): string[] {
  try {
    return readdirSync(CGROUP_ROOT)
      .map((name) => join(CGROUP_ROOT, name))
      .filter((path) => existsSync(join(path, 'cgroup.procs')));
  } catch {
    return [];
  }
}

async function iptablesChains(): Promise<Record<string, string[]>> {
  const chains: Record<string, string[]> = {};
  for (const tool of ['iptables', 'ip6tables']) {
    for (const table of IPTABLES_TABLES) {
      const listed = await run(tool, ['-w', '-t', table, '-S']).catch(() => undefined);
      if (!listed) continue;
      chains[`${tool} ${table}`] = listed.stdout
        .split('\n')
        .filter((l) => l.startsWith('-N '))
        .map((l) => l.slice(3).trim());
    }
  }
  return chains;
}

/** Reads what the node may change, before it changes anything. */
export async function recordHostState(workDir: string, containerdSocket: string, bridge: string): Promise<HostState> {
  const sysctls: Record<string, string> = {};
  for (const name of NODE_SYSCTLS) {
    const path = `/proc/sys/${name}`;
    if (existsSync(path)) sysctls[path] = readFileSync(path, 'utf8').trim();
  }
  const fixedPaths: Record<string, string[]> = {};
  for (const root of FIXED_PATHS) fixedPaths[root] = listTree(root);
  return {
    workDir,
    containerdSocket,
    bridge,
    bridgeExisted: existsSync(`/sys/class/net/${bridge}`),
    sysctls,
    cgroupRootsWithoutKubepods: cgroupRoots().filter((root) => !existsSync(join(root, KUBEPODS))),
    iptablesChains: await iptablesChains(),
    fixedPaths,
  };
}

/** Mount points at or below `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  // Field 5 of mountinfo is the mount point, with spaces and the like octal-escaped.
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8))))
    .filter((p) => p === dir || p.startsWith(prefix));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Processes whose command line mentions `text` (this node's socket or directory), not this one. */
export function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Every cgroup directory below `root/kubepods`, deepest first. */
function cgroupTree(root: string): string[] {
  const top = join(root, KUBEPODS);
  if (!existsSync(top)) return [];
  const dirs: string[] = [top];
  for (let i = 0; i < dirs.length; i++) {
    for (const entry of readdirSync(dirs[i] as string, { withFileTypes: true })) {
      if (entry.isDirectory()) dirs.push(join(dirs[i] as string, entry.name));
    }
  }
  return dirs.reverse();
}

function killAll(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function pidsInCgroups(dirs: readonly string[]): Set<number> {
  const pids = new Set<number>();
  for (const dir of dirs) {
    try {
      for (const line of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (line) pids.add(Number(line));
    } catch {
      // removed meanwhile
    }
  }
  return pids;
}

async function removeIptablesChains(before: HostState['iptablesChains']): Promise<void> {
  const now = await iptablesChains();
  for (const [key, chains] of Object.entries(now)) {
    const [tool, table] = key.split(' ') as [string, string];
    const added = chains.filter((c) => !(before[key] ?? []).includes(c));
    if (added.length === 0) continue;
    // Rules jumping to an added chain go first, then the chains' own rules, then the chains.
    const rules = (await run(tool, ['-w', '-t', table, '-S'])).stdout.split('\n');
    for (const rule of rules.filter((r) => r.startsWith('-A ') && added.some((c) => r.includes(` -j ${c}`) && !r.startsWith(`-A ${c} `)))) {
      await run(tool, ['-w', '-t', table, ...splitRule(`-D ${rule.slice(3)}`)]).catch(() => undefined);
    }
    for (const chain of added) await run(tool, ['-w', '-t', table, '-F', chain]).catch(() => undefined);
    for (const chain of added) await run(tool, ['-w', '-t', table, '-X', chain]).catch(() => undefined);
  }
}

// iptables -S quotes arguments with spaces ("--comment "a b""); enough of a shell split for those.
function splitRule(rule: string): string[] {
  return [...rule.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? (m[2] as string));
}

/**
 * Puts the host back as `state` found it: kills whatever the node left running (shims naming its
 * socket, processes in the kubepods cgroups), unmounts everything under its directory, removes the
 * cgroups, iptables chains, bridge and fixed-path entries it added, restores the sysctls and removes
 * its directory. Idempotent, and it never throws for a step that fails: it reports them all at the end.
 */
export async function restoreHost(state: HostState): Promise<string[]> {
  const problems: string[] = [];
  const step = async (what: string, action: () => Promise<void>): Promise<void> => {
    try {
      await action();
    } catch (error) {
      problems.push(`${what}: ${(error as Error).message}`);
    }
  };
  const created = state.cgroupRootsWithoutKubepods;

  await step('kill the node processes', async () => {
    for (let round = 0; round < 50; round++) {
      const pids = new Set([
        ...processesMentioning(state.containerdSocket),
        ...processesMentioning(state.workDir),
        ...pidsInCgroups(created.flatMap(cgroupTree)),
      ]);
      if (pids.size === 0) return;
      killAll(pids);
      await sleep(100);
    }
    throw new Error('processes survived SIGKILL for 5 s');
  });
  await step('unmount', async () => {
    for (const point of mountsUnder(state.workDir)) {
      await run('umount', [point]).catch(() => run('umount', ['--lazy', point]));
    }
  });
  await step('remove cgroups', async () => {
    for (let round = 0; round < 20; round++) {
      const left: string[] = [];
      for (const dir of created.flatMap(cgroupTree)) await rmdir(dir).catch(() => left.push(dir));
      if (left.length === 0) return;
      // A cgroup whose last process just died can be busy for a moment.
      await sleep(100);
      if (round === 19) throw new Error(`still present: ${left.join(', ')}`);
    }
  });
  await step('remove iptables chains', () => removeIptablesChains(state.iptablesChains));
  await step('delete the bridge', async () => {
    if (!state.bridgeExisted && existsSync(`/sys/class/net/${state.bridge}`)) await run('ip', ['link', 'delete', state.bridge]);
  });
  await step('remove fixed paths', async () => {
    for (const [root, before] of Object.entries(state.fixedPaths)) {
      const added = listTree(root).filter((p) => !before.includes(p));
      // Deepest first; a directory that existed stays.
      for (const path of added.sort((a, b) => b.length - a.length)) {
        for (const point of mountsUnder(path)) await run('umount', ['--lazy', point]).catch(() => undefined);
        await rm(path, { recursive: true, force: true });
      }
    }
  });
  await step('restore sysctls', async () => {
    for (const [path, value] of Object.entries(state.sysctls)) {
      if ((await readFile(path, 'utf8')).trim() !== value) await writeFile(path, value);
    }
  });
  await step('remove the work directory', () => rm(state.workDir, { recursive: true, force: true }));
  return problems;
}
