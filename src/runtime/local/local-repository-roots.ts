import { existsSync, realpathSync } from 'node:fs';
import { mkdir, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * The directories a `local` artifact repository may be in. A repository's root comes from data —
 * an `artifact-repositories` ConfigMap (applied from git), a workflow's artifactRepositoryRef, the
 * artifact locations a run recorded — and the local runtime mounts it read-write into the
 * executor and hands it to the sandbox user. So a root is only taken inside Skiff's own artifacts
 * directory or a directory the operator named (SKIFF_LOCAL_REPOSITORY_ROOTS): a ConfigMap saying
 * `root: /etc` must never make Skiff give /etc away.
 *
 * @example
 *   const roots = new LocalRepositoryRoots(['/state/artifacts']);
 *   await roots.admit('/state/artifacts/team'); // '/state/artifacts/team' (created if missing)
 *   await roots.admit('/etc');                  // throws: not under /state/artifacts
 */
export class LocalRepositoryRoots {
  private readonly allowed: string[];

  constructor(allowed: readonly string[]) {
    this.allowed = allowed.map((dir) => resolve(dir));
  }

  /**
   * The root as a real path (links resolved), created when missing, once it is known to lie in an
   * allowed directory; throws with what to do otherwise.
   */
  async admit(root: string): Promise<string> {
    if (!isAbsolute(root)) throw new Error(`a local artifact repository's root must be an absolute path, not "${root}"`);
    const wanted = await this.confine(root);
    await mkdir(wanted, { recursive: true });
    const real = await realpath(wanted);
    this.check(root, real);
    return real;
  }

  /**
   * The root as a real path when it lies in an allowed directory; throws otherwise. Creates
   * nothing: for reading and deleting (artifact GC), where a missing root holds nothing anyway.
   */
  async confine(root: string): Promise<string> {
    if (!isAbsolute(root)) throw new Error(`a local artifact repository's root must be an absolute path, not "${root}"`);
    const wanted = resolve(root);
    this.check(root, wanted);
    // What exists of it is read with links resolved: a link on the way (left by a step, say) must
    // not lead a write, a mkdir or a delete out of the allowed directories.
    let existing = wanted;
    while (!existsSync(existing)) existing = dirname(existing);
    const real = join(await realpath(existing), relative(existing, wanted));
    this.check(root, real);
    return real;
  }

  private check(root: string, path: string): void {
    // An allowed directory is taken as written and with its own links resolved (/tmp may be one).
    const real = this.allowed.map((dir) => (existsSync(dir) ? realpathSync(dir) : dir));
    if ([...this.allowed, ...real].some((dir) => inside(dir, path))) return;
    throw new Error(
      `local artifact repository root "${root}"${path !== resolve(root) ? ` (${path})` : ''} is outside the directories Skiff may use for them (${this.allowed.join(', ')}); name its parent in SKIFF_LOCAL_REPOSITORY_ROOTS to allow it`,
    );
  }
}

function inside(dir: string, path: string): boolean {
  const rest = relative(dir, path);
  return rest === '' || (!rest.startsWith(`..${sep}`) && rest !== '..' && !isAbsolute(rest));
}

/** SKIFF_LOCAL_REPOSITORY_ROOTS: absolute directories, separated by ':'. */
export function localRepositoryRootsFromEnv(value: string | undefined): string[] {
  const dirs = (value ?? '').split(':').filter((dir) => dir !== '');
  for (const dir of dirs) if (!isAbsolute(dir)) throw new Error(`SKIFF_LOCAL_REPOSITORY_ROOTS names "${dir}", which is not an absolute path`);
  return dirs;
}

/** Directories of `local` artifact locations (the embedded default repository, or `local: {root}`). */
export function localRoots(values: unknown[]): string[] {
  const roots = new Set<string>();
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(walk);
    const local = (value as { local?: { root?: unknown } }).local;
    if (local && typeof local.root === 'string') roots.add(local.root);
    for (const child of Object.values(value)) walk(child);
  };
  values.forEach(walk);
  return [...roots];
}
