import { join } from 'node:path';
import { exists, IMAGE_BUSYBOX_PATH, removeStale, shortHash } from '../../../build/image/image-layers.js';
import { type ImageRuntimeConfig, type LayerFile, writeOciArchive } from '../../../build/image/oci-archive.js';
import { IMAGE_PATH_ENV, skiffImageParts } from '../../../build/image/skiff-image.js';
import { REPO_ROOT } from '../kube/kube-binaries.js';
import { acquireFileLock } from '../tools/file-lock.js';

export { IMAGE_BUSYBOX_PATH, IMAGE_NODE_PATH, IMAGE_SKIFF_BIN } from '../../../build/image/image-layers.js';

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
  /** Skiff itself, as `npm run image` builds it: entrypoint `node /skiff/bin/skiff.js`, `skiff` on PATH. */
  readonly skiff: BuiltImage;
}

// The sandbox keeps a pod's namespaces alive. As PID 1 a shell reaps every child it inherits while it
// waits; `exit 0` on TERM ends the pod at once (the kubelet stops sandboxes with SIGTERM).
const PAUSE_SCRIPT = "trap 'exit 0' TERM INT; while :; do sleep 86400 & wait $!; done";

const cacheDir = (): string => join(process.env.SKIFF_CACHE_DIR ?? join(REPO_ROOT, '.cache'), 'node');

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
 * own image from the compiled `dist/`, with the builder `npm run image` uses (build/image/). Layers
 * and archives are keyed by a hash of their inputs, so a second run rebuilds nothing.
 */
export async function buildNodeImages(): Promise<NodeImages> {
  const lock = await acquireFileLock(join(cacheDir(), '.images.lock'), { what: 'building the test node images' });
  try {
    const skiff = await skiffImageParts({ repoRoot: REPO_ROOT, cacheDir: cacheDir() });
    const { layer: busybox, version } = skiff.busybox;
    return {
      busybox: await cachedImage(`skiff.test/busybox:${version}`, [busybox], { cmd: ['sh'], env: [IMAGE_PATH_ENV] }),
      pause: await cachedImage('skiff.test/pause:1', [busybox], { entrypoint: [IMAGE_BUSYBOX_PATH, 'sh', '-c', PAUSE_SCRIPT], env: [IMAGE_PATH_ENV] }),
      skiff: await cachedImage('skiff.test/skiff:test', skiff.layers, skiff.runtime),
    };
  } finally {
    await lock.release();
  }
}
