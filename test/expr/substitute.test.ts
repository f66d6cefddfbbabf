import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { substituteTemplate, type VariableLookup } from '../../src/expr/substitute.js';

const vars: Record<string, string | null> = {
  'inputs.parameters.msg': 'hello',
  'inputs.parameters.my-param': 'dash',
  'inputs.parameters.n': '4',
  'inputs.parameters.json': '{"a": [1, 2]}',
  'workflow.name': 'wf-1',
  'tasks.skipped.outputs.result': null,
  item: 'x',
  'inputs.parameters.x': 'resolved-x',
  'workflow.parameters': '{"p": "1"}',
  'workflow.parameters.p': '1',
};
const lookup: VariableLookup = (name) => (Object.hasOwn(vars, name) ? vars[name] : undefined);

describe('substituteTemplate', () => {
  const cases: Array<[string, string]> = [
    ['echo {{inputs.parameters.msg}}', 'echo hello'],
    ['{{ workflow.name }}/{{inputs.parameters.my-param}}', 'wf-1/dash'],
    ['{{=asInt(inputs.parameters.n) * 10}}', '40'],
    ['{{=asInt(inputs.parameters.n) / 8}}', '0.5'],
    ['{{=1.0 * 3}}', '3'],
    ["{{=inputs.parameters['my-param'] + '!'}}", 'dash!'],
    ['{{=inputs.parameters.n == "4"}}', 'true'],
    ['{{=fromJSON(inputs.parameters.json)}}', '{"a":[1,2]}'],
    ['{{=fromJSON(inputs.parameters.json).a}}', '[1,2]'],
    ['{{=toJson({b: "<x>", a: 1})}}', '{"a":1,"b":"\\u003cx\\u003e"}'],
    ['{{=jsonpath(inputs.parameters.json, "$.a[1]")}}', '2'],
    ['{{=workflow.parameters.p}}', '1'],
    ['{{=tasks.skipped.outputs.result ?? "fallback"}}', 'fallback'],
    ['no tags at all', 'no tags at all'],
    ['{{item}}{{item}}', 'xx'],
    ['multi\nline {{item}}\n', 'multi\nline x\n'],
  ];
  for (const [text, expected] of cases) {
    test(`${JSON.stringify(text)} → ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(substituteTemplate(text, lookup, { strict: true }), { text: expected, unresolved: [], errors: [] });
    });
  }

  test('by default unresolved tags stay as written and are listed', () => {
    const result = substituteTemplate('a {{workflow.outputs.parameters.x}} b {{steps.s.ip}} {{workflow.outputs.parameters.x}}', lookup);
    assert.equal(result.text, 'a {{workflow.outputs.parameters.x}} b {{steps.s.ip}} {{workflow.outputs.parameters.x}}');
    assert.deepEqual(result.unresolved, ['workflow.outputs.parameters.x', 'steps.s.ip']);
    assert.deepEqual(result.errors, []);
  });

  test('strict mode reports "failed to resolve" and keeps the tag', () => {
    const result = substituteTemplate('x {{ nope }} {{item}}', lookup, { strict: true });
    assert.equal(result.text, 'x {{ nope }} x');
    assert.deepEqual(result.unresolved, ['nope']);
    assert.deepEqual(result.errors, [{ tag: '{{ nope }}', start: 2, message: 'failed to resolve {{ nope }}' }]);
  });

  test('prefix-strict mode only insists on names under the prefixes, and lets artifacts through', () => {
    const result = substituteTemplate('{{tasks.a.outputs.result}} {{steps.b.outputs.artifacts.x}} {{tasks.a.outputs.artifacts.y}} {{other.z}}', lookup, {
      strict: ['tasks', 'steps'],
    });
    assert.deepEqual(
      result.errors.map((e) => e.message),
      ['failed to resolve {{tasks.a.outputs.result}}'],
    );
    assert.deepEqual(result.unresolved, ['tasks.a.outputs.result', 'steps.b.outputs.artifacts.x', 'tasks.a.outputs.artifacts.y', 'other.z']);
  });

  test('a prefix matches whole segments only', () => {
    assert.deepEqual(substituteTemplate('{{tasksX.a}}', lookup, { strict: ['tasks'] }).errors, []);
  });

  test('an absent optional in a plain tag is an error even when lenient', () => {
    const result = substituteTemplate('{{tasks.skipped.outputs.result}}', lookup);
    assert.equal(result.text, '{{tasks.skipped.outputs.result}}');
    assert.match(result.errors[0]!.message, /absent optional/);
  });

  test('nested tags are rewritten for a later pass, as Argo does', () => {
    const first = substituteTemplate('{{inputs.parameters.{{item}}}}', lookup);
    assert.equal(first.text, '{{inputs.parameters.x}}');
    assert.equal(substituteTemplate(first.text, lookup).text, 'resolved-x');
  });

  test('an unterminated tag rejects the whole string', () => {
    const result = substituteTemplate('{{item}} and {{oops', lookup);
    assert.equal(result.text, '{{item}} and {{oops');
    assert.match(result.errors[0]!.message, /unterminated/);
  });

  test('an expression with a syntax error is always an error', () => {
    const result = substituteTemplate('{{= 1 + }}', lookup);
    assert.equal(result.text, '{{= 1 + }}');
    assert.match(result.errors[0]!.message, /failed to evaluate expression \{\{= 1 \+ \}\}: unexpected end of expression/);
  });

  test('an expression reading a missing name is left for later when lenient', () => {
    const result = substituteTemplate('{{=asInt(retries) + 1}}', lookup);
    assert.equal(result.text, '{{=asInt(retries) + 1}}');
    assert.deepEqual(result.unresolved, ['retries']);
    assert.deepEqual(result.errors, []);
  });

  test('an expression reading a missing strict name fails with "is missing"', () => {
    const result = substituteTemplate('{{=tasks.z.outputs.result}}', lookup, { strict: ['tasks'] });
    assert.match(result.errors[0]!.message, /tasks\.z\.outputs\.result is missing/);
  });

  test('an expression that fails with every name present errors in strict mode only', () => {
    assert.match(substituteTemplate('{{=asInt(inputs.parameters.msg)}}', lookup, { strict: ['inputs'] }).errors[0]!.message, /invalid operation: int\(hello\)/);
    assert.deepEqual(substituteTemplate('{{=asInt(inputs.parameters.msg)}}', lookup).errors, []);
  });

  test('a nil result is not substituted', () => {
    const result = substituteTemplate('{{=nil}}', lookup, { strict: true });
    assert.equal(result.text, '{{=nil}}');
    assert.match(result.errors[0]!.message, /result is nil/);
  });

  test('a guarded reference may be missing', () => {
    assert.equal(substituteTemplate('{{=inputs.parameters.nope ?? "d"}}', lookup, { strict: true }).text, 'd');
    assert.equal(substituteTemplate('{{=workflow.parameters.nope ?? "d"}}', lookup, { strict: true }).text, 'd');
  });

  test('with an explicit env, the root of a guarded reference must exist', () => {
    assert.match(substituteTemplate('{{=nope.x ?? "d"}}', lookup, { strict: true, env: {} }).errors[0]!.message, /nope is missing/);
  });

  test('an explicit env is used for expressions', () => {
    assert.equal(substituteTemplate('{{=a.b * 2}} {{a.b}}', lookup, { env: { a: { b: 21 } } }).text, '42 {{a.b}}');
  });

  test('many tags in a long text substitute in linear time', () => {
    const text = 'x {{item}} '.repeat(50_000);
    const started = Date.now();
    assert.equal(substituteTemplate(text, lookup).text, 'x x '.repeat(50_000));
    assert.ok(Date.now() - started < 2000);
  });
});
