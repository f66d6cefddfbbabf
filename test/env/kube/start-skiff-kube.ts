import { join } from 'node:path';
import { KubeConnection } from '../../../src/kube/kube-connection.js';
import { REPO_ROOT } from './kube-binaries.js';
import { type KubeEnv, startKubeApiServer } from './start-kube-api-server.js';

/**
 * A kube-apiserver with Skiff's CRDs (charts/skiff/crds) and an admin connection to it: what the
 * tests of src/kube and src/sync start with. Stop it with `kube.stop()`.
 *
 * @example
 *   before(async () => ({ kube, client } = await startSkiffKube()));
 *   after(() => kube?.stop());
 */
export async function startSkiffKube(): Promise<{ kube: KubeEnv; client: KubeConnection }> {
  const kube = await startKubeApiServer({ crdPaths: [join(REPO_ROOT, 'charts', 'skiff', 'crds')] });
  return { kube, client: KubeConnection.load({ kubeconfigPath: kube.kubeconfigPath, env: {} }) };
}
