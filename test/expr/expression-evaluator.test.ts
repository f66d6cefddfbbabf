import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExpressionError } from '../../src/expr/expression-ast.js';
import { evaluateExpression } from '../../src/expr/expression-evaluator.js';
import { nestFlatVariables } from '../../src/expr/nest-flat-variables.js';

const env = {
  ...nestFlatVariables({
    'inputs.parameters.my-param': 'dash',
    'inputs.parameters.n': '4',
    'steps.a.outputs.result': 'heads',
    item: 'x',
  }),
  list: [1, 2, 3],
  people: [
    { name: 'a', age: 30 },
    { name: 'b', age: 50 },
  ],
  nothing: null,
  obj: { k: 'v', nested: { deep: 1 } },
};

describe('evaluateExpression', () => {
  const cases: Array<[string, unknown]> = [
    ['1 + 2 * 3', 7],
    ['7 / 2', 3.5],
    ['7 % 3', 1],
    ['2 ** 10', 1024],
    ['2 ^ 3', 8],
    ['-(1 + 2)', -3],
    ['+5', 5],
    ['"a" + "b"', 'ab'],
    ['\'it\' + "s"', 'its'],
    ['[1] + [2]', [1, 2]],
    ['1 == 1.0', true],
    ['"1" == 1', false],
    ['nil == nil', true],
    ['nothing == nil', true],
    ['[1, {a: 2}] == [1, {a: 2}]', true],
    ['{a: 1} != {a: 2}', true],
    ['"b" > "a"', true],
    ['3 >= 3 && 2 <= 1', false],
    ['1 < 2 < 3', true],
    ['3 > 2 > 1', true], // expr-lang chains comparisons: 3 > 2 && 2 > 1
    ['true and not false', true],
    ['false or !false', true],
    ['false && undefinedName', false],
    ['true || undefinedName', true],
    ['2 in list', true],
    ['5 not in list', true],
    ['"k" in obj', true],
    ['"zz" in obj', false],
    ['"hello" contains "ell"', true],
    ['"hello" startsWith "he" and "hello" endsWith "lo"', true],
    ['"abc" matches "^a.c$"', true],
    ['"ABC" matches "(?i)^abc$"', true],
    ['1..4', [1, 2, 3, 4]],
    ['3..1', []],
    ['true ? "y" : "n"', 'y'],
    ['false ? 1 : false ? 2 : 3', 3],
    ['nothing ?? "fallback"', 'fallback'],
    ['obj.missing ?? "fallback"', 'fallback'],
    ['"set" ?? "fallback"', 'set'],
    ['nothing?.x', null],
    ['nothing?.x.y.z', null],
    ['obj?.nested.deep', 1],
    ['obj.nested.deep', 1],
    ['obj["nested"]["deep"]', 1],
    ['obj.missing', null],
    ["inputs.parameters['my-param']", 'dash'],
    ['inputs.parameters["my-param"] == "dash"', true],
    ['steps.a.outputs.result == "heads"', true],
    ['list[0] + list[-1]', 4],
    ['list[1:]', [2, 3]],
    ['list[:-1]', [1, 2]],
    ['list[5:]', []],
    ['"héllo"[1]', 'é'],
    ['"hello"[1:3]', 'el'],
    ['{a: 1, "b": [2]}', { a: 1, b: [2] }],
    ['asInt(inputs.parameters.n) * 10', 40],
    ['map(list, {# * 2})', [2, 4, 6]],
    ['map(list, #index)', [0, 1, 2]],
    ['filter(people, .age > 40)', [{ name: 'b', age: 50 }]],
    ['map(filter(people, {#.age < 40}), .name)', ['a']],
    ['all(list, # > 0)', true],
    ['any(list, # > 2)', true],
    ['none(list, # > 2)', false],
    ['one(list, # == 2)', true],
    ['count(list, # > 1)', 2],
    ['sum(list, # * 10)', 60],
    ['find(people, .age > 40).name', 'b'],
    ['find(list, # > 9)', null],
    ['findIndex(list, # == 3)', 2],
    ['findLast(list, # < 3)', 2],
    ['findLastIndex(list, # > 9)', -1],
    ['groupBy(list, # % 2 == 0)', { false: [1, 3], true: [2] }],
    ['sortBy(people, .age, "desc")[0].name', 'b'],
    ['reduce(list, #acc + #, 10)', 16],
    ['reduce(list, #acc * #)', 6],
    ['list | map(# + 1) | filter(# > 2)', [3, 4]],
    ['toJson(filter([1, 3], {# > 1}))', '[3]'],
    ['item', 'x'],
  ];
  for (const [source, expected] of cases) {
    test(`${source} → ${JSON.stringify(expected)}`, () => assert.deepEqual(evaluateExpression(source, env), expected));
  }

  const failures: Array<[string, RegExp]> = [
    ['missing', /unknown name missing \(column 1\)/],
    ['1 + nothing.x', /cannot fetch x from nil \(column 13\)/],
    ['"a" + 1', /invalid operation: \+ \(mismatched types string and int\)/],
    ['1 < "a"', /mismatched types int and string/],
    ['!1', /invalid operation: ! \(mismatched type int\)/],
    ['-"x"', /invalid operation: - \(mismatched type string\)/],
    ['1 && true', /want bool/],
    ['true && 1', /want bool/],
    ['5 % 0', /integer divide by zero/],
    ['1.5 % 1', /mismatched types float and int/],
    ['list[3]', /index out of range: 3 \(array length is 3\)/],
    ['list["a"]', /cannot fetch a from array/],
    ['obj[1]', /keys are strings/],
    ['obj.k.x', /cannot fetch x from string/],
    ['5.x', /bad number syntax/],
    ['1 ? 2 : 3', /condition of \?: must be a bool/],
    ['nope(1)', /unknown function nope/],
    ['sprig.nope(1)', /unknown function sprig\.nope/],
    // No clock given: the time functions that need one say so (time-functions.test.ts has the rest).
    ['sprig.date("2006", item)', /sprig\.date\(\): now\(\) needs the current time/],
    ['now()', /now\(\) needs the current time/],
    ['obj.k.Seconds()', /method Seconds is not supported on string/],
    ['len', /len is a function/],
    ['map(5, # + 1)', /cannot iterate over int/],
    ['filter(list, # + 1)', /predicate must return a bool, got int/],
    ['sortBy(people, .name, "up")', /order must be "asc" or "desc"/],
    ['#', /unexpected token/],
    ['"x" matches "("', /error parsing regexp/],
    ['1 in 2', /mismatched types int and int/],
    ['0..2000000', /too large/],
    ['constructor(1)', /unknown function constructor/],
    ['toString()', /unknown function toString/],
    ['sprig.constructor(1)', /unknown function sprig\.constructor/],
  ];
  for (const [source, message] of failures) {
    test(`${source} fails clearly`, () => {
      assert.throws(
        () => evaluateExpression(source, env),
        (error: unknown) => {
          assert.ok(error instanceof ExpressionError || (error instanceof Error && error.name === 'ExpressionSyntaxError'), String(error));
          assert.match((error as Error).message, message);
          return true;
        },
      );
    });
  }

  test('accepts a parsed tree as well as text', async () => {
    const { parseExpression } = await import('../../src/expr/expression-parser.js');
    const ast = parseExpression('a + 1');
    assert.equal(evaluateExpression(ast, { a: 1 }), 2);
    assert.equal(evaluateExpression(ast, { a: 41 }), 42);
  });

  test('functions in the environment can be called', () => {
    assert.equal(evaluateExpression('double(21)', { double: (x: unknown) => (x as number) * 2 }), 42);
  });

  test('map literals with hostile keys do not touch prototypes', () => {
    const result = evaluateExpression('{"__proto__": {"polluted": true}}', {}) as Record<string, unknown>;
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(Object.keys(result), ['__proto__']);
  });

  test('the corpus snippet that aliases a verbose expression through map() works', () => {
    const weather = nestFlatVariables({ 'workflow.parameters.weather': '{"weekWeather": "eyJ0ZW1wcyI6IFszNCwgMjcsIDE1LCA1NywgNDZdfQo="}' });
    const source = `map([jsonpath(sprig.b64dec(jsonpath(workflow.parameters.weather, '$.weekWeather')), '$.temps')], {
      toJson({ avg: sprig.add(#[0], #[1], #[2], #[3], #[4]) / 5, min: sprig.min(#[0], #[1], #[2], #[3], #[4]), max: sprig.max(#[0], #[1], #[2], #[3], #[4]) })
    })[0]`;
    assert.equal(evaluateExpression(source, weather), '{"avg":35.8,"max":57,"min":15}');
  });

  test('evaluation of a long flat chain stays fast', () => {
    const source = Array(900).fill('1').join(' + ');
    const started = Date.now();
    assert.equal(evaluateExpression(source, {}), 900);
    assert.ok(Date.now() - started < 1000);
  });
});
