import { constants } from 'node:fs';
import { chmod, lutimes, mkdir, open, symlink, utimes } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { ArtifactError } from '../artifact-error.js';
import { linkStaysInside } from './link-stays-inside.js';
import { readTar, type TarEntry } from './read-tar.js';

export interface ExtractStats {
  entries: number;
  bytes: number;
  /** First path components of what was extracted (Argo's single-entry rule looks at these). */
  topLevel: string[];
}

const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;

/**
 * Extracts an uncompressed tar stream into `dest`, an existing empty directory, refusing anything
 * that could write outside it: absolute names, `..` that climbs out, entries under a symbolic link,
 * links whose target leaves the tree (judged against the tree the caller will keep: the single
 * top-level entry when there is only one, as Argo then keeps only that), hard links, devices and
 * FIFOs. A refusal throws `ArtifactError('unsafe')` naming the entry; what was written stays in
 * `dest` for the caller to remove. Setuid/setgid/sticky bits are dropped.
 *
 * @example
 *   await mkdir(tmp); await extractTar(createReadStream('a.tar'), tmp);
 */
export async function extractTar(source: AsyncIterable<Uint8Array>, dest: string): Promise<ExtractStats> {
  const stats: ExtractStats = { entries: 0, bytes: 0, topLevel: [] };
  const topLevel = new Set<string>();
  const madeDirs = new Set<string>(['']);
  const symlinks = new Map<string, TarEntry>();
  const directories: Array<{ path: string; mode: number; mtime: number }> = [];

  const ensureParent = async (relative: string): Promise<void> => {
    const parent = posix.dirname(relative);
    if (parent === '.' || madeDirs.has(parent)) return;
    await mkdir(join(dest, parent), { recursive: true });
    for (let p = parent; p !== '.' && !madeDirs.has(p); p = posix.dirname(p)) madeDirs.add(p);
  };

  for await (const entry of readTar(source)) {
    const relative = safeRelativeName(entry);
    if (relative === undefined) continue; // `./`: the archive's root directory itself
    const through = linkOnPath(relative, symlinks, entry.type === 'symlink');
    if (through !== undefined) throw unsafe(entry, `it would be written through the symbolic link ${JSON.stringify(through)}`);
    topLevel.add(relative.split('/')[0]!);
    stats.entries++;
    switch (entry.type) {
      case 'directory': {
        await mkdir(join(dest, relative), { recursive: true });
        madeDirs.add(relative);
        directories.push({ path: relative, mode: entry.mode & 0o777, mtime: entry.mtime });
        break;
      }
      case 'file': {
        await ensureParent(relative);
        const target = join(dest, relative);
        const handle = await open(target, WRITE_FLAGS, 0o600).catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'ELOOP') throw unsafe(entry, 'a symbolic link is in its place');
          throw err;
        });
        try {
          for await (const chunk of entry.body) {
            let written = 0;
            while (written < chunk.length) written += (await handle.write(chunk, written, chunk.length - written)).bytesWritten;
            stats.bytes += chunk.length;
          }
          await handle.chmod(entry.mode & 0o777);
        } finally {
          await handle.close();
        }
        await utimes(target, entry.mtime, entry.mtime);
        break;
      }
      case 'symlink':
        // Created last, once all names are known, so nothing is ever written through one.
        symlinks.set(relative, entry);
        break;
      case 'hardlink':
        throw unsafe(entry, `hard links are not supported in artifacts (it links to ${JSON.stringify(entry.linkname)})`);
      case 'character-device':
      case 'block-device':
        throw unsafe(entry, 'device files are not allowed in artifacts');
      case 'fifo':
        throw unsafe(entry, 'FIFOs are not allowed in artifacts');
      default:
        throw new ArtifactError(
          'unsupported',
          `cannot extract tar entry ${JSON.stringify(entry.name)}: unsupported entry type ${JSON.stringify(entry.typeflag)}`,
        );
    }
  }

  // With a single top-level entry the caller keeps only that entry, so links must stay inside it.
  const root = topLevel.size === 1 ? [...topLevel][0]! : '';
  for (const [relative, entry] of symlinks) {
    checkLinkTarget(entry, relative, root);
    await ensureParent(relative);
    await symlink(entry.linkname, join(dest, relative)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') throw unsafe(entry, 'a file or directory of the same name is already in the archive');
      throw err;
    });
    await lutimes(join(dest, relative), entry.mtime, entry.mtime).catch(() => undefined);
  }
  // Deepest first, so a read-only directory is locked only after its contents are written.
  for (const dir of directories.reverse()) {
    const path = join(dest, dir.path);
    await chmod(path, dir.mode | 0o700);
    await utimes(path, dir.mtime, dir.mtime);
  }
  stats.topLevel = [...topLevel].sort();
  return stats;
}

/** A symbolic link of the archive that `relative` is, or lies under (a link may be given again). */
function linkOnPath(relative: string, symlinks: Map<string, TarEntry>, isLink: boolean): string | undefined {
  if (!isLink && symlinks.has(relative)) return relative;
  for (let i = relative.indexOf('/'); i > 0; i = relative.indexOf('/', i + 1)) {
    const prefix = relative.slice(0, i);
    if (symlinks.has(prefix)) return prefix;
  }
  return undefined;
}

/** The entry's path relative to the destination, or `undefined` for the root itself. */
function safeRelativeName(entry: TarEntry): string | undefined {
  const name = entry.name;
  if (name.includes('\0')) throw unsafe(entry, 'its name contains a NUL byte');
  if (name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name)) throw unsafe(entry, 'absolute paths are not allowed');
  if (name.split('/').includes('..')) throw unsafe(entry, 'it climbs out of the target directory with ".."');
  const normalized = posix.normalize(name).replace(/\/+$/, '');
  if (normalized === '.' || normalized === '') return undefined;
  return normalized.replace(/^\.\//, '');
}

function checkLinkTarget(entry: TarEntry, relative: string, root: string): void {
  const target = entry.linkname;
  if (target === '') throw unsafe(entry, 'the symbolic link has no target');
  if (target.startsWith('/')) throw unsafe(entry, `the symbolic link points to the absolute path ${JSON.stringify(target)}`);
  if (!linkStaysInside(relative, target, root)) throw unsafe(entry, `the symbolic link points outside the artifact (to ${JSON.stringify(target)})`);
}

function unsafe(entry: TarEntry, why: string): ArtifactError {
  return new ArtifactError('unsafe', `refusing to extract tar entry ${JSON.stringify(entry.name)}: ${why}`);
}
