import { readlink } from 'node:fs/promises';

/**
 * The path the kernel reached an open file by (Linux's /proc/self/fd), or `undefined` where that
 * cannot be told. A reader that checked a path's directories for links and then opened it learns
 * here whether one was swapped in between: the path differs from the one it checked.
 *
 * @example
 *   const handle = await open('/argo/run/outputs/parameters/p', flags);
 *   if ((await openedPath(handle.fd)) !== '/argo/run/outputs/parameters/p') throw new Error('moved');
 */
export async function openedPath(fd: number): Promise<string | undefined> {
  return readlink(`/proc/self/fd/${fd}`).catch(() => undefined);
}
