import { chmod, chown, lchown, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The host user and group a sandboxed step runs as. */
export interface SandboxIdentity {
  uid: number;
  gid: number;
  /**
   * Skiff runs as root and the step must be switched to `uid`/`gid` inside the sandbox; otherwise
   * the step runs as Skiff's own user, which is unprivileged already.
   */
  switchUser: boolean;
}

/**
 * The id a step runs as when Skiff runs as root: outside the ranges Debian gives to system
 * accounts (below 1000) and to people (1000–59999), so no account's files are the step's.
 */
export const DEFAULT_SANDBOX_UID = 64123;

/**
 * Who steps run as: with Skiff run by root, `SKIFF_SANDBOX_UID` (`UID` or `UID:GID`, default
 * 64123:64123), an unprivileged id that must own nothing else on the machine; with Skiff run by a
 * normal user, that user (the setting is then ignored: only root can give a process another id).
 *
 * @example sandboxIdentity({ SKIFF_SANDBOX_UID: '70000:70000' }) // as root: { uid: 70000, gid: 70000, switchUser: true }
 */
export function sandboxIdentity(
  env: NodeJS.ProcessEnv = process.env,
  ownUid: number = process.getuid?.() ?? 0,
  ownGid: number = process.getgid?.() ?? 0,
): SandboxIdentity {
  if (ownUid !== 0) return { uid: ownUid, gid: ownGid, switchUser: false };
  const setting = env.SKIFF_SANDBOX_UID?.trim();
  if (!setting) return { uid: DEFAULT_SANDBOX_UID, gid: DEFAULT_SANDBOX_UID, switchUser: true };
  const match = /^(\d+)(?::(\d+))?$/.exec(setting);
  const uid = Number(match?.[1]);
  const gid = Number(match?.[2] ?? match?.[1]);
  if (!match || uid === 0 || gid === 0 || uid > 0xfffffffe || gid > 0xfffffffe) {
    throw new Error(`SKIFF_SANDBOX_UID="${setting}" is not an unprivileged id: give UID or UID:GID, neither 0`);
  }
  return { uid, gid, switchUser: true };
}

/**
 * Makes a directory Skiff created writable for the steps (emptyDir and claim directories, the
 * pod's run volume, local artifact repositories): only needed when steps run as another user.
 */
export async function handToSandbox(path: string, identity: SandboxIdentity): Promise<void> {
  if (identity.switchUser) await chown(path, identity.uid, identity.gid);
}

/**
 * handToSandbox for a directory and everything in it (a local artifact repository that Skiff, or
 * an earlier version of it that ran steps as root, has written to already).
 */
export async function handTreeToSandbox(path: string, identity: SandboxIdentity): Promise<void> {
  if (!identity.switchUser) return;
  await lchown(path, identity.uid, identity.gid);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await handTreeToSandbox(child, identity);
    else await lchown(child, identity.uid, identity.gid);
  }
}

/** mkdir -p whose every directory it makes is handed to the sandbox user (see handToSandbox). */
export async function makeSandboxDir(path: string, identity: SandboxIdentity): Promise<void> {
  const first = await mkdir(path, { recursive: true });
  if (first === undefined) return;
  for (let dir = path; dir !== dirname(first); dir = dirname(dir)) await handToSandbox(dir, identity);
}

/**
 * makeSandboxDir for a directory the steps may be making at the same moment (the run volume's
 * `ctr/`, where each container's wrapper makes its own directory): a level made here and handed
 * over after would be Skiff's for an instant, and a step's `mkdir` inside it then would fail. So
 * each missing level is made aside, handed over, and renamed into place; a level someone made
 * meanwhile is kept (a rename over an empty directory replaces it, which a step's next step
 * inside it does not notice).
 */
export async function makeSharedSandboxDir(path: string, identity: SandboxIdentity): Promise<void> {
  if (!identity.switchUser) {
    await mkdir(path, { recursive: true });
    return;
  }
  const missing: string[] = [];
  for (let dir = path; !(await isDirectory(dir)); dir = dirname(dir)) missing.unshift(dir);
  for (const dir of missing) {
    const aside = await mkdtemp(join(dirname(dir), `.${basename(dir)}-`));
    await chmod(aside, 0o755); // as mkdir makes it (mkdtemp's is 0700)
    await handToSandbox(aside, identity);
    try {
      await rename(aside, dir);
    } catch (error) {
      await rm(aside, { recursive: true, force: true });
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    }
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() === true;
}
