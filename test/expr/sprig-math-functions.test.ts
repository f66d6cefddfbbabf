import { describe } from 'node:test';
import { expectErrors, expectValues } from './sprig-cases.js';

// Expected values from sprig's numeric_test.go (float functions go through shopspring/decimal).
describe('sprig math functions', () => {
  expectValues([
    ['sprig.maxf(1, 2, 3, 345.7, 5, 6, 7)', 345.7],
    ['sprig.minf(1.4, 2, 3, 345.6, 5, 6, 7)', 1.4],
    ['sprig.minf(345)', 345],
    ['sprig.add1f(3.4)', 4.4],
    ['sprig.addf(1.5, 2.2, 3)', 6.7],
    ['sprig.addf(0.1, 0.2)', 0.3],
    ['sprig.divf(5, 4, 2)', 0.625],
    ['sprig.divf(1, 3)', 0.3333333333333333],
    ['sprig.divf(2, 3)', 0.6666666666666667],
    ['sprig.mulf(1.2, "2.4", 10, "4")', 115.2],
    ['sprig.subf(4.5, 1, 3)', 0.5],
    ['sprig.ceil(123)', 123],
    ['sprig.ceil("123.01")', 124],
    ['sprig.floor("123.9999")', 123],
    ['sprig.round(123.5555, 3)', 123.556],
    ['sprig.round("123.55555", 3)', 123.556],
    ['sprig.round(123.500001, 0)', 124],
    ['sprig.round(123.49999999, 0)', 123],
    ['sprig.round(123.2329999, 2, .3)', 123.23],
    ['sprig.round(123.233, 2, .3)', 123.24],
    ['sprig.seq(0)', '1 0'],
    ['sprig.seq(3)', '1 2 3'],
    ['sprig.seq(-3)', '1 0 -1 -2 -3'],
    ['sprig.seq(2, 5)', '2 3 4 5'],
    ['sprig.seq(5, 2)', '5 4 3 2'],
    ['sprig.seq(1, 2, 9)', '1 3 5 7 9'],
    ['sprig.seq(9, -2, 1)', '9 7 5 3 1'],
    ['sprig.seq(9, 2, 1)', ''],
    ['sprig.toDecimal("0777")', 511],
    ['sprig.toDecimal(777)', 511],
    ['sprig.toDecimal("9")', 0],
  ]);
  expectErrors([['sprig.divf(1, 0)', /decimal division by zero/]]);
});
