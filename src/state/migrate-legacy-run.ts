import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runKey, type RunKey } from '../ports/run-key.js';
import { isPathSegment } from './state-layout.js';

/** Files only a run's own folder holds; a namespace folder holds run folders only. */
const RUN_FILES = ['snapshot.json', 'journal.ndjson', 'snapshot.prev.json', 'journal.prev.ndjson', 'driver.json'];
const MOVING = '.moving-';

/**
 * Before runs were keyed by namespace and name, a state directory held `runs/<name>/` (the run's
 * files directly), `pods/<name>/<pod>/` and `claims/<name>/`. Such a run is moved to
 * `runs/<namespace>/<name>/` (its workflow's namespace), its pods and claims likewise, each by
 * rename: nothing is copied, so a crash leaves every file whole, in the old place or the new. A
 * rename goes through `.moving-<name>` beside the old place, since a namespace may bear the run's
 * name (`runs/default/` of a run named `default` becomes `runs/default/default/`); a move cut
 * short there is finished by the next call. Returns the run's key, or undefined when `name` is
 * not a run of the old layout.
 *
 * @example
 *   await migrateLegacyRun('/home/me/.local/state/skiff', 'hello-x7k2p'); // 'default/hello-x7k2p'
 */
export async function migrateLegacyRun(root: string, name: string): Promise<RunKey | undefined> {
  if (!isPathSegment(name)) return undefined;
  const runs = join(root, 'runs');
  const moving = join(runs, `${MOVING}${name}`);
  const from = (await isLegacyRunDir(join(runs, name))) ? join(runs, name) : (await isLegacyRunDir(moving)) ? moving : undefined;
  if (!from) return undefined;
  const namespace = await namespaceOfLegacyRun(from);
  // Pods and claims first: a crash after them leaves the run where the next call finds it again.
  for (const kind of ['pods', 'claims']) await moveInto(join(root, kind), name, namespace);
  await moveInto(runs, name, namespace);
  return runKey(namespace, name);
}

/** Whether an entry of `runs/` is a run of the old layout, or one cut short on its way to the new. */
export function isLegacyEntry(entry: string): boolean {
  return entry.startsWith(MOVING) ? isPathSegment(entry.slice(MOVING.length)) : isPathSegment(entry);
}

/** The name of a run an entry of `runs/` is (or is on its way to the new layout). */
export function legacyNameOf(entry: string): string {
  return entry.startsWith(MOVING) ? entry.slice(MOVING.length) : entry;
}

export async function isLegacyRunDir(dir: string): Promise<boolean> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return false;
  }
  return names.some((n) => RUN_FILES.includes(n));
}

/** Moves `<parent>/<name>` to `<parent>/<namespace>/<name>` unless that exists; finishes a move cut short. */
async function moveInto(parent: string, name: string, namespace: string): Promise<void> {
  const source = join(parent, name);
  const moving = join(parent, `${MOVING}${name}`);
  const target = join(parent, namespace, name);
  if (await exists(target)) return;
  if (!(await exists(moving))) {
    // Called only for a run of the old layout: its pods/<name>/ and claims/<name>/ are its own
    // (a namespace of that name would have its runs in the run's folder, which new runs never are).
    if (!(await exists(source))) return;
    await rename(source, moving).catch(ignoreGone);
  }
  await mkdir(join(parent, namespace), { recursive: true, mode: 0o700 });
  await rename(moving, target).catch(ignoreGone);
}

/** The namespace of a run's workflow, read leniently (a damaged run is moved too): `default` when none says. */
async function namespaceOfLegacyRun(dir: string): Promise<string> {
  for (const file of ['snapshot.json', 'snapshot.prev.json']) {
    const text = await readFile(join(dir, file), 'utf8').catch(() => '');
    const line = text.split('\n', 1)[0] ?? '';
    try {
      const value = JSON.parse(line.startsWith('{') ? line : line.slice(9)) as { run?: { workflow?: { metadata?: { namespace?: unknown } } } };
      const namespace = value.run?.workflow?.metadata?.namespace;
      if (typeof namespace === 'string' && isPathSegment(namespace)) return namespace;
      if (value.run?.workflow) return 'default';
    } catch {
      // damaged or missing: try the next
    }
  }
  return 'default';
}

function ignoreGone(error: NodeJS.ErrnoException): void {
  // Another process moved it first.
  if (error.code !== 'ENOENT') throw error;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
