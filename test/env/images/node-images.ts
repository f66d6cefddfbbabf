import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../kube/kube-binaries.js';
import { acquireFileLock } from '../tools/file-lock.js';
import { type LayerFile, type ImageRuntimeConfig, writeLayer, writeOciArchive } from './oci-archive.js';

const run = promisify(execFile);

/** An image archive ready for `ctr images import`, and the reference it is imported under. */
export interface BuiltImage {
  /** The full image reference pods use, e.g. `skiff.test/busybox:1.35.0`. */
  readonly name: string;
  /** An OCI image layout tar. */
  readonly archive: string;
}

/** The images every test node has imported. */
export interface NodeImages {
  /** Debian's static busybox with every applet linked in /bin, /sbin, /usr/bin, /usr/sbin. */
  readonly busybox: BuiltImage;
  /** The CRI sandbox image: a busybox shell that reaps children and exits on SIGTERM. */
  readonly pause: BuiltImage;
  /** Skiff itself: entrypoint `node /skiff/bin/skiff.js`, `skiff` on PATH, busybox at /bin/busybox. */
  readonly skiff: BuiltImage;
}

/** Where the static busybox sits in every image built here, so it can be copied into other pods. */
export const IMAGE_BUSYBOX_PATH = '/bin/busybox';
/** The Node.js runtime in Skiff's image. */
export const IMAGE_NODE_PATH = '/usr/local/bin/node';
/** Skiff's command in its image (also on PATH as `skiff`). */
export const IMAGE_SKIFF_BIN = '/skiff/bin/skiff.js';

/** The production Node.js major version the Skiff image carries (scripts/node-lts.sh installs it). */
const NODE_MAJOR = '24';
const IMAGE_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
// The sandbox keeps a pod's namespaces alive. As PID 1 a shell reaps every child it inherits while it
// waits; `exit 0` on TERM ends the pod at once (the kubelet stops sandboxes with SIGTERM).
const PAUSE_SCRIPT = "trap 'exit 0' TERM INT; while :; do sleep 86400 & wait $!; done";

const cacheDir = (): string => join(process.env.SKIFF_CACHE_DIR ?? join(REPO_ROOT, '.cache'), 'node');

const shortHash = (...parts: readonly string[]): string => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 16);
};

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Builds a layer from a staging directory filled by `fill`, unless the layer for `key` exists. */
async function cachedLayer(kind: string, key: string, fill: (root: string) => Promise<void>): Promise<LayerFile> {
  const path = join(cacheDir(), 'layers', `${kind}-${key}.tar`);
  const digestPath = `${path}.digest`;
  if ((await exists(path)) && (await exists(digestPath))) {
    return { path, digest: (await readFile(digestPath, 'utf8')).trim(), size: (await stat(path)).size };
  }
  await removeStale(join(cacheDir(), 'layers'), `${kind}-`);
  await mkdir(join(cacheDir(), 'stage'), { recursive: true });
  const root = await mkdtemp(join(cacheDir(), 'stage', `${kind}-`));
  try {
    await fill(root);
    const layer = await writeLayer(root, path);
    await writeFile(digestPath, layer.digest);
    return layer;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

// Older builds of the same layer or image are removed, so the cache holds one of each.
async function removeStale(dir: string, prefix: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => rm(join(dir, n), { force: true })));
}

/** A hard link where possible (same filesystem, no copy), a copy otherwise. */
async function place(source: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  await run('cp', ['-a', '--link', source, target]).catch(() => run('cp', ['-a', source, target]));
}

