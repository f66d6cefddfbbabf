import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { freePort } from '../tools/free-port.js';
import { startProcess, waitUntil, type ManagedProcess } from '../managed-process.js';
import { minioPath } from '../tools/tool-paths.js';
import { assumeRole, type TemporaryCredentials } from './assume-role.js';

export interface MinioServer {
  /** e.g. `http://127.0.0.1:41234` (loopback unless started with `host`). */
  endpoint: string;
  region: string;
  /** Root credentials, generated for this server. */
  accessKey: string;
  secretKey: string;
  /** A bucket created at start. */
  bucket: string;
  /** MinIO's own output; kept after stop() for post-mortems. */
  logPath: string;
  dataDir: string;
  pid: number;
  /** Milliseconds from spawn to ready, bucket created. */
  startMs: number;
  /** Settings for `new S3Client(...)` against this server (path style, checksums only when required). */
  s3Config(credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): S3ClientConfig;
  /** Temporary credentials that can do at most what `policy` allows (see readOnlyPolicy). */
  assumeRole(policy: object, durationSeconds?: number): Promise<TemporaryCredentials>;
  /** Stops MinIO and deletes its data (not its log). Idempotent. */
  stop(): Promise<void>;
}

export interface StartMinioOptions {
  bucket?: string;
  /**
   * The address to listen on; default 127.0.0.1. The real node's pods (test/env/kube-node) reach
   * the host only at their bridge's gateway address: listening there serves them and this process.
   */
  host?: string;
  /** Default 60 s: a cold MinIO on a busy 2-core machine takes a few seconds. */
  startTimeoutMs?: number;
}

const REGION = 'us-east-1';

/**
 * Starts a real MinIO (built by test/env/install-tools.sh) on a free 127.0.0.1 port with a fresh data
 * directory and generated root credentials, waits until it is ready and creates a bucket. Call stop()
 * when done; if the test process exits or is killed first, MinIO is killed with it.
 *
 * @example
 *   const minio = await startMinio();
 *   after(() => minio.stop());
 *   const s3 = new S3Client(minio.s3Config());
 */
export async function startMinio(options: StartMinioOptions = {}): Promise<MinioServer> {
  const binary = minioPath();
  const base = await mkdtemp(join(tmpdir(), 'skiff-minio-'));
  const dataDir = join(base, 'data');
  const certsDir = join(base, 'certs');
  await mkdir(dataDir);
  await mkdir(certsDir);
  const logPath = join(base, 'minio.log');
  const accessKey = `skiff-${randomBytes(4).toString('hex')}`;
  const secretKey = randomBytes(18).toString('base64url');
  const bucket = options.bucket ?? 'skiff-artifacts';
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const host = options.host ?? '127.0.0.1';
  const started = Date.now();

  let proc: ManagedProcess | undefined;
  let endpoint = '';
  // The free port can be taken between our probe and MinIO's bind: try a few.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    endpoint = `http://${host}:${port}`;
    proc = startProcess({
      name: 'minio',
      command: binary,
      args: ['server', '--address', `${host}:${port}`, '--certs-dir', certsDir, dataDir],
      logPath,
      // A clean environment: no MINIO_* or AWS_* of the developer's leaks in.
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: base,
        TMPDIR: base,
        MINIO_ROOT_USER: accessKey,
        MINIO_ROOT_PASSWORD: secretKey,
        MINIO_BROWSER: 'off',
        MINIO_UPDATE: 'off',
        // Allows a data directory on the root disk and skips production-only checks.
        MINIO_CI_CD: '1',
      },
    });
    try {
      await waitUntil(async () => (await fetch(`${endpoint}/minio/health/ready`)).status === 200, {
        proc,
        timeoutMs,
        what: `MinIO ready at ${endpoint}`,
      });
      break;
    } catch (err) {
      await proc.stop();
      if (attempt < 3 && /address already in use/i.test(proc.logTail())) continue;
      throw err;
    }
  }

  const s3Config: MinioServer['s3Config'] = (credentials) => ({
    endpoint,
    region: REGION,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    credentials: credentials ?? { accessKeyId: accessKey, secretAccessKey: secretKey },
  });

  const running = proc;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await running.stop();
      for (const dir of [dataDir, certsDir, join(base, '.minio')]) await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  try {
    const s3 = new S3Client(s3Config());
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    } finally {
      s3.destroy();
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    endpoint,
    region: REGION,
    accessKey,
    secretKey,
    bucket,
    logPath,
    dataDir,
    pid: running.pid,
    startMs: Date.now() - started,
    s3Config,
    assumeRole: (policy, durationSeconds) => assumeRole({ endpoint, region: REGION, accessKey, secretKey, policy, durationSeconds }),
    stop,
  };
}
