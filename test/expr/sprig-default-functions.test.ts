import { describe } from 'node:test';
import { expectErrors, expectValues } from './sprig-cases.js';

// Expected values from sprig's defaults_test.go.
describe('sprig default functions', () => {
  expectValues([
    ['sprig.all(1, "a", [1])', true],
    ['sprig.all(1, "", [1])', false],
    ['sprig.all()', true],
    ['sprig.any(0, "", "a")', true],
    ['sprig.any(0, "", [])', false],
    ['sprig.any()', false],
  ]);
  expectErrors([['sprig.fail("stop here")', /sprig\.fail\(\): stop here/]]);
});
