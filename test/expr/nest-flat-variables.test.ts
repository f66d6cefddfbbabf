import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nestFlatVariables } from '../../src/expr/nest-flat-variables.js';

describe('nestFlatVariables', () => {
  test('nests dotted names and keeps dashes inside segments', () => {
    assert.deepEqual(nestFlatVariables({ 'inputs.parameters.my-param': 'x', 'inputs.parameters.b': 'y', 'workflow.name': 'wf', item: '1' }), {
      inputs: { parameters: { 'my-param': 'x', b: 'y' } },
      workflow: { name: 'wf' },
      item: '1',
    });
  });

  test('a parent name that also has children is dropped so the children stay reachable', () => {
    const env = nestFlatVariables({ 'workflow.parameters': '{"a":"1"}', 'workflow.parameters.a': '1' });
    assert.deepEqual(env, { workflow: { parameters: { a: '1' } } });
  });

  test('the parent is dropped even when another name sorts between them', () => {
    assert.deepEqual(nestFlatVariables({ a: '1', 'a-b': '2', 'a.c': '3' }), { 'a-b': '2', a: { c: '3' } });
  });

  test('null values (absent optionals) are kept', () => {
    assert.deepEqual(nestFlatVariables({ 'tasks.a.outputs.result': null }), { tasks: { a: { outputs: { result: null } } } });
  });

  test('prototype-like names are plain keys, not prototype changes', () => {
    const env = nestFlatVariables({ '__proto__.polluted': 'yes', 'constructor.x': '1' });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(Object.keys(env).sort(), ['__proto__', 'constructor']);
    assert.equal((Object.getOwnPropertyDescriptor(env, '__proto__')!.value as Record<string, unknown>).polluted, 'yes');
  });

  test('empty input gives an empty environment', () => {
    assert.deepEqual(nestFlatVariables({}), {});
  });
});
