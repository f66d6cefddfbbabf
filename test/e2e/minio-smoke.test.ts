// Smoke test of a real MinIO started by test/env/minio: what Skiff's S3 artifact driver relies on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { startMinio, type MinioServer } from '../env/minio/start-minio.js';
import { readOnlyPolicy } from '../env/minio/assume-role.js';

let minio: MinioServer;
let s3: S3Client;

before(async () => {
  minio = await startMinio();
  console.log(`minio ready in ${minio.startMs} ms at ${minio.endpoint} (log ${minio.logPath})`);
  s3 = new S3Client(minio.s3Config());
});

after(async () => {
  s3?.destroy();
  await minio?.stop();
});

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

async function getBytes(client: S3Client, key: string): Promise<Uint8Array> {
  const res = await client.send(new GetObjectCommand({ Bucket: minio.bucket, Key: key }));
  assert.ok(res.Body, 'GetObject returned a body');
  return res.Body.transformToByteArray();
}

/** The S3 error a call failed with, asserting that it did fail with one. */
async function s3Failure(call: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await call;
  } catch (err) {
    assert.ok(err instanceof S3ServiceException, `expected an S3 error, got ${String(err)}`);
    return err;
  }
  assert.fail('the call succeeded but should have been refused');
}

test('put and get an object, buffered and streamed, byte for byte', async () => {
  const text = 'hello from skiff\n';
  await s3.send(new PutObjectCommand({ Bucket: minio.bucket, Key: 'smoke/hello.txt', Body: text }));
  assert.equal(Buffer.from(await getBytes(s3, 'smoke/hello.txt')).toString('utf8'), text);

  // A streamed body: the length must come back exact (aws-chunked framing must not leak into it).
  const payload = randomBytes(300_000);
  await s3.send(
    new PutObjectCommand({
      Bucket: minio.bucket,
      Key: 'smoke/streamed.bin',
      Body: Readable.from([payload.subarray(0, 100_000), payload.subarray(100_000)]),
      ContentLength: payload.length,
    }),
  );
  const back = await getBytes(s3, 'smoke/streamed.bin');
  assert.equal(back.length, payload.length);
  assert.equal(sha256(back), sha256(payload));

  const list = await s3.send(new ListObjectsV2Command({ Bucket: minio.bucket, Prefix: 'smoke/' }));
  assert.deepEqual(list.Contents?.map((o) => o.Key).sort(), ['smoke/hello.txt', 'smoke/streamed.bin']);
});

test('multipart upload assembles its parts in order', async () => {
  const key = 'smoke/multipart.bin';
  const parts = [randomBytes(5 * 1024 * 1024), randomBytes(5 * 1024 * 1024), randomBytes(123_457)];
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: minio.bucket, Key: key }));
  assert.ok(UploadId);
  // Upload out of order and concurrently, as a parallel uploader does.
  const uploaded = await Promise.all(
    [2, 0, 1].map(async (i) => {
      const res = await s3.send(new UploadPartCommand({ Bucket: minio.bucket, Key: key, UploadId, PartNumber: i + 1, Body: parts[i] }));
      return { PartNumber: i + 1, ETag: res.ETag };
    }),
  );
  uploaded.sort((a, b) => a.PartNumber - b.PartNumber);
  const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: minio.bucket, Key: key, UploadId, MultipartUpload: { Parts: uploaded } }));
  assert.match(done.ETag ?? '', /-3"?$/, 'a multipart ETag names its part count');
  const whole = Buffer.concat(parts);
  const back = await getBytes(s3, key);
  assert.equal(back.length, whole.length);
  assert.equal(sha256(back), sha256(whole));
});

test('a wrong secret key or an unknown access key is refused', async () => {
  const wrongSecret = new S3Client(minio.s3Config({ accessKeyId: minio.accessKey, secretAccessKey: `${minio.secretKey}x` }));
  const unknownKey = new S3Client(minio.s3Config({ accessKeyId: 'nobody', secretAccessKey: minio.secretKey }));
  try {
    const bad = await s3Failure(wrongSecret.send(new GetObjectCommand({ Bucket: minio.bucket, Key: 'smoke/hello.txt' })));
    assert.equal(bad.name, 'SignatureDoesNotMatch');
    assert.equal(bad.$metadata.httpStatusCode, 403);

    const badPut = await s3Failure(wrongSecret.send(new PutObjectCommand({ Bucket: minio.bucket, Key: 'smoke/evil.txt', Body: 'x' })));
    assert.equal(badPut.$metadata.httpStatusCode, 403);

    const unknown = await s3Failure(unknownKey.send(new ListObjectsV2Command({ Bucket: minio.bucket })));
    assert.equal(unknown.name, 'InvalidAccessKeyId');
    assert.equal(unknown.$metadata.httpStatusCode, 403);
  } finally {
    wrongSecret.destroy();
    unknownKey.destroy();
  }
  const list = await s3.send(new ListObjectsV2Command({ Bucket: minio.bucket, Prefix: 'smoke/evil' }));
  assert.equal(list.KeyCount, 0, 'the refused put wrote nothing');
});

test('read-only credentials can read but not write', async () => {
  const creds = await minio.assumeRole(readOnlyPolicy(minio.bucket));
  const reader = new S3Client(
    minio.s3Config({
      accessKeyId: creds.accessKeyId,
      secretAccessKey: creds.secretAccessKey,
      sessionToken: creds.sessionToken,
    }),
  );
  try {
    assert.equal(Buffer.from(await getBytes(reader, 'smoke/hello.txt')).toString('utf8'), 'hello from skiff\n');
    const denied = await s3Failure(reader.send(new PutObjectCommand({ Bucket: minio.bucket, Key: 'smoke/ro.txt', Body: 'nope' })));
    assert.equal(denied.name, 'AccessDenied');
    assert.equal(denied.$metadata.httpStatusCode, 403);
  } finally {
    reader.destroy();
  }
});

test('a presigned GET URL works before it expires and is refused after', async () => {
  const key = 'smoke/presigned.txt';
  await s3.send(new PutObjectCommand({ Bucket: minio.bucket, Key: key, Body: 'for people\n' }));
  const expiresIn = 2;
  const signedAt = Date.now();
  const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: minio.bucket, Key: key }), { expiresIn });
  assert.match(url, /X-Amz-Expires=2/);

  // At once: the 2 s count from X-Amz-Date, which is rounded down to the second.
  const fresh = await fetch(url);
  assert.equal(fresh.status, 200);
  assert.equal(await fresh.text(), 'for people\n');

  // Wait well past the expiry.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, signedAt + (expiresIn + 1.5) * 1000 - Date.now())));
  const stale = await fetch(url);
  const body = await stale.text();
  assert.equal(stale.status, 403, body);
  assert.match(body, /<Code>AccessDenied<\/Code>/);
  assert.match(body, /expired/i);

  // The signature covers the key: a long-lived URL edited to name another object is refused.
  const lasting = await getSignedUrl(s3, new GetObjectCommand({ Bucket: minio.bucket, Key: key }), { expiresIn: 600 });
  const tampered = await fetch(lasting.replace('presigned.txt', 'hello.txt'));
  assert.equal(tampered.status, 403);
  assert.match(await tampered.text(), /SignatureDoesNotMatch/);
});
