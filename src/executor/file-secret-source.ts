import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecretSource } from '../artifacts/index.js';

/**
 * Secrets as a pod sees them: each one a volume at `<dir>/<name>`, a file per key. The executor
 * reads its S3 keys and git credentials this way, locally and on a cluster alike. The namespace
 * is the pod's own, so it is not part of the path.
 */
export function fileSecretSource(dir: string): SecretSource {
  return {
    async get(_namespace, name, key) {
      try {
        return await readFile(join(dir, name, key), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
  };
}
