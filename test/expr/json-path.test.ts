import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExpressionError } from '../../src/expr/expression-ast.js';
import { evaluateExpression } from '../../src/expr/expression-evaluator.js';
import { jsonPath as queryJsonPath } from '../../src/expr/json-path.js';

// Filters are expressions: the evaluator is passed in, as expression-evaluator.ts does.
const jsonPath = (json: string, path: string): unknown => queryJsonPath(json, path, (filter, variables) => evaluateExpression(filter, variables));

const employees = '{"employees": [{"name": "Baris", "age":43},{"name": "Mo", "age": 42}, {"name": "Jai", "age" :44}]}';
const store = JSON.stringify({ a: 1, b: 'two', c: { d: [10, 20, 30], 'e f': true, length: 'own' }, list: [{ x: 1 }, { y: 2 }, { x: 3 }] });

describe('jsonPath', () => {
  const cases: Array<[string, string, unknown]> = [
    // The corpus (examples/expression-destructure-json*.yaml).
    [employees, '$.employees[?(@.name=="Baris")].age', [43]],
    [employees, '$.employees[?(@.age>42 && @.age<44)].age', [43]],
    [employees, '$.employees[0:1]', [{ name: 'Baris', age: 43 }]],
    [employees, '$.employees[*].name', ['Baris', 'Mo', 'Jai']],
    ['[{"value": "true"}]', '$[0].value', 'true'],
    [store, '$', JSON.parse(store)],
    [store, '$.a', 1],
    [store, '$.b', 'two'],
    [store, '$.c.d[1]', 20],
    [store, '$.c.d[-1]', 30],
    [store, "$['c']['e f']", true],
    [store, '$["c"].d', [10, 20, 30]],
    [store, '$.c.d[0,2]', [10, 30]],
    [store, '$.c.d[1:]', [20, 30]],
    [store, '$.c.d[:-1]', [10, 20]],
    [store, '$.c.d[::2]', [10, 30]],
    [store, '$.c.d[::-1]', [30, 20, 10]],
    [store, '$.c.d.length', 3],
    [store, '$.c.length', 'own'],
    [store, '$.b.length', 3],
    [store, '$.list[*].x', [1, 3]],
    [store, '$..x', [1, 3]],
    [store, '$.list[?(@.x)]', [{ x: 1 }, { x: 3 }]],
    [store, '$.list[?(@.x > 1)].x', [3]],
    [store, '$.list[?(@.x == $.a)]', [{ x: 1 }]],
    [store, "$.c[?(@ == 'own')]", ['own']],
    [store, '$.c.*', [[10, 20, 30], true, 'own']],
    [store, '$.c.d[?(@ >= 20)]', [20, 30]],
  ];
  for (const [json, path, expected] of cases) {
    test(`${path} → ${JSON.stringify(expected)}`, () => assert.deepEqual(jsonPath(json, path), expected));
  }

  const failures: Array<[string, string, RegExp]> = [
    ['{', '$.a', /invalid JSON/],
    [store, 'a', /must start with \$/],
    [store, '$.zz', /key "zz" not found/],
    [store, '$.c.d[9]', /index \[9\] out of range/],
    [store, '$.a[0]', /used on a non-array/],
    [store, '$.c.d[', /unclosed "\["/],
    [store, '$.c.d[x]', /invalid subscript "x"/],
    [store, '$.c.d[::0]', /step must not be 0/],
    [store, '$.list[?(@.x ==)]', /invalid filter/],
  ];
  for (const [json, path, message] of failures) {
    test(`${path} on ${json.slice(0, 10)} fails`, () => {
      assert.throws(
        () => jsonPath(json, path),
        (error: unknown) => error instanceof ExpressionError && message.test(error.message),
      );
    });
  }

  test('a filter that cannot apply to an element skips it', () => {
    assert.deepEqual(jsonPath('[1, {"a": 2}, "x"]', '$[?(@.a == 2)]'), [{ a: 2 }]);
  });

  test('an "@" inside a quoted filter string is not the current element', () => {
    assert.deepEqual(jsonPath('[{"m": "a@b"}, {"m": "c"}]', "$[?(@.m == 'a@b')].m"), ['a@b']);
  });

  test('recursive descent over a very deep document fails cleanly', () => {
    const deep = '['.repeat(1500) + ']'.repeat(1500);
    assert.throws(() => jsonPath(deep, '$..x'), /too deeply nested/);
  });
});
