import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { type LayerFile, writeLayer } from './oci-archive.js';

const run = promisify(execFile);

/** Where a build reads the program from and keeps its layers. */
export interface ImageSources {
  /** The repository: package.json, package-lock.json, node_modules, bin/ and the compiled dist/src. */
  readonly repoRoot: string;
  /** Layers and archives, keyed by their inputs (the test environment's `.cache/node`). */
  readonly cacheDir: string;
}

/** Where the static busybox sits in every image built here, so it can be copied into other pods. */
export const IMAGE_BUSYBOX_PATH = '/bin/busybox';
/** The Node.js runtime in Skiff's image. */
export const IMAGE_NODE_PATH = '/usr/local/bin/node';
/** Skiff's command in its image (also on PATH as `skiff`). */
export const IMAGE_SKIFF_BIN = '/skiff/bin/skiff.js';

/** The production Node.js major version the Skiff image carries (scripts/node-lts.sh installs it). */
const NODE_MAJOR = '24';

export const shortHash = (...parts: readonly string[]): string => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 16);
};

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Builds a layer from a staging directory filled by `fill`, unless the layer for `key` exists. */
async function cachedLayer(sources: ImageSources, kind: string, key: string, fill: (root: string) => Promise<void>): Promise<LayerFile> {
  const path = join(sources.cacheDir, 'layers', `${kind}-${key}.tar`);
  const digestPath = `${path}.digest`;
  if ((await exists(path)) && (await exists(digestPath))) {
    return { path, digest: (await readFile(digestPath, 'utf8')).trim(), size: (await stat(path)).size };
  }
  await removeStale(join(sources.cacheDir, 'layers'), `${kind}-`);
  await mkdir(join(sources.cacheDir, 'stage'), { recursive: true });
  const root = await mkdtemp(join(sources.cacheDir, 'stage', `${kind}-`));
  try {
    await fill(root);
    const layer = await writeLayer(root, path);
    await writeFile(digestPath, layer.digest);
    return layer;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Older builds of the same layer or image are removed, so the cache holds one of each. */
export async function removeStale(dir: string, prefix: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => rm(join(dir, n), { force: true })));
}

/** A hard link where possible (same filesystem, no copy), a copy otherwise. */
async function place(source: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  await run('cp', ['-a', '--link', source, target]).catch(() => run('cp', ['-a', source, target]));
}

/** Debian's static busybox (scripts/busybox-static.sh unpacks it) with every applet linked, and a /tmp. */
export async function busyboxLayer(sources: ImageSources): Promise<{ layer: LayerFile; version: string }> {
  const unpacked = join(sources.cacheDir, 'busybox');
  const binary = join(unpacked, 'bin', 'busybox');
  if (!existsSync(binary)) throw new Error(`${binary} is missing; run scripts/busybox-static.sh`);
  const version = (await readFile(join(unpacked, '.version'), 'utf8')).trim();
  const layer = await cachedLayer(sources, 'busybox', shortHash(version), async (root) => {
    await mkdir(join(root, 'bin'), { recursive: true });
    await copyFile(binary, join(root, 'bin', 'busybox'));
    await chmod(join(root, 'bin', 'busybox'), 0o755);
    const { stdout } = await run(binary, ['--list-full']);
    for (const applet of stdout.split('\n').filter((l) => l !== '' && l !== 'bin/busybox')) {
      await mkdir(join(root, dirname(applet)), { recursive: true });
      await symlink(IMAGE_BUSYBOX_PATH, join(root, applet));
    }
    // Programs expect a writable /tmp; the kubelet mounts /etc/hosts and /etc/resolv.conf itself.
    await mkdir(join(root, 'tmp'));
    await chmod(join(root, 'tmp'), 0o1777);
  });
  // Debian's version is epoch:upstream-revision; the upstream part makes a readable tag.
  return { layer, version: version.replace(/^\d+:/, '').replace(/-.*$/, '') };
}

