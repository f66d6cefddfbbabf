import { busyboxLayer, dependenciesLayer, applicationLayer, IMAGE_NODE_PATH, IMAGE_SKIFF_BIN, type ImageSources, nodeRuntimeLayer } from './image-layers.js';
import type { ImageRuntimeConfig, LayerFile } from './oci-archive.js';

/** The PATH of every image built here. */
export const IMAGE_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Skiff's image as layers and a config, ready for writeOciArchive. */
export interface SkiffImageParts {
  /** busybox, Node.js 24 and its libraries, production node_modules, the compiled program. */
  readonly layers: readonly LayerFile[];
  readonly runtime: ImageRuntimeConfig;
  /** The busybox layer alone and its upstream version, for images that need only a shell. */
  readonly busybox: { readonly layer: LayerFile; readonly version: string };
}

/**
 * Assembles (or finds in `sources.cacheDir`) the layers of Skiff's image: entrypoint
 * `node /skiff/bin/skiff.js`, `skiff` on PATH, busybox at /bin/busybox. Each layer is keyed by a hash
 * of its inputs, so a second build rebuilds nothing and a change to `dist/` only the application layer.
 * Nothing in it needs to be written at run time, so it runs with a read-only root filesystem and as
 * any user (the chart runs it as 10001).
 */
export async function skiffImageParts(sources: ImageSources): Promise<SkiffImageParts> {
  const busybox = await busyboxLayer(sources);
  const layers = [busybox.layer, await nodeRuntimeLayer(sources), await dependenciesLayer(sources), await applicationLayer(sources)];
  return {
    layers,
    runtime: { entrypoint: [IMAGE_NODE_PATH, IMAGE_SKIFF_BIN], env: [IMAGE_PATH_ENV], workingDir: '/skiff' },
    busybox,
  };
}

// A reference as container tools read it: [domain/]path[:tag]. Digests are not accepted: a built
// image is named by its tag.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN = '(?:localhost|[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+|[A-Za-z0-9-]+:[0-9]+|[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+:[0-9]+)';
const REFERENCE = new RegExp(`^(?:(${DOMAIN})/)?(${COMPONENT}(?:/${COMPONENT})*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?$`);

/**
 * The full name containerd keeps an image under, as the kubelet asks for it: `skiff:0.1.0` is
 * `docker.io/library/skiff:0.1.0`, `ghcr.io/me/skiff:1` stays as it is. A name without a tag gets
 * `defaultTag`. Throws with the reason for a name no container tool would accept.
 *
 * @example normalizeImageName('skiff', '0.1.0') // 'docker.io/library/skiff:0.1.0'
 */
export function normalizeImageName(name: string, defaultTag: string): string {
  const match = REFERENCE.exec(name);
  if (!match) {
    throw new Error(
      `"${name}" is not an image name: use [REGISTRY/]PATH[:TAG], with PATH in lower case (letters, digits, and . _ - between them), e.g. skiff:0.1.0 or registry.example.com/team/skiff:dev`,
    );
  }
  const [, domain, path, tag] = match as unknown as [string, string | undefined, string, string | undefined];
  if (domain === undefined) return `docker.io/${path.includes('/') ? path : `library/${path}`}:${tag ?? defaultTag}`;
  return `${domain}/${path}:${tag ?? defaultTag}`;
}
