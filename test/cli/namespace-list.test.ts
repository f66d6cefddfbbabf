// The namespaces -n names for skiff serve and skiff controller: repeated, comma lists, checked names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/cli/cli-io.js';
import { parseNamespaceList } from '../../src/cli/namespace-list.js';

test('no -n means every namespace', () => {
  assert.equal(parseNamespaceList(undefined), undefined);
  assert.equal(parseNamespaceList([]), undefined);
});

test('repeated and comma-separated values make one list, each name once, in order', () => {
  assert.deepEqual(parseNamespaceList(['ci', 'build,ci', ' team-a ']), ['ci', 'build', 'team-a']);
});

test('a name Kubernetes would refuse is a usage error naming it', () => {
  for (const [value, message] of [
    ['Team', /"Team" is not a namespace name/],
    ['a/b', /"a\/b" is not a namespace name/],
    ['-ci', /"-ci" is not a namespace name/],
    ['x'.repeat(64), /is not a namespace name/],
    ['ci,,build', /an empty namespace name/],
  ] as const) {
    assert.throws(
      () => parseNamespaceList([value], '-n'),
      (error: unknown) => error instanceof UsageError && message.test(error.message),
    );
  }
});
