import { randomBytes } from 'node:crypto';
import { constants, createReadStream, type Dirent } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { join, posix, resolve } from 'node:path';
import { ArtifactError } from '../artifact-error.js';
import type { ObjectInfo, ObjectStore, OnBytes } from '../object-store.js';

/** Uploads land here first and are renamed into place, so a reader never sees half an object. */
const TEMP_PREFIX = '.skiff-upload-';

/**
 * An artifact repository that is a directory on this machine: key `a/b/c` is the file
 * `<root>/a/b/c`. Skiff's embedded default repository (under the state directory) when nothing
 * else is configured, and the store of local runs.
 *
 * @example
 *   const store = new DirectoryObjectStore('/home/me/.skiff/artifacts');
 */
export class DirectoryObjectStore implements ObjectStore {
  readonly root: string;
  readonly description: string;

  /** `onBytes` is told each file's size once it is copied in or out, and each chunk streamed. */
  constructor(
    root: string,
    private readonly onBytes: OnBytes = () => undefined,
  ) {
    this.root = resolve(root);
    this.description = `directory ${this.root}`;
  }

  async putFile(key: string, path: string): Promise<void> {
    const target = this.pathOf(key);
    await this.replace(target, async (temp) => {
      try {
        await copyFile(path, temp, constants.COPYFILE_FICLONE);
        this.onBytes((await stat(temp)).size);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ArtifactError('not-found', `${path}: no such file`, { cause: err });
        throw err;
      }
    });
  }

  async putStream(key: string, body: AsyncIterable<Uint8Array>): Promise<void> {
    const target = this.pathOf(key);
    await this.replace(target, async (temp) => {
      const handle = await open(temp, 'w', 0o644);
      try {
        for await (const chunk of body) {
          let written = 0;
          while (written < chunk.length) written += (await handle.write(chunk, written, chunk.length - written)).bytesWritten;
          this.onBytes(chunk.length);
        }
      } finally {
        await handle.close();
      }
    });
  }

  async openRead(key: string): Promise<AsyncIterable<Buffer>> {
    const path = this.pathOf(key);
    await this.requireFile(key, path);
    const onBytes = this.onBytes;
    return (async function* () {
      for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
        onBytes(chunk.length);
        yield chunk;
      }
    })();
  }

  async getFile(key: string, path: string): Promise<void> {
    const source = this.pathOf(key);
    await this.requireFile(key, source);
    await copyFile(source, path, constants.COPYFILE_FICLONE);
    this.onBytes((await stat(path)).size);
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const dir = prefix === '' || prefix.endsWith('/') ? prefix.replace(/\/+$/, '') : posix.dirname(prefix);
    const start = dir === '.' || dir === '' ? this.root : this.pathOf(dir);
    const walk = async function* (abs: string, rel: string): AsyncGenerator<ObjectInfo> {
      let entries: Dirent[];
      try {
        entries = await readdir(abs, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
        throw err;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        if (entry.name.startsWith(TEMP_PREFIX)) continue;
        const key = rel === '' ? entry.name : `${rel}/${entry.name}`;
        const path = join(abs, entry.name);
        if (entry.isDirectory()) {
          if (prefix.startsWith(`${key}/`) || `${key}/`.startsWith(prefix) || key.startsWith(prefix)) yield* walk(path, key);
        } else if (entry.isFile() && key.startsWith(prefix)) {
          yield { key, size: (await stat(path)).size };
        }
      }
    };
    yield* walk(start, dir === '.' ? '' : dir);
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await rm(path, { force: true });
    } catch (err) {
      // A directory is not an object: its files are deleted by key.
      if ((err as NodeJS.ErrnoException).code !== 'EISDIR' && (err as NodeJS.ErrnoException).code !== 'ERR_FS_EISDIR') throw err;
    }
    // Leave no empty directories behind, so a deleted directory artifact disappears entirely.
    for (let dir = posix.dirname(key); dir !== '.' && dir !== ''; dir = posix.dirname(dir)) {
      try {
        await rmdir(this.pathOf(dir));
      } catch {
        break;
      }
    }
  }

  /** The file of `key`; refuses keys that would leave the root. */
  private pathOf(key: string): string {
    const parts = key.split('/').filter((part) => part !== '' && part !== '.');
    if (parts.length === 0 || parts.includes('..') || key.includes('\0') || key.startsWith('/')) {
      throw new ArtifactError('config', `invalid artifact key ${JSON.stringify(key)} for ${this.description}`);
    }
    return join(this.root, ...parts);
  }

  private async requireFile(key: string, path: string): Promise<void> {
    try {
      if ((await stat(path)).isFile()) return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
    }
    throw new ArtifactError('not-found', `artifact ${JSON.stringify(key)} not found in ${this.description}`);
  }

  private async replace(target: string, write: (temp: string) => Promise<void>): Promise<void> {
    const dir = posix.dirname(target);
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
    try {
      await write(temp);
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }
}
