import { describe } from 'node:test';
import { expectErrors, expectValues } from './sprig-cases.js';

// Expected values from sprig's strings_test.go (base32) and defaults_test.go (JSON).
describe('sprig encoding functions', () => {
  expectValues([
    ['sprig.b32enc("coffee")', 'MNXWMZTFMU======'],
    ['sprig.b32dec("MNXWMZTFMU======")', 'coffee'],
    ['sprig.b32enc("")', ''],
    ['sprig.b32enc("f")', 'MY======'],
    ['sprig.b32enc("foobar")', 'MZXW6YTBOI======'],
    ['sprig.b32dec("MZXW6YTBOI======")', 'foobar'],
    ['sprig.b32dec("1!")', 'illegal base32 data at input byte 0'],
    ['sprig.mustToJson({b: 1, a: "<x>"})', '{"a":"\\u003cx\\u003e","b":1}'],
    ['sprig.mustToRawJson({a: "<x>"})', '{"a":"<x>"}'],
    ['sprig.mustToPrettyJson([1])', '[\n  1\n]'],
    ['sprig.mustFromJson("{\\"a\\": [1]}")', { a: [1] }],
    ['sprig.fromJson("{")', null],
  ]);
  expectErrors([['sprig.mustFromJson("{")', /invalid JSON/]]);
});
