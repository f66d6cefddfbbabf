import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, relative, sep } from 'node:path';

export interface ReplaceFileOptions {
  /** Permission bits of the file. Default 0o644. */
  mode?: number;
  /**
   * A directory no container can replace (a volume's mount point): every directory between it
   * and the file is made a real directory, a link or file in its place removed. Without it, the
   * file's directory is created if missing and otherwise taken as it is.
   */
  under?: string;
}

/**
 * Writes `data` as the file `path` in a volume the user's containers can write to (the pod's run
 * volume), without writing through anything planted there: the data goes to a new file (created
 * exclusively, so never through a link) that is then renamed over `path` (which replaces a link
 * rather than following it). A reader sees the old file or the whole new one.
 *
 * @example
 *   await replaceFile('/argo/run/report.json', JSON.stringify(report));
 *   await replaceFile('/argo/run/staging/script', source, { mode: 0o755, under: '/argo/run' });
 */
export async function replaceFile(path: string, data: string, options: ReplaceFileOptions = {}): Promise<void> {
  const dir = dirname(path);
  if (options.under !== undefined) await ensureRealDirectories(options.under, dir);
  else await mkdir(dir, { recursive: true });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', options.mode ?? 0o644);
  try {
    await handle.writeFile(data);
    // The umask may have taken bits the caller asked for (a script's execute bits).
    await handle.chmod(options.mode ?? 0o644);
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temp, path);
}

async function ensureRealDirectories(under: string, dir: string): Promise<void> {
  const rest = relative(under, dir);
  if (rest === '' || rest.startsWith('..')) return;
  let current = under;
  for (const part of rest.split(sep)) {
    current = `${current}${sep}${part}`;
    const info = await lstat(current).catch(() => undefined);
    if (info?.isDirectory()) continue;
    // rm removes a link itself, never what it names.
    if (info) await rm(current, { recursive: true, force: true });
    await mkdir(current);
  }
}
