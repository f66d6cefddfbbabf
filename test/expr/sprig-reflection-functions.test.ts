import { describe } from 'node:test';
import { expectValues } from './sprig-cases.js';

// Expected values from sprig's reflect_test.go, with Go's names for the values expressions hold.
describe('sprig reflection functions', () => {
  expectValues([
    ['sprig.typeOf("a")', 'string'],
    ['sprig.typeOf(1)', 'int'],
    ['sprig.typeOf(1.5)', 'float64'],
    ['sprig.typeOf([1])', '[]interface {}'],
    ['sprig.typeOf({a: 1})', 'map[string]interface {}'],
    ['sprig.typeOf(nil)', '<nil>'],
    ['sprig.typeIs("int", 5)', true],
    ['sprig.typeIs("string", 5)', false],
    ['sprig.typeIsLike("*int", 5)', true],
    ['sprig.kindOf([1])', 'slice'],
    ['sprig.kindOf({})', 'map'],
    ['sprig.kindOf(nil)', 'invalid'],
    ['sprig.kindIs("bool", true)', true],
    ['sprig.deepEqual({a: [1]}, {a: [1]})', true],
    ['sprig.deepEqual([1], [2])', false],
  ]);
});
