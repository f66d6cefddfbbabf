import { type FileHandle, open, stat } from 'node:fs/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { ArtifactError } from '../artifact-error.js';
import { forEachConcurrent, mapOrdered } from '../../shared/map-ordered.js';
import { rechunk } from '../rechunk.js';
import type { ObjectInfo, ObjectStore, OnBytes } from '../object-store.js';
import { s3Error } from './s3-error.js';

export interface S3ObjectStoreOptions {
  client: S3Client;
  bucket: string;
  /** The endpoint as configured, for messages. */
  endpoint?: string;
  /** Bytes per multipart part and per download range. Default 8 MiB (S3's minimum part is 5 MiB). */
  partSize?: number;
  /** Parts or ranges in flight at once. Default 4. */
  concurrency?: number;
  /** Told each part's size once it is uploaded and each range's once it is downloaded. */
  onBytes?: OnBytes;
}

/** S3 allows at most this many parts in one multipart upload. */
const MAX_PARTS = 10_000;

/**
 * An S3 bucket (AWS, MinIO, any S3-compatible store) as an `ObjectStore`. Large objects move in
 * parts, several at once: multipart uploads with parts uploaded in parallel (from a stream, only
 * `concurrency + 1` parts are ever in memory) and downloads as parallel ranged GETs, each range
 * pinned to the first response's ETag so a concurrent overwrite cannot mix two versions.
 *
 * @example
 *   const store = new S3ObjectStore({ client: new S3Client(await s3ClientConfig(location, deps)), bucket: 'artifacts' });
 */
export class S3ObjectStore implements ObjectStore {
  readonly description: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly partSize: number;
  private readonly concurrency: number;
  private readonly onBytes: OnBytes;

  constructor(options: S3ObjectStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.partSize = options.partSize ?? 8 * 1024 * 1024;
    this.concurrency = options.concurrency ?? 4;
    this.onBytes = options.onBytes ?? (() => undefined);
    this.description = `s3://${options.bucket}${options.endpoint ? ` at ${options.endpoint}` : ''}`;
  }

