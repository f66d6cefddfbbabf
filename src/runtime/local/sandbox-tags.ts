import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { splitRunKey, type RunKey } from '../../ports/run-key.js';

/**
 * The name a pod's sandboxes carry as their process name (argv[0] of bubblewrap and of the
 * namespace it starts), so that a later Skiff can find them: a Skiff killed while it starts a
 * sandbox can leave bubblewrap's half-started child behind for good (it waits for a parent that
 * is gone, and the parent-death signal came too early to reach it). One tag per state directory,
 * run (its namespace and name: a run of the same name in another namespace has other tags) and
 * pod; `runTagPrefix` covers every pod of a run, and no pod of another (it ends with `/`).
 *
 * @example sandboxTag('/home/me/.skiff', 'ci/hello-x2k9d', 'hello-x2k9d-main-123') // 'skiff-sandbox:3f0c…:ci/hello-x2k9d/hello-x2k9d-main-123'
 */
export function sandboxTag(stateRoot: string, key: RunKey, podName: string): string {
  return `${runTagPrefix(stateRoot, key)}${podName}`;
}

export function runTagPrefix(stateRoot: string, key: RunKey): string {
  const { namespace, name } = splitRunKey(key);
  return `skiff-sandbox:${createHash('sha256').update(resolve(stateRoot)).digest('hex').slice(0, 12)}:${namespace}/${name}/`;
}

/**
 * SIGKILLs every process whose name is `tag` (or starts with it, with `prefix: true`): the
 * sandboxes a Skiff that died left running. Killing a sandbox's namespace init ends every process
 * of the step. Returns how many were killed.
 */
export function killTaggedSandboxes(tag: string, options: { prefix?: boolean } = {}): number {
  let killed = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let name: string;
    try {
      name = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0', 1)[0] ?? '';
    } catch {
      continue; // gone meanwhile
    }
    if (name !== tag && !(options.prefix && name.startsWith(tag))) continue;
    try {
      process.kill(Number(entry), 'SIGKILL');
      killed++;
    } catch {
      // gone meanwhile
    }
  }
  return killed;
}
