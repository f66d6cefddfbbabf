// Packing node lists into gzip+base64 chunks under a size limit, and back.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { decodeCompressedJson, encodeCompressedJson, ItemTooLargeError, packItems, unpackItems } from '../../src/kube/packed-items.js';
import { syntheticStatus } from './synthetic-nodes.js';

test('an empty list packs into no chunks', () => {
  assert.deepEqual(packItems([]), []);
  assert.deepEqual(unpackItems([]), []);
});

test('a small list is one chunk, read back in order', () => {
  const items = [{ a: 1 }, 'two', [3], null];
  const chunks = packItems(items);
  assert.equal(chunks.length, 1);
  assert.deepEqual(unpackItems(chunks), items);
});

test('data that does not compress is split into chunks each under the limit, keeping order', () => {
  const items = Array.from({ length: 40 }, () => randomBytes(3000).toString('hex'));
  const chunks = packItems(items, 32 * 1024);
  assert.ok(chunks.length > 1, `${chunks.length} chunks`);
  for (const chunk of chunks) assert.ok(chunk.length <= 32 * 1024, `${chunk.length} bytes`);
  assert.deepEqual(unpackItems(chunks), items);
});

test('one item larger than a chunk is refused with its size', () => {
  assert.throws(() => packItems([randomBytes(40_000).toString('base64')], 16 * 1024), ItemTooLargeError);
});

test('100,000 engine-like nodes pack into few chunks, each under 640 KiB', () => {
  const nodes = Object.values(syntheticStatus('big', 100_000).nodes);
  const chunks = packItems(nodes);
  const sizes = chunks.map((c) => c.length);
  console.log(`100,000 nodes: ${JSON.stringify(nodes).length} bytes of JSON, ${chunks.length} chunks of ${sizes.join(', ')} bytes`);
  for (const size of sizes) assert.ok(size <= 640 * 1024);
  assert.equal(unpackItems(chunks).length, nodes.length);
});

test('compressed JSON is Argo’s compressedNodes encoding: base64 of gzip', () => {
  const encoded = encodeCompressedJson({ 'n-1': { id: 'n-1' } });
  assert.equal(Buffer.from(encoded, 'base64').subarray(0, 2).toString('hex'), '1f8b');
  assert.deepEqual(decodeCompressedJson(encoded), { 'n-1': { id: 'n-1' } });
});
