import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linkStaysInside } from '../../src/artifacts/archive/link-stays-inside.js';

test('a link stays inside when its relative target does not climb above the root', () => {
  assert.equal(linkStaysInside('out/latest', 'data/v1.txt', 'out'), true);
  assert.equal(linkStaysInside('out/sub/a', '../b', 'out'), true);
  assert.equal(linkStaysInside('out/sub/a', '..', 'out'), true);
  assert.equal(linkStaysInside('out/a', 'a', 'out'), true);
  assert.equal(linkStaysInside('a/b', '../c', ''), true);
});

test('an absolute, empty or climbing target leaves', () => {
  assert.equal(linkStaysInside('out/passwd', '/etc/passwd', 'out'), false);
  assert.equal(linkStaysInside('out/x', '', 'out'), false);
  assert.equal(linkStaysInside('out/up', '..', 'out'), false);
  assert.equal(linkStaysInside('out/sub/a', '../../out2/x', 'out'), false);
  assert.equal(linkStaysInside('out/sub/a', 'x/../../../etc', 'out'), false);
  assert.equal(linkStaysInside('a', '../x', ''), false);
  // A sibling whose name begins with the root's is not inside it.
  assert.equal(linkStaysInside('out/a', '../outer/x', 'out'), false);
});
