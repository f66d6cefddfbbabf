import { constants } from 'node:fs';
import { type FileHandle, lstat, open, readlink, realpath } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { openedPath } from '../artifacts/archive/opened-path.js';

/** What was found at a path in the pod's shared run volume. */
export type StepFile =
  | { kind: 'missing' }
  | { kind: 'file'; text: string }
  /** A symbolic link, with its target as written: never followed. */
  | { kind: 'link'; target: string }
  /** A directory, FIFO, socket or device. */
  | { kind: 'other' };

/** A FIFO must not block the read, and a link must not be followed. */
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * Reads a file the user's containers left in the pod's shared run volume (an output parameter's
 * copy, stdout, an exit code) without following a link. The step can write anything there, and
 * the wait container sees more than the step does (the artifact repository's Secrets, on this
 * machine Skiff's own files): a link followed here would read that instead. So a link is reported
 * as a link with its target, never opened, and so is anything that is not a regular file.
 * `under` is the volume's mount point, which no container can replace: the directories between
 * it and the file are checked too (see `assertRealDirectories`). `limit` caps the bytes read.
 *
 * @example
 *   const found = await readStepFile('/argo/run/outputs/parameters/p', { under: '/argo/run' });
 *   if (found.kind === 'link') throw new Error(`a link to ${found.target}`);
 */
export async function readStepFile(path: string, options: { under?: string; limit?: number } = {}): Promise<StepFile> {
  const { under, limit } = options;
  if (under !== undefined) await assertRealDirectories(under, dirname(path));
  let handle: FileHandle;
  try {
    handle = await open(path, READ_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ELOOP') return { kind: 'link', target: await readlink(path).catch(() => '') };
    throw error;
  }
  try {
    if (under !== undefined) {
      // A directory on the way swapped for a link after it was checked: the kernel's path tells.
      const reached = await openedPath(handle.fd);
      if (reached !== undefined && reached !== join(await realpath(under), relative(under, path))) {
        throw new Error(`${path} in the pod's run volume was reached through a link (it is ${reached}); links there are not followed`);
      }
    }
    if (!(await handle.stat()).isFile()) return { kind: 'other' };
    if (limit === undefined) return { kind: 'file', text: await handle.readFile('utf8') };
    const buffer = Buffer.alloc(limit);
    const { bytesRead } = await handle.read(buffer, 0, limit, 0);
    return { kind: 'file', text: buffer.subarray(0, bytesRead).toString('utf8') };
  } finally {
    await handle.close();
  }
}

/**
 * Throws unless every directory from `under` (excluded) down to `dir` is a directory or absent:
 * O_NOFOLLOW guards only a path's last name, and a step that made `outputs/parameters` a link to
 * a Secret's directory would otherwise have its key read as a parameter.
 */
export async function assertRealDirectories(under: string, dir: string): Promise<void> {
  const rest = relative(under, dir);
  if (rest === '' || rest === '..' || rest.startsWith(`..${sep}`)) return;
  let current = under;
  for (const part of rest.split(sep)) {
    current = `${current}${sep}${part}`;
    const info = await lstat(current).catch(() => undefined);
    if (!info) return;
    if (info.isSymbolicLink()) {
      throw new Error(`${current} in the pod's run volume was replaced by a link to ${JSON.stringify(await readlink(current))}; links there are not followed`);
    }
    if (!info.isDirectory()) throw new Error(`${current} in the pod's run volume is not a directory`);
  }
}
