import { createHash, createHmac } from 'node:crypto';

/** Temporary credentials from MinIO's STS, limited by the session policy they were issued with. */
export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface AssumeRoleRequest {
  /** e.g. `http://127.0.0.1:9000` */
  endpoint: string;
  region: string;
  /** The long-lived user asking (MinIO's root user here). */
  accessKey: string;
  secretKey: string;
  /** An IAM policy document; the issued credentials can do at most what it allows. */
  policy: object;
  /** 900 s at least (MinIO's floor). */
  durationSeconds?: number;
}

/**
 * MinIO's STS AssumeRole: a SigV4-signed form POST, so no admin API (whose bodies MinIO encrypts)
 * and no `mc` are needed to get credentials with fewer rights than root.
 *
 * @example
 *   const ro = await assumeRole({ endpoint, region, accessKey, secretKey, policy: readOnlyPolicy('b') });
 */
export async function assumeRole(request: AssumeRoleRequest): Promise<TemporaryCredentials> {
  const body = new URLSearchParams({
    Action: 'AssumeRole',
    Version: '2011-06-15',
    DurationSeconds: String(request.durationSeconds ?? 900),
    Policy: JSON.stringify(request.policy),
  }).toString();
  const url = new URL('/', request.endpoint);
  const headers = signV4({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
    service: 'sts',
    region: request.region,
    accessKey: request.accessKey,
    secretKey: request.secretKey,
  });
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`AssumeRole failed: HTTP ${response.status}: ${text}`);
  const field = (name: string): string => {
    const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(text);
    if (!match?.[1]) throw new Error(`AssumeRole response lacks ${name}: ${text}`);
    return match[1];
  };
  return {
    accessKeyId: field('AccessKeyId'),
    secretAccessKey: field('SecretAccessKey'),
    sessionToken: field('SessionToken'),
    expiration: new Date(field('Expiration')),
  };
}

/** A policy allowing only reads (get, list) in `bucket`. */
export function readOnlyPolicy(bucket: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/*`] },
      { Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetBucketLocation'], Resource: [`arn:aws:s3:::${bucket}`] },
    ],
  };
}

interface SignInput {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
  service: string;
  region: string;
  accessKey: string;
  secretKey: string;
}

// AWS Signature Version 4 for one request with a fully known body (enough for a form POST).
function signV4(input: SignInput): Record<string, string> {
  const now = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const date = now.slice(0, 8);
  const payloadHash = sha256Hex(input.body);
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(input.headers).map(([k, v]) => [k.toLowerCase(), v.trim()])),
    host: input.url.host,
    'x-amz-date': now,
    'x-amz-content-sha256': payloadHash,
  };
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonicalQuery = [...input.url.searchParams.entries()]
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .sort()
    .join('&');
  const canonicalRequest = [
    input.method,
    input.url.pathname || '/',
    canonicalQuery,
    names.map((n) => `${n}:${headers[n]}\n`).join(''),
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', now, scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${input.secretKey}`, date);
  for (const part of [input.region, input.service, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${input.accessKey}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  delete headers.host; // fetch sets it
  return headers;
}

const sha256Hex = (data: string): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();
const rfc3986 = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
