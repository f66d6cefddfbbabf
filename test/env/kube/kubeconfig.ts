import { readFile, writeFile } from 'node:fs/promises';

const base64 = async (path: string): Promise<string> => (await readFile(path)).toString('base64');

/**
 * Writes a kubeconfig for `server` with the CA and client certificate embedded, so the file alone is
 * enough: a test may copy it or hand it to kubectl or helm without the certificate files.
 */
export async function writeKubeconfig(
  path: string,
  server: string,
  files: { caCert: string; clientCert: string; clientKey: string },
  user = 'skiff-test-admin',
): Promise<void> {
  const [ca, cert, key] = await Promise.all([base64(files.caCert), base64(files.clientCert), base64(files.clientKey)]);
  // JSON is valid YAML, and every kubeconfig reader accepts it.
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'skiff-test', cluster: { server, 'certificate-authority-data': ca } }],
    users: [{ name: user, user: { 'client-certificate-data': cert, 'client-key-data': key } }],
    contexts: [{ name: 'skiff-test', context: { cluster: 'skiff-test', user, namespace: 'default' } }],
    'current-context': 'skiff-test',
  };
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}