/** The Node.js 24 binary scripts/node-lts.sh installs, and the shared libraries it loads. */
export async function nodeRuntimeLayer(sources: ImageSources): Promise<LayerFile> {
  const { stdout: nodePath } = await run('bash', [join(sources.repoRoot, 'scripts', 'node-lts.sh'), NODE_MAJOR], { cwd: sources.repoRoot });
  const node = nodePath.trim();
  const { stdout: ldd } = await run('ldd', [node]);
  // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)".
  const libs = [...ldd.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((m) => m[1] as string);
  const fingerprint: string[] = [node, String((await stat(node)).size)];
  for (const lib of libs) {
    const info = await stat(lib);
    fingerprint.push(lib, String(info.size), String(info.mtimeMs));
  }
  return cachedLayer(sources, 'node-runtime', shortHash(...fingerprint), async (root) => {
    await mkdir(join(root, dirname(IMAGE_NODE_PATH)), { recursive: true });
    await copyFile(node, join(root, IMAGE_NODE_PATH));
    await chmod(join(root, IMAGE_NODE_PATH), 0o755);
    // Each library at the path the binary asks for, as a regular file (the host's may be links).
    for (const lib of libs) {
      await mkdir(join(root, dirname(lib)), { recursive: true });
      await copyFile(await realpath(lib), join(root, lib));
      await chmod(join(root, lib), 0o755);
    }
  });
}

// Type declarations and source maps are two thirds of the dependencies' bytes and never run.
const NOT_RUN = ['*.d.ts', '*.d.mts', '*.d.cts', '*.map'];

/** Production dependencies only: every package-lock.json entry not marked dev, from node_modules. */
export async function dependenciesLayer(sources: ImageSources): Promise<LayerFile> {
  const lockText = await readFile(join(sources.repoRoot, 'package-lock.json'), 'utf8');
  const modules = join(sources.repoRoot, 'node_modules');
  if (!existsSync(modules)) throw new Error(`${modules} is missing; install the dependencies first (npm ci)`);
  return cachedLayer(sources, 'skiff-deps', shortHash(lockText, ...NOT_RUN), async (root) => {
    const lock = JSON.parse(lockText) as { packages: Record<string, { dev?: boolean }> };
    const installed = await realpath(modules);
    // Top-level entries carry their nested node_modules with them.
    const tops = Object.entries(lock.packages)
      .filter(([key, entry]) => key.startsWith('node_modules/') && entry.dev !== true && !key.slice('node_modules/'.length).includes('/node_modules/'))
      .map(([key]) => key.slice('node_modules/'.length));
    for (const name of tops) {
      const source = join(installed, name);
      // Optional packages for other platforms are in the lock but not on disk.
      if (await exists(source)) await place(source, join(root, 'skiff', 'node_modules', name));
    }
    // The staged files are links or copies: deleting them leaves node_modules alone.
    const names = NOT_RUN.flatMap((pattern, i) => [...(i > 0 ? ['-o'] : []), '-name', pattern]);
    await run('find', [join(root, 'skiff', 'node_modules'), '-type', 'f', '(', ...names, ')', '-delete']);
  });
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.endsWith('.map'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** The compiled program: package.json (it makes dist/ ES modules), bin/skiff.js and dist/src. */
export async function applicationLayer(sources: ImageSources): Promise<LayerFile> {
  const { repoRoot } = sources;
  const dist = join(repoRoot, 'dist', 'src');
  if (!existsSync(dist)) throw new Error(`${dist} is missing; build first (npx tsc -p tsconfig.json)`);
  const files = [join(repoRoot, 'package.json'), join(repoRoot, 'bin', 'skiff.js'), ...(await filesUnder(dist))];
  const hash = createHash('sha256');
  for (const file of files)
    hash
      .update(relative(repoRoot, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  return cachedLayer(sources, 'skiff-app', hash.digest('hex').slice(0, 16), async (root) => {
    for (const file of files) {
      const target = join(root, 'skiff', relative(repoRoot, file));
      await mkdir(dirname(target), { recursive: true });
      await copyFile(file, target);
    }
    await chmod(join(root, 'skiff', 'bin', 'skiff.js'), 0o755);
    await mkdir(join(root, 'usr', 'local', 'bin'), { recursive: true });
    await symlink(IMAGE_SKIFF_BIN, join(root, 'usr', 'local', 'bin', 'skiff'));
  });
}