async function busyboxLayer(): Promise<{ layer: LayerFile; version: string }> {
  const unpacked = join(cacheDir(), 'busybox');
  const binary = join(unpacked, 'bin', 'busybox');
  if (!existsSync(binary)) throw new Error(`${binary} is missing; run test/env/install-node.sh`);
  const version = (await readFile(join(unpacked, '.version'), 'utf8')).trim();
  const layer = await cachedLayer('busybox', shortHash(version), async (root) => {
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
async function nodeRuntimeLayer(): Promise<LayerFile> {
  const { stdout: nodePath } = await run('bash', [join(REPO_ROOT, 'scripts', 'node-lts.sh'), NODE_MAJOR], { cwd: REPO_ROOT });
  const node = nodePath.trim();
  const { stdout: ldd } = await run('ldd', [node]);
  // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)".
  const libs = [...ldd.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((m) => m[1] as string);
  const fingerprint: string[] = [node, String((await stat(node)).size)];
  for (const lib of libs) {
    const info = await stat(lib);
    fingerprint.push(lib, String(info.size), String(info.mtimeMs));
  }
  return cachedLayer('node-runtime', shortHash(...fingerprint), async (root) => {
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
async function dependenciesLayer(): Promise<LayerFile> {
  const lockText = await readFile(join(REPO_ROOT, 'package-lock.json'), 'utf8');
  return cachedLayer('skiff-deps', shortHash(lockText, ...NOT_RUN), async (root) => {
    const lock = JSON.parse(lockText) as { packages: Record<string, { dev?: boolean }> };
    const modules = await realpath(join(REPO_ROOT, 'node_modules'));
    // Top-level entries carry their nested node_modules with them.
    const tops = Object.entries(lock.packages)
      .filter(([key, entry]) => key.startsWith('node_modules/') && entry.dev !== true && !key.slice('node_modules/'.length).includes('/node_modules/'))
      .map(([key]) => key.slice('node_modules/'.length));
    for (const name of tops) {
      const source = join(modules, name);
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
async function applicationLayer(): Promise<LayerFile> {
  const dist = join(REPO_ROOT, 'dist', 'src');
  if (!existsSync(dist)) throw new Error(`${dist} is missing; build first (npx tsc -p tsconfig.json)`);
  const files = [join(REPO_ROOT, 'package.json'), join(REPO_ROOT, 'bin', 'skiff.js'), ...(await filesUnder(dist))];
  const hash = createHash('sha256');
  for (const file of files)
    hash
      .update(relative(REPO_ROOT, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  return cachedLayer('skiff-app', hash.digest('hex').slice(0, 16), async (root) => {
    for (const file of files) {
      const target = join(root, 'skiff', relative(REPO_ROOT, file));
      await mkdir(dirname(target), { recursive: true });
      await copyFile(file, target);
    }
    await chmod(join(root, 'skiff', 'bin', 'skiff.js'), 0o755);
    await mkdir(join(root, 'usr', 'local', 'bin'), { recursive: true });
    await symlink(IMAGE_SKIFF_BIN, join(root, 'usr', 'local', 'bin', 'skiff'));
  });
}

/** Writes the archive of `name` unless one with the same layers and config exists. */
async function cachedImage(name: string, layers: readonly LayerFile[], runtime: ImageRuntimeConfig): Promise<BuiltImage> {
  const base = name.replace(/[^A-Za-z0-9.-]+/g, '_');
  const key = shortHash(name, JSON.stringify(runtime), ...layers.map((l) => l.digest));
  const archive = join(cacheDir(), 'images', `${base}-${key}.tar`);
  if (!(await exists(archive))) {
    await removeStale(join(cacheDir(), 'images'), `${base}-`);
    await writeOciArchive(archive, name, layers, runtime);
  }
  return { name, archive };
}

/**
 * Builds (or finds in `.cache/node/`) the test node's images: busybox, the sandbox image and Skiff's
 * own image from the compiled `dist/`. Each layer is keyed by a hash of its inputs, so a second run
 * rebuilds nothing and a change to `dist/` rebuilds only the small application layer.
 */
export async function buildNodeImages(): Promise<NodeImages> {
  const lock = await acquireFileLock(join(cacheDir(), '.images.lock'), { what: 'building the test node images' });
  try {
    const { layer: busybox, version } = await busyboxLayer();
    const [nodeRuntime, deps, app] = [await nodeRuntimeLayer(), await dependenciesLayer(), await applicationLayer()];
    return {
      busybox: await cachedImage(`skiff.test/busybox:${version}`, [busybox], { cmd: ['sh'], env: [IMAGE_PATH_ENV] }),
      pause: await cachedImage('skiff.test/pause:1', [busybox], { entrypoint: [IMAGE_BUSYBOX_PATH, 'sh', '-c', PAUSE_SCRIPT], env: [IMAGE_PATH_ENV] }),
      skiff: await cachedImage('skiff.test/skiff:test', [busybox, nodeRuntime, deps, app], {
        entrypoint: [IMAGE_NODE_PATH, IMAGE_SKIFF_BIN],
        env: [IMAGE_PATH_ENV],
        workingDir: '/skiff',
      }),
    };
  } finally {
    await lock.release();
  }
}
