import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One filesystem layer: an uncompressed tar whose entries are paths inside the image. */
export interface LayerFile {
  readonly path: string;
  readonly digest: string;
  readonly size: number;
}

/** The parts of an OCI image config that matter to a container runtime. */
export interface ImageRuntimeConfig {
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly env?: readonly string[];
  readonly workingDir?: string;
}

// Media types of the OCI image spec (image-spec v1.1); uncompressed layers, so a layer's digest is
// also its diff id and importing it costs no decompression.
const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
} as const;

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

async function tar(args: readonly string[]): Promise<void> {
  await run('tar', [...args], { timeout: 300_000 }).catch((error: { code?: unknown; stderr?: string }) => {
    throw new Error(`tar ${args.join(' ')} failed (exit ${String(error.code)}): ${error.stderr ?? ''}`);
  });
}

// Same bytes for the same files whatever the clock, umask or user: names sorted, times, owners and
// permissions of the staging directory normalised.
const REPRODUCIBLE = [
  '--sort=name',
  '--mtime=@0',
  '--owner=0',
  '--group=0',
  '--numeric-owner',
  '--format=posix',
  '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
];

/**
 * Packs `dir` (the future root of the image, or part of it) into an uncompressed layer tar at `out`.
 * Hard links inside `dir` stay hard links, symbolic links stay links.
 */
export async function writeLayer(dir: string, out: string): Promise<LayerFile> {
  await mkdir(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  await tar(['--create', '--file', tmp, ...REPRODUCIBLE, '--directory', dir, '.']);
  const [digest, info] = await Promise.all([sha256File(tmp), stat(tmp)]);
  await rename(tmp, out);
  return { path: out, digest, size: info.size };
}

function blob(json: unknown): { bytes: Buffer; digest: string } {
  const bytes = Buffer.from(JSON.stringify(json));
  return { bytes, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
}

/**
 * Writes an OCI image layout (oci-layout, index.json, blobs/sha256/...) as one tar at `out`, the form
 * `ctr images import`, `kind load image-archive` and `skopeo copy oci-archive:` take. `name` is the
 * full reference the image gets in containerd (`skiff.test/busybox:1.35.0`,
 * `docker.io/library/skiff:0.1.0`): containerd reads it from the index's `io.containerd.image.name`
 * annotation, as is, so it must be the normalised form the kubelet asks for. The OCI `ref.name`
 * annotation carries the tag for other tools.
 */
export async function writeOciArchive(out: string, name: string, layers: readonly LayerFile[], runtime: ImageRuntimeConfig): Promise<void> {
  const config = blob({
    architecture: 'amd64',
    os: 'linux',
    config: {
      ...(runtime.entrypoint ? { Entrypoint: runtime.entrypoint } : {}),
      ...(runtime.cmd ? { Cmd: runtime.cmd } : {}),
      Env: runtime.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      ...(runtime.workingDir ? { WorkingDir: runtime.workingDir } : {}),
    },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
  });
  const manifest = blob({
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: MEDIA.config, digest: config.digest, size: config.bytes.length },
    layers: layers.map((l) => ({ mediaType: MEDIA.layer, digest: l.digest, size: l.size })),
  });
  const tag = name.slice(name.lastIndexOf(':') + 1);
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: [
      {
        mediaType: MEDIA.manifest,
        digest: manifest.digest,
        size: manifest.bytes.length,
        annotations: { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': tag },
      },
    ],
  };

  await mkdir(dirname(out), { recursive: true });
  const dir = await mkdtemp(`${out}.layout-`);
  try {
    const blobs = join(dir, 'blobs', 'sha256');
    await mkdir(blobs, { recursive: true });
    const hex = (digest: string): string => digest.slice('sha256:'.length);
    await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await writeFile(join(dir, 'index.json'), JSON.stringify(index));
    await writeFile(join(blobs, hex(config.digest)), config.bytes);
    await writeFile(join(blobs, hex(manifest.digest)), manifest.bytes);
    // Layers are hard-linked, not copied, into the layout; tar reads them once into the archive.
    for (const layer of layers)
      await link(layer.path, join(blobs, hex(layer.digest))).catch((e: NodeJS.ErrnoException) => (e.code === 'EEXIST' ? undefined : Promise.reject(e)));
    const tmp = `${out}.${process.pid}.tmp`;
    await tar(['--create', '--file', tmp, ...REPRODUCIBLE, '--directory', dir, 'oci-layout', 'index.json', 'blobs']);
    await rename(tmp, out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
