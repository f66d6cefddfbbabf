import { describe } from 'node:test';
import { expectErrors, expectValues } from './sprig-cases.js';

// Expected values from sprig's dict_test.go and docs/dicts.md.
const env = {
  d: { a: 1, b: 2, c: { x: 'deep' } },
  dst: { default: 'default', overwrite: 'me', key: true, nested: { one: 1 } },
  src: { overwrite: 'overwritten', key: false, extra: 'x', nested: { two: 2 } },
};

describe('sprig dict functions', () => {
  expectValues(
    [
      ['sprig.set(d, "a", 9).a', 9],
      ['sprig.set(d, "a", 9) == d', false],
      ['sprig.keys(sprig.unset(d, "a"))', ['b', 'c']],
      ['sprig.pluck("a", d, {a: 3}, {b: 1})', [1, 3]],
      ['sprig.pick(d, "a", "z")', { a: 1 }],
      ['sprig.keys(sprig.omit(d, "a", "c"))', ['b']],
      ['sprig.dig("c", "x", "none", d)', 'deep'],
      ['sprig.dig("c", "y", "none", d)', 'none'],
      ['sprig.dig("q", "none", d)', 'none'],
      ['sprig.merge(dst, src)', { default: 'default', overwrite: 'me', key: true, extra: 'x', nested: { one: 1, two: 2 } }],
      ['sprig.mergeOverwrite(dst, src)', { default: 'default', overwrite: 'overwritten', key: true, extra: 'x', nested: { one: 1, two: 2 } }],
      ['sprig.mustMerge({}, {a: 1}, {a: 2, b: 3})', { a: 1, b: 3 }],
      ['sprig.mustMergeOverwrite({}, {a: 1}, {a: 2, b: 3})', { a: 2, b: 3 }],
      ['sprig.deepCopy(d)', { a: 1, b: 2, c: { x: 'deep' } }],
      ['sprig.mustDeepCopy([1, [2]])', [1, [2]]],
    ],
    env,
  );
  expectErrors([['sprig.dig("a", {})', /dig needs at least three arguments/]], env);
});
