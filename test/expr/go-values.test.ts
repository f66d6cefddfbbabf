import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deepEqual, goJson, goString, typeName } from '../../src/expr/go-values.js';

describe('goString (fmt %v)', () => {
  const cases: Array<[unknown, string]> = [
    [null, '<nil>'],
    [true, 'true'],
    ['s', 's'],
    [42, '42'],
    [-0.5, '-0.5'],
    [2.5, '2.5'],
    [1234567.5, '1.2345675e+06'],
    [0.00001, '1e-05'],
    [0.0001, '0.0001'],
    [1e21, '1e+21'],
    [[1, [2, 'a']], '[1 [2 a]]'],
    [{ b: 1, a: [] }, 'map[a:[] b:1]'],
    [NaN, 'NaN'],
    [-Infinity, '-Inf'],
  ];
  for (const [value, expected] of cases) test(`${JSON.stringify(value)} → ${expected}`, () => assert.equal(goString(value), expected));
});

describe('goJson (encoding/json)', () => {
  const cases: Array<[unknown, string]> = [
    [{ b: 1, a: { d: null, c: [true] } }, '{"a":{"c":[true],"d":null},"b":1}'],
    ['<a & b>', '"\\u003ca \\u0026 b\\u003e"'],
    ['line\nbreak "q" \u2028', '"line\\nbreak \\"q\\" \\u2028"'],
    [10, '10'],
    [2.5, '2.5'],
    [1e21, '1e+21'],
    [1e-7, '1e-7'],
    [[], '[]'],
    [{}, '{}'],
  ];
  for (const [value, expected] of cases) test(`${JSON.stringify(value)} → ${expected}`, () => assert.equal(goJson(value), expected));

  test('indents like MarshalIndent', () => {
    assert.equal(goJson({ a: [1, {}], b: 'x' }, '  '), '{\n  "a": [\n    1,\n    {}\n  ],\n  "b": "x"\n}');
  });

  test('refuses NaN and infinities as Go does', () => {
    assert.throws(() => goJson([NaN]), /unsupported value: NaN/);
    assert.throws(() => goJson(Infinity), /unsupported value: \+Inf/);
  });
});

describe('deepEqual and typeName', () => {
  test('compares like expr-lang ==', () => {
    assert.equal(deepEqual(1, 1.0), true);
    assert.equal(deepEqual('1', 1), false);
    assert.equal(deepEqual(null, undefined), true);
    assert.equal(deepEqual(null, 0), false);
    assert.equal(deepEqual({ a: [1] }, { a: [1] }), true);
    assert.equal(deepEqual({ a: 1 }, { a: 1, b: 2 }), false);
    assert.equal(deepEqual([1, 2], [2, 1]), false);
    assert.equal(deepEqual([], {}), false);
  });

  test('names types as expr-lang type() does', () => {
    assert.deepEqual([1, 1.5, 'x', true, null, [], {}].map(typeName), ['int', 'float', 'string', 'bool', 'nil', 'array', 'map']);
  });
});
