import { existsSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CONTAINER_PATH } from './sandbox.js';

/** Where the shims directory appears in a sandbox; it comes last on PATH, so real programs win. */
export const SHIMS_PATH = '/skiff/shims';

/**
 * Names images always have that some hosts lack, and what stands in for them. `nc`: the BusyBox
 * nc of alpine and busybox images takes `-l -k -p PORT -e PROG`; of Debian's programs only Nmap's
 * ncat takes them all (Debian's busybox nc has no `-k`, netcat-openbsd no `-e`).
 */
const ALIASES: Record<string, string[]> = { python: ['python3'], pip: ['pip3'], nc: ['ncat'] };

/**
 * Makes `dir` hold the aliases this host lacks (the `python` of a python image, when the host has
 * only `python3`), so a step written for the image finds its command. Returns the directory, or
 * undefined when the host needs none.
 */
export async function ensureHostShims(dir: string, searchPath: string = CONTAINER_PATH): Promise<string | undefined> {
  const find = (name: string): string | undefined =>
    searchPath
      .split(':')
      .map((d) => join(d, name))
      .find((p) => existsSync(p));
  let made = false;
  for (const [alias, targets] of Object.entries(ALIASES)) {
    if (find(alias)) continue;
    const target = targets.map(find).find((p) => p !== undefined);
    if (!target) continue;
    await mkdir(dir, { recursive: true });
    if (!existsSync(join(dir, alias)))
      await symlink(target, join(dir, alias)).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
    made = true;
  }
  return made || existsSync(dir) ? dir : undefined;
}
