import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Files of the throw-away PKI that one test environment's servers and clients use. */
export interface TlsAssets {
  readonly caCert: string;
  readonly caKey: string;
  /** Serving certificate for kube-apiserver and etcd (client and peer), valid for 127.0.0.1. */
  readonly serverCert: string;
  readonly serverKey: string;
  /** Client certificate in group system:masters: full rights under RBAC, used by tests and by the apiserver towards etcd. */
  readonly adminCert: string;
  readonly adminKey: string;
  /** Service-account token signing key pair (the apiserver refuses to start without one). */
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

// The first address of the service range the apiserver is started with; it puts this address into
// the `kubernetes` Service, so in-cluster clients would check the serving cert against it.
export const KUBERNETES_SERVICE_IP = '10.0.0.1';
export const SERVICE_CLUSTER_IP_RANGE = '10.0.0.0/24';

// P-256 keys: openssl makes them in milliseconds, where RSA-2048 takes noticeable time per start.
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
// Two days is ample for a test run and keeps a leaked file useless soon after.
const DAYS = '2';

async function openssl(args: readonly string[], cwd: string): Promise<void> {
  try {
    await run('openssl', [...args], { cwd });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`openssl ${args[0]} failed: ${e.stderr ?? e.message}`);
  }
}

/**
 * Issues a client certificate signed by the environment's CA. Kubernetes reads the user name from
 * the CN and group memberships from each O, so a test can act as any user or group.
 */
export async function issueClientCert(
  assets: Pick<TlsAssets, 'caCert' | 'caKey'>,
  dir: string,
  baseName: string,
  user: string,
  groups: readonly string[] = [],
): Promise<{ cert: string; key: string }> {
  // openssl's -subj splits on '/' and '=' and joins on '+'; a backslash keeps them literal.
  const escapeName = (value: string): string => value.replace(/[\\/+=]/g, (c) => `\\${c}`);
  const subject = `/CN=${escapeName(user)}${groups.map((g) => `/O=${escapeName(g)}`).join('')}`;
  return issue(assets, dir, baseName, subject, ['extendedKeyUsage=clientAuth']);
}

async function issue(
  assets: Pick<TlsAssets, 'caCert' | 'caKey'>,
  dir: string,
  baseName: string,
  subject: string,
  extensions: readonly string[],
): Promise<{ cert: string; key: string }> {
  const key = join(dir, `${baseName}.key`);
  const csr = join(dir, `${baseName}.csr`);
  const cert = join(dir, `${baseName}.crt`);
  const ext = join(dir, `${baseName}.ext`);
  await writeFile(ext, `${['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', ...extensions].join('\n')}\n`);
  await openssl(['req', '-new', ...NEW_KEY, '-keyout', key, '-out', csr, '-subj', subject], dir);
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      assets.caCert,
      '-CAkey',
      assets.caKey,
      // A random serial instead of -CAcreateserial: certificates are issued in parallel.
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-days',
      DAYS,
      '-out',
      cert,
      '-extfile',
      ext,
    ],
    dir,
  );
  return { cert, key };
}

/**
 * Makes a CA, a serving certificate, an admin client certificate and a service-account key pair in
 * `dir`. `extraIps` are more addresses the serving certificate is valid for.
 */
export async function makeTlsAssets(dir: string, extraIps: readonly string[] = []): Promise<TlsAssets> {
  const caCert = join(dir, 'ca.crt');
  const caKey = join(dir, 'ca.key');
  await openssl(
    [
      'req',
      '-x509',
      '-new',
      ...NEW_KEY,
      '-keyout',
      caKey,
      '-out',
      caCert,
      '-days',
      DAYS,
      '-subj',
      '/CN=skiff-test-ca',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  const ca = { caCert, caKey };
  const sans = [
    'IP:127.0.0.1',
    `IP:${KUBERNETES_SERVICE_IP}`,
    'DNS:localhost',
    'DNS:kubernetes',
    'DNS:kubernetes.default',
    'DNS:kubernetes.default.svc',
    'DNS:kubernetes.default.svc.cluster.local',
    ...extraIps.map((ip) => `IP:${ip}`),
  ];
  // etcd's peer listener presents the same certificate as a client too, hence both usages.
  const [server, admin] = await Promise.all([
    issue(ca, dir, 'server', '/CN=kube-apiserver', ['extendedKeyUsage=serverAuth,clientAuth', `subjectAltName=${sans.join(',')}`]),
    issueClientCert(ca, dir, 'admin', 'skiff-test-admin', ['system:masters']),
  ]);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const serviceAccountKey = join(dir, 'sa.key');
  const serviceAccountPub = join(dir, 'sa.pub');
  await writeFile(serviceAccountKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  await writeFile(serviceAccountPub, publicKey.export({ type: 'spki', format: 'pem' }));
  return {
    caCert,
    caKey,
    serverCert: server.cert,
    serverKey: server.key,
    adminCert: admin.cert,
    adminKey: admin.key,
    serviceAccountKey,
    serviceAccountPub,
  };
}
