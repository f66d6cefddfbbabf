import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findTemplateTags } from '../../src/expr/template-tags.js';

describe('findTemplateTags', () => {
  test('finds a simple tag with offsets and the trimmed name', () => {
    assert.deepEqual(findTemplateTags('echo {{ inputs.parameters.x }}!'), [
      { start: 5, end: 30, raw: '{{ inputs.parameters.x }}', kind: 'variable', variable: 'inputs.parameters.x' },
    ]);
  });

  test('finds expression tags and keeps the text after "=" untrimmed', () => {
    assert.deepEqual(findTemplateTags('a{{= 1 + 2 }}b{{=item}}'), [
      { start: 1, end: 13, raw: '{{= 1 + 2 }}', kind: 'expression', expression: ' 1 + 2 ' },
      { start: 14, end: 23, raw: '{{=item}}', kind: 'expression', expression: 'item' },
    ]);
  });

  const kinds: Array<[string, 'variable' | 'expression', string]> = [
    ['{{x}}', 'variable', 'x'],
    ['{{ =x}}', 'variable', '=x'], // Argo only sees "=" right after the braces
    ['{{=x}}', 'expression', 'x'],
    ['{{\n  workflow.name\n}}', 'variable', 'workflow.name'],
    ['{{workflow.annotations.example.io/owner}}', 'variable', 'workflow.annotations.example.io/owner'],
  ];
  for (const [text, kind, name] of kinds) {
    test(`classifies ${JSON.stringify(text)} as ${kind}`, () => {
      const [tag] = findTemplateTags(text);
      assert.equal(tag?.kind, kind);
      assert.equal(kind === 'variable' ? tag?.variable : tag?.expression, name);
    });
  }

  test('a tag ends at the first "}}", as in fasttemplate', () => {
    const tags = findTemplateTags('{{=toJson({a: {b: 1}})}}');
    assert.equal(tags.length, 1);
    assert.equal(tags[0]!.raw, '{{=toJson({a: {b: 1}}');
  });

  test('nested braces produce the outer tag up to the inner close', () => {
    const tags = findTemplateTags('{{inputs.parameters.{{item}}}}');
    assert.equal(tags[0]!.variable, 'inputs.parameters.{{item');
    assert.equal(tags[0]!.end, 28);
  });

  test('an unterminated tag carries an error and ends the scan', () => {
    const tags = findTemplateTags('ok {{a}} then {{ broken and {{b}');
    assert.equal(tags.length, 2);
    assert.equal(tags[1]!.start, 14);
    assert.equal(tags[1]!.end, 32);
    assert.match(tags[1]!.error!, /unterminated template tag.*offset 14/);
  });

  test('an empty tag is reported', () => {
    assert.match(findTemplateTags('{{ }}')[0]!.error!, /empty template tag/);
  });

  test('text without tags and lone braces yield nothing', () => {
    assert.deepEqual(findTemplateTags('plain { text } and }} and {'), []);
    assert.deepEqual(findTemplateTags(''), []);
  });

  test('adjacent tags are all found', () => {
    assert.deepEqual(
      findTemplateTags('{{a}}{{b}}{{c}}').map((t) => t.variable),
      ['a', 'b', 'c'],
    );
  });

  test('very long input is scanned in linear time', () => {
    const text = 'x{{a}}'.repeat(100_000) + '{{'.repeat(50_000);
    const started = Date.now();
    const tags = findTemplateTags(text);
    assert.equal(tags.length, 100_001);
    assert.ok(tags[100_000]!.error);
    assert.ok(Date.now() - started < 2000);
  });
});
