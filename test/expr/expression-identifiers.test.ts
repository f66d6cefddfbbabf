import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expressionIdentifiers, expressionReferences } from '../../src/expr/expression-identifiers.js';
import { parseExpression } from '../../src/expr/expression-parser.js';

describe('expressionIdentifiers', () => {
  const cases: Array<[string, string[]]> = [
    ['inputs.parameters.x', ['inputs.parameters.x']],
    ["inputs.parameters['my-param'] == 'x'", ['inputs.parameters.my-param']],
    ['inputs.parameters["should-print"] == \'true\'', ['inputs.parameters.should-print']],
    ["tasks['a'].outputs.result", ['tasks.a.outputs.result']],
    ['steps.a.outputs.result + steps.a.outputs.result', ['steps.a.outputs.result']],
    ["jsonpath(workflow.parameters.config, '$.a')", ['workflow.parameters.config']],
    ['asInt(inputs.parameters.foo) * 10', ['inputs.parameters.foo']],
    ["sprig.date('2006', workflow.creationTimestamp)", ['workflow.creationTimestamp']],
    ['item', ['item']],
    ['item.a[0].b', ['item.a']],
    ['x.y[z.w].v', ['x.y', 'z.w']],
    ['map(xs, {#.name + suffix})', ['xs', 'suffix']],
    ['filter(xs, .age > min)', ['xs', 'min']],
    ['cronworkflow.lastScheduledTime == nil || (now() - cronworkflow.lastScheduledTime).Seconds() > 360', ['cronworkflow.lastScheduledTime']],
    ['{a: b.c, (k): 1}[key]', ['b.c', 'k', 'key']],
    ['c ? d.e : f[1:g]', ['c', 'd.e', 'f', 'g']],
    ['toJson(filter([1, 3], {# > 1}))', []],
    ['"literal" + 1', []],
  ];
  for (const [source, expected] of cases) {
    test(`${source} reads ${JSON.stringify(expected)}`, () => assert.deepEqual(expressionIdentifiers(parseExpression(source)), expected));
  }

  test('accepts text directly', () => {
    assert.deepEqual(expressionIdentifiers('a.b || c'), ['a.b', 'c']);
  });
});

describe('expressionReferences', () => {
  test('marks ?? left sides and ?. chains as guarded, with columns', () => {
    assert.deepEqual(expressionReferences('tasks.a.outputs.result ?? inputs.parameters.d'), [
      { path: 'tasks.a.outputs.result', column: 1, guarded: true },
      { path: 'inputs.parameters.d', column: 27, guarded: false },
    ]);
    assert.deepEqual(expressionReferences('x?.y.z == 1'), [{ path: 'x.y.z', column: 1, guarded: true }]);
  });

  test('names inside an index of a guarded chain are not guarded', () => {
    assert.deepEqual(expressionReferences('a[b] ?? 1'), [
      { path: 'a', column: 1, guarded: true },
      { path: 'b', column: 3, guarded: false },
    ]);
  });
});
