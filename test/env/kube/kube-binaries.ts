import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Paths of the servers that test/env/install-kube.sh builds. */
export interface KubeBinaries {
  readonly kubeApiServer: string;
  readonly etcd: string;
  /** The node agent of a real node (test/env/kube-node/), same version as the API server. */
  readonly kubelet: string;
  readonly kubectl: string;
}

// Found by walking up rather than by a fixed number of `..`, so the same code works from test/ (ts)
// and from dist/test/ (compiled).
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'test', 'env', 'install-kube.sh'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (test/env/install-kube.sh) above this file');
    dir = parent;
  }
  return dir;
}

/** The repository root; CRD manifests and the installer are found from here. */
export const REPO_ROOT = repoRoot();

/**
 * Runs the idempotent installer (a no-op of milliseconds once the pinned binaries exist; a build of
 * several minutes on a cold machine) and returns where the binaries are. The installer's output goes
 * to stderr as it comes, so a long first build shows progress in the test log instead of silence.
 */
export async function ensureKubeBinaries(): Promise<KubeBinaries> {
  const installer = join(REPO_ROOT, 'test', 'env', 'install-kube.sh');
  const tail: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('bash', [installer], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (chunk: Buffer): void => {
      process.stderr.write(chunk);
      tail.push(...chunk.toString('utf8').split('\n'));
      tail.splice(0, Math.max(0, tail.length - 40));
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`${installer} exited with ${code}:\n${tail.join('\n')}`);
  const bin = join(process.env.SKIFF_CACHE_DIR ?? join(REPO_ROOT, '.cache'), 'bin');
  return { kubeApiServer: join(bin, 'kube-apiserver'), etcd: join(bin, 'etcd'), kubelet: join(bin, 'kubelet'), kubectl: join(bin, 'kubectl') };
}
