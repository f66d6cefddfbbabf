import { describe } from 'node:test';
import { expectErrors, expectValues } from './sprig-cases.js';

// Expected values from sprig's list_test.go.
describe('sprig list functions', () => {
  expectValues([
    ['sprig.mustAppend([1, 2], 3)', [1, 2, 3]],
    ['sprig.mustPush([], "a")', ['a']],
    ['sprig.mustPrepend([1, 2], 0)', [0, 1, 2]],
    ['sprig.mustFirst([1, 2])', 1],
    ['sprig.mustFirst([])', null],
    ['sprig.mustLast([1, 2])', 2],
    ['sprig.mustRest([1, 2, 3])', [2, 3]],
    ['sprig.mustInitial([1, 2, 3])', [1, 2]],
    ['sprig.mustReverse([1, 2, 3])', [3, 2, 1]],
    ['sprig.mustUniq([1, 2, 1, "a", "a"])', [1, 2, 'a']],
    ['sprig.mustWithout([1, 2, 3, 4], 2, 4)', [1, 3]],
    ['sprig.mustCompact([1, "", 0, "a", nil, false])', [1, 'a']],
    ['sprig.mustHas(2, [1, 2])', true],
    ['sprig.mustHas(3, nil)', false],
    ['sprig.slice([1, 2, 3, 4, 5], 1, 3)', [2, 3]],
    ['sprig.slice([1, 2, 3, 4, 5], 3)', [4, 5]],
    ['sprig.slice([1, 2, 3])', [1, 2, 3]],
    ['sprig.mustSlice([1, 2, 3], 0, 1)', [1]],
    ['sprig.chunk(2, [1, 2, 3, 4, 5])', [[1, 2], [3, 4], [5]]],
    ['sprig.chunk(3, [1, 2, 3])', [[1, 2, 3]]],
    ['sprig.mustChunk(2, [])', [[]]],
    ['sprig.untilStep(0, 10, 3)', [0, 3, 6, 9]],
    ['sprig.untilStep(3, 0, -1)', [3, 2, 1]],
    ['sprig.untilStep(0, 3, -1)', []],
    ['sprig.until(-3)', [0, -1, -2]],
  ]);
  expectErrors([
    ['sprig.mustFirst("ab")', /Cannot find first on type string/],
    ['sprig.mustAppend(5, 1)', /Cannot push on type int/],
    ['sprig.mustChunk(2, {})', /Cannot chunk type map/],
    ['sprig.slice("abc", 1)', /list should be type of slice or array but string/],
    ['sprig.slice([1, 2], 1, 5)', /slice index out of range/],
    ['sprig.concat([1], "a")', /Cannot concat type string as list/],
  ]);
});
