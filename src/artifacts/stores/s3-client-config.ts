import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { KeySelector } from '../../spec/model/kubernetes.js';
import type { S3Location } from '../../spec/model/workflow.js';
import { ArtifactError } from '../artifact-error.js';
import type { SecretSource } from '../../ports/secret-source.js';

export interface S3ClientConfigOptions {
  secrets: SecretSource;
  /** Namespace the Secrets are read from: the workflow's, as in Argo. */
  namespace: string;
  /** Attempts per request, including the first (SDK default 3). Tests of dead endpoints use 1. */
  maxAttempts?: number;
  /** Milliseconds to wait for a TCP connection. Default 10 s. */
  connectionTimeoutMs?: number;
  /** Sockets per client: parallel parts and small-file uploads each need one. */
  maxSockets?: number;
}

/**
 * The `@aws-sdk/client-s3` settings for an Argo S3 location: endpoint with `http://` when
 * `insecure`, path-style addressing unless asked otherwise or talking to AWS (as minio-go's
 * auto-detection does), checksums only when required (otherwise streamed uploads to non-AWS stores
 * corrupt silently), and keys read from `accessKeySecret`/`secretKeySecret`/`sessionTokenSecret`.
 * Without secrets the SDK's own credential chain is used (Argo's `useSDKCreds`).
 *
 * @example
 *   new S3Client(await s3ClientConfig({ endpoint: 'minio:9000', bucket: 'b', insecure: true, accessKeySecret: { name: 'm', key: 'a' }, secretKeySecret: { name: 'm', key: 's' } }, { secrets, namespace: 'argo' }));
 */
export async function s3ClientConfig(location: S3Location, options: S3ClientConfigOptions): Promise<S3ClientConfig> {
  const endpoint = s3EndpointUrl(location);
  const config: S3ClientConfig = {
    region: location.region || 'us-east-1',
    forcePathStyle: usePathStyle(location, endpoint),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 10_000,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 }),
    },
  };
  if (endpoint) config.endpoint = endpoint;
  const { accessKeySecret, secretKeySecret, sessionTokenSecret } = location;
  if (accessKeySecret || secretKeySecret) {
    if (!accessKeySecret || !secretKeySecret) {
      throw new ArtifactError(
        'config',
        `S3 location of bucket ${JSON.stringify(location.bucket ?? '')} gives ${accessKeySecret ? 'accessKeySecret' : 'secretKeySecret'} without ${accessKeySecret ? 'secretKeySecret' : 'accessKeySecret'}`,
      );
    }
    const accessKeyId = await secretValue(accessKeySecret, 'accessKeySecret', options);
    const secretAccessKey = await secretValue(secretKeySecret, 'secretKeySecret', options);
    const sessionToken = sessionTokenSecret ? await secretValue(sessionTokenSecret, 'sessionTokenSecret', options) : undefined;
    config.credentials = sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
  }
  return config;
}

/** `https://host:port` (or `http://` when insecure); an endpoint already giving a scheme is kept. */
export function s3EndpointUrl(location: S3Location): string | undefined {
  const endpoint = location.endpoint?.trim();
  if (!endpoint) return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint)) return endpoint;
  return `${location.insecure ? 'http' : 'https'}://${endpoint}`;
}

function usePathStyle(location: S3Location, endpoint: string | undefined): boolean {
  if (location.addressingStyle === 'path') return true;
  if (location.addressingStyle === 'virtual-hosted') return false;
  if (!endpoint) return false;
  const host = new URL(endpoint).hostname;
  return !(host.endsWith('amazonaws.com') || host.endsWith('amazonaws.com.cn') || host === 'storage.googleapis.com');
}

async function secretValue(selector: KeySelector, field: string, options: S3ClientConfigOptions): Promise<string> {
  if (!selector.name || !selector.key) throw new ArtifactError('config', `${field} must give both name and key`);
  const value = await options.secrets.get(options.namespace, selector.name, selector.key);
  if (value === undefined) {
    throw new ArtifactError(
      'config',
      `${field}: key ${JSON.stringify(selector.key)} of secret ${JSON.stringify(selector.name)} not found in namespace ${JSON.stringify(options.namespace)}`,
    );
  }
  return value.trim();
}
