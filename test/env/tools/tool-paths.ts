import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Third-party binaries that test/env/install-tools.sh builds into <repo>/.cache/bin. */
export type ToolName = 'minio' | 'helm' | 'kubeconform';

const INSTALLER = 'test/env/install-tools.sh';

/** Thrown when a tool the tests need has not been installed; its message says how to install it. */
export class MissingToolError extends Error {
  constructor(
    readonly tool: string,
    readonly path: string,
  ) {
    super(`${tool} is not installed (no ${path}). Install it with: bash ${INSTALLER} ${tool}`);
    this.name = 'MissingToolError';
  }
}

let cachedRoot: string | undefined;

/** The repository root: the nearest ancestor of this file holding the installer (works from src and dist). */
export function repoRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, INSTALLER)) && existsSync(join(dir, 'package.json'))) return (cachedRoot = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the repository root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** `<repo>/.cache`, where the installer puts binaries and schemas. */
export function cacheDir(): string {
  return join(repoRoot(), '.cache');
}

/** The installed binary of `name`; throws MissingToolError if the installer has not built it. */
export function toolPath(name: ToolName): string {
  const path = join(cacheDir(), 'bin', name);
  if (!existsSync(path)) throw new MissingToolError(name, path);
  return path;
}

export const minioPath = (): string => toolPath('minio');
export const helmPath = (): string => toolPath('helm');
export const kubeconformPath = (): string => toolPath('kubeconform');

/** Kubernetes JSON schemas on disk, laid out as kubeconform expects them. */
export interface KubeSchemas {
  /** Directory holding `vX.Y.Z-local/` and `vX.Y.Z-local-strict/`. */
  dir: string;
  /** e.g. "1.36.0". */
  kubernetesVersion: string;
  /** A kubeconform `-schema-location` template pointing into `dir`. */
  schemaLocation: string;
  /** `-schema-location`, `-kubernetes-version` (and `-strict`) for kubeconform, all offline. */
  kubeconformArgs(options?: { strict?: boolean }): string[];
}

/** The offline schemas for kubeconform; throws MissingToolError if they are not installed. */
export function kubeSchemas(): KubeSchemas {
  const dir = join(cacheDir(), 'kubernetes-json-schema');
  const versionFile = join(dir, 'VERSION');
  if (!existsSync(versionFile)) throw new MissingToolError('kube-schemas', versionFile);
  const kubernetesVersion = readFileSync(versionFile, 'utf8').trim();
  // kubeconform fills in the version ("v1.36.0"), "-strict" in strict mode, the lower-cased kind and
  // "-group-version"; these are the file names of the schemas the installer extracted.
  const schemaLocation = join(dir, '{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json');
  return {
    dir,
    kubernetesVersion,
    schemaLocation,
    kubeconformArgs: ({ strict = true } = {}) => ['-schema-location', schemaLocation, '-kubernetes-version', kubernetesVersion, ...(strict ? ['-strict'] : [])],
  };
}