  async putFile(key: string, path: string): Promise<void> {
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ArtifactError('not-found', `${path}: no such file`, { cause: err });
      throw err;
    }
    const handle = await open(path, 'r');
    try {
      const partSize = Math.max(this.partSize, Math.ceil(size / MAX_PARTS));
      const readPart = async (offset: number): Promise<Buffer> => {
        const length = Math.min(partSize, size - offset);
        const buffer = Buffer.allocUnsafe(length);
        let got = 0;
        while (got < length) {
          const { bytesRead } = await handle.read(buffer, got, length - got, offset + got);
          if (bytesRead === 0) throw new ArtifactError('io', `${path} shrank while it was being uploaded`);
          got += bytesRead;
        }
        return buffer;
      };
      if (size <= partSize) {
        const body = size === 0 ? Buffer.alloc(0) : await readPart(0);
        await this.send(key, 'upload', () => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body })));
        this.onBytes(body.length);
        return;
      }
      const offsets = function* (): Generator<number> {
        for (let offset = 0; offset < size; offset += partSize) yield offset;
      };
      await this.multipart(
        key,
        (async function* () {
          for (const offset of offsets()) yield () => readPart(offset);
        })(),
      );
    } finally {
      await handle.close();
    }
  }

  async putStream(key: string, body: AsyncIterable<Uint8Array>): Promise<void> {
    const parts = rechunk(body, this.partSize)[Symbol.asyncIterator]();
    const first = await parts.next();
    const second = first.done ? first : await parts.next();
    if (second.done) {
      const only = first.done ? Buffer.alloc(0) : first.value;
      await this.send(key, 'upload', () => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: only })));
      this.onBytes(only.length);
      return;
    }
    const firstPart = first.value!;
    const secondPart = second.value;
    await this.multipart(
      key,
      (async function* () {
        yield () => Promise.resolve(firstPart);
        yield () => Promise.resolve(secondPart);
        for (;;) {
          const next = await parts.next();
          if (next.done) return;
          const part = next.value;
          yield () => Promise.resolve(part);
        }
      })(),
    );
  }

  async openRead(key: string): Promise<AsyncIterable<Buffer>> {
    const first = await this.getRange(key, 0, undefined);
    const ranges = this.laterRanges(first.total);
    const self = this;
    return (async function* () {
      yield* first.body;
      for await (const body of mapOrdered(ranges, self.concurrency, (range) => self.getRange(key, range.start, first.etag).then((r) => r.body))) yield* body;
    })();
  }

  async getFile(key: string, path: string): Promise<void> {
    const first = await this.getRange(key, 0, undefined);
    const handle = await open(path, 'w');
    try {
      await writeAll(handle, first.body, 0);
      await forEachConcurrent(this.laterRanges(first.total), this.concurrency, async (range) => {
        const { body } = await this.getRange(key, range.start, first.etag);
        await writeAll(handle, body, range.start);
      });
    } finally {
      await handle.close();
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let token: string | undefined;
    do {
      const page = await this.send(prefix, 'list', () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token })),
      );
      for (const object of page.Contents ?? []) {
        // Consoles create empty `dir/` marker objects; they are not files.
        if (object.Key && !object.Key.endsWith('/')) yield { key: object.Key, size: object.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(key: string): Promise<void> {
    await this.send(key, 'delete', () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  private *laterRanges(total: number): Generator<{ start: number }> {
    for (let start = this.partSize; start < total; start += this.partSize) yield { start };
  }

  /**
   * One range of the object, read fully (as the chunks the socket gave, never copied into one
   * buffer), with the object's total size and ETag.
   */
  private async getRange(key: string, start: number, etag: string | undefined): Promise<{ body: Buffer[]; total: number; etag?: string }> {
    const end = start + this.partSize - 1;
    let response: GetObjectCommandOutput;
    try {
      response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${start}-${end}`, IfMatch: etag }));
    } catch (err) {
      // A range of an empty object is "not satisfiable": fetch it whole.
      if (
        start === 0 &&
        ((err as { name?: string }).name === 'InvalidRange' || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 416)
      ) {
        response = await this.send(key, 'download', () => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key })));
      } else if ((err as { name?: string }).name === 'PreconditionFailed') {
        throw new ArtifactError('io', `${this.description}: object ${JSON.stringify(key)} changed while it was being downloaded`, { cause: err });
      } else {
        throw s3Error(err, { key, operation: 'download', store: this.description, bucket: this.bucket });
      }
    }
    const body = await collect(response.Body as AsyncIterable<Uint8Array> | undefined);
    this.onBytes(body.reduce((sum, chunk) => sum + chunk.length, 0));
    const totalText = response.ContentRange?.split('/')[1];
    const total = totalText && totalText !== '*' ? Number(totalText) : (response.ContentLength ?? body.reduce((sum, chunk) => sum + chunk.length, 0));
    return { body, total, etag: response.ETag };
  }

  /** Uploads the parts `parts` yields (each a function reading one), `concurrency` at a time. */
  private async multipart(key: string, parts: AsyncIterable<() => Promise<Buffer>>): Promise<void> {
    const created = await this.send(key, 'upload', () => this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key })));
    const uploadId = created.UploadId!;
    const etags: string[] = [];
    try {
      let partNumber = 0;
      const numbered = (async function* () {
        for await (const read of parts) yield { number: ++partNumber, read };
      })();
      await forEachConcurrent(numbered, this.concurrency, async ({ number, read }) => {
        const body = await read();
        const result = await this.send(key, 'upload', () =>
          this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: number, Body: body })),
        );
        etags[number - 1] = result.ETag!;
        this.onBytes(body.length);
      });
      await this.send(key, 'upload', () =>
        this.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
          }),
        ),
      );
    } catch (err) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
      throw err;
    }
  }

  private async send<T>(key: string, operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw s3Error(err, { key, operation, store: this.description, bucket: this.bucket });
    }
  }
}

async function collect(body: AsyncIterable<Uint8Array> | undefined): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  if (!body) return chunks;
  for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  return chunks;
}

async function writeAll(handle: FileHandle, chunks: Buffer[], position: number): Promise<void> {
  let at = position;
  for (const data of chunks) {
    let written = 0;
    while (written < data.length) written += (await handle.write(data, written, data.length - written, at + written)).bytesWritten;
    at += data.length;
  }
}
