import { mkdir, open, type FileHandle } from 'node:fs/promises';

/**
 * Modes of what the state layer writes. A state directory holds Secrets (objects/), the runs'
 * parameters and what their steps printed, so only its owner may read it. Files and folders are
 * created with these modes, never chmod'ed afterwards: there is no moment in which another user
 * could open them.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Creates a folder (and any missing parents, the state directory itself included) owner-only. */
export async function makePrivateDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Opens a file owner-only (`flags` as fs.open: 'w', 'a', 'wx'). */
export function openPrivate(path: string, flags: string): Promise<FileHandle> {
  return open(path, flags, PRIVATE_FILE_MODE);
}

/** Writes a whole file owner-only. */
export async function writePrivateFile(path: string, text: string, flags = 'w'): Promise<void> {
  const handle = await openPrivate(path, flags);
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
}
