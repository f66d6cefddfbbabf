import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ExpressionAst, ExpressionSyntaxError, MAX_NESTING_DEPTH } from '../../src/expr/expression-ast.js';
import { tokenizeExpression } from '../../src/expr/expression-lexer.js';
import { parseExpression } from '../../src/expr/expression-parser.js';

/** Renders a tree with explicit parentheses so precedence is visible. */
function show(node: ExpressionAst): string {
  switch (node.kind) {
    case 'literal':
      return JSON.stringify(node.value);
    case 'identifier':
      return node.name;
    case 'pointer':
      return `#${node.name}`;
    case 'member':
      return `${show(node.object)}${node.optional ? '?.' : ''}[${show(node.property)}]`;
    case 'slice':
      return `${show(node.object)}[${node.from ? show(node.from) : ''}:${node.to ? show(node.to) : ''}]`;
    case 'call':
      return `${show(node.callee)}(${node.args.map(show).join(', ')})`;
    case 'predicate':
      return `{${show(node.body)}}`;
    case 'unary':
      return `(${node.operator} ${show(node.operand)})`;
    case 'binary':
      return `(${show(node.left)} ${node.operator} ${show(node.right)})`;
    case 'conditional':
      return `(${show(node.test)} ? ${show(node.then)} : ${show(node.otherwise)})`;
    case 'array':
      return `[${node.items.map(show).join(', ')}]`;
    case 'map':
      return `{${node.entries.map((e) => `${show(e.key)}: ${show(e.value)}`).join(', ')}}`;
  }
}

describe('tokenizeExpression', () => {
  test('splits names, operators, strings and numbers with columns', () => {
    assert.deepEqual(
      tokenizeExpression("a.b == 'x'").map((t) => [t.kind, t.value, t.column]),
      [
        ['identifier', 'a', 1],
        ['operator', '.', 2],
        ['identifier', 'b', 3],
        ['operator', '==', 5],
        ['string', 'x', 8],
        ['eof', '', 11],
      ],
    );
  });

  const strings: Array<[string, string]> = [
    [String.raw`"a\"b"`, 'a"b'],
    [String.raw`'it\'s'`, "it's"],
    [String.raw`"tab\tnl\n"`, 'tab\tnl\n'],
    [String.raw`"\u00e9\x41"`, 'éA'],
    ['`raw \\n`', 'raw \\n'],
  ];
  for (const [source, value] of strings) {
    test(`unescapes ${source}`, () => assert.equal(tokenizeExpression(source)[0]!.value, value));
  }

  test('word operators are operators', () => {
    assert.deepEqual(
      tokenizeExpression('a not in b and c')
        .filter((t) => t.kind === 'operator')
        .map((t) => t.value),
      ['not', 'in', 'and'],
    );
  });
});

describe('parseExpression', () => {
  const shapes: Array<[string, string]> = [
    ['1 + 2 * 3', '(1 + (2 * 3))'],
    ['(1 + 2) * 3', '((1 + 2) * 3)'],
    ['1 - 2 - 3', '((1 - 2) - 3)'],
    ['2 ** 3 ** 2', '(2 ** (3 ** 2))'],
    ['-2 ** 2', '(- (2 ** 2))'],
    ['!a == b', '((! a) == b)'],
    ['not a && b', '((not a) && b)'],
    ['a || b && c', '(a || (b && c))'],
    ['a or b and c', '(a or (b and c))'],
    ['a == b ? "x" : "y"', '((a == b) ? "x" : "y")'],
    ['a ?: b', '(a ? a : b)'],
    ['a ?? b ?? c', '((a ?? b) ?? c)'],
    ['1 < x < 3', '((1 < x) && (x < 3))'],
    ['x not in [1, 2]', '(not (x in [1, 2]))'],
    ['s not contains "x"', '(not (s contains "x"))'],
    ["inputs.parameters['my-param']", 'inputs["parameters"]["my-param"]'],
    ['a?.b.c', 'a?.["b"]["c"]'],
    ['a[1:2]', 'a[1:2]'],
    ['a[:2]', 'a[:2]'],
    ['a[1:]', 'a[1:]'],
    ['sprig.trim(x)', 'sprig["trim"](x)'],
    ['f(1, 2,)', 'f(1, 2)'],
    ['map(xs, {# * 2})', 'map(xs, {(# * 2)})'],
    ['filter(xs, .age > 3)', 'filter(xs, {(#["age"] > 3)})'],
    ['reduce(xs, #acc + #, 0)', 'reduce(xs, {(#acc + #)}, 0)'],
    ['xs | map(# + 1)', 'map(xs, {(# + 1)})'],
    ['s | upper()', 'upper(s)'],
    ['{a: 1, "b c": 2, 3: x, (k): v}', '{"a": 1, "b c": 2, "3": x, k: v}'],
    ['[1, [2], ]', '[1, [2]]'],
    ['1..3', '(1 .. 3)'],
    ['(now() - t).Seconds() > 360', '((now() - t)["Seconds"]() > 360)'],
    ['nil == true', '(null == true)'],
    ['0x1F + 1_000 + 1e3 + .5', '(((31 + 1000) + 1000) + 0.5)'],
  ];
  for (const [source, expected] of shapes) {
    test(`parses ${source}`, () => assert.equal(show(parseExpression(source)), expected));
  }

  const errors: Array<[string, RegExp, number]> = [
    ['', /empty expression/, 1],
    ['1 +', /unexpected end of expression/, 4],
    ['(1 + 2', /expected "\)" but the expression ended/, 7],
    ['a b', /unexpected token "b"/, 3],
    ['a ?? b || c', /cannot be mixed/, 8],
    ["'abc", /literal not terminated/, 1],
    ['1 @ 2', /unrecognized character "@"/, 3],
    ['12abc', /bad number syntax/, 1],
    ['"\\q"', /invalid escape/, 1],
    ['{1 + 2: 3}', /expected ":" but found "\+"/, 4],
    ['{[1]: 2}', /a map key must be/, 2],
    ['a.', /expected a name after "."/, 3],
    ['# + 1', /unexpected token "#"/, 1],
    ['filter(xs)', /expects a collection and a predicate/, 1],
    ['x ? 1', /expected ":"/, 6],
  ];
  for (const [source, message, column] of errors) {
    test(`rejects ${JSON.stringify(source)} at column ${column}`, () => {
      assert.throws(
        () => parseExpression(source),
        (error: unknown) => {
          assert.ok(error instanceof ExpressionSyntaxError);
          assert.match(error.message, message);
          assert.equal(error.column, column);
          return true;
        },
      );
    });
  }

  test('deep parentheses are refused with a clear error, not a stack overflow', () => {
    const deep = `${'('.repeat(100_000)}1${')'.repeat(100_000)}`;
    assert.throws(() => parseExpression(deep), /too deeply nested \(more than 200 levels\)/);
  });

  test('nesting just under the cap parses', () => {
    const depth = MAX_NESTING_DEPTH - 5;
    assert.equal(parseExpression(`${'('.repeat(depth)}x${')'.repeat(depth)}`).kind, 'identifier');
  });

  test('deep unary chains and long operator chains are refused cleanly', () => {
    assert.throws(() => parseExpression(`${'!'.repeat(100_000)}x`), /too deeply nested/);
    assert.throws(() => parseExpression(Array(5000).fill('a').join(' + ')), /too deeply nested \(more than 1000 levels\)/);
  });

  test('a long but shallow expression parses in linear time', () => {
    const text = `[${Array(50_000).fill("'some text'").join(', ')}]`;
    const started = Date.now();
    const ast = parseExpression(text);
    assert.equal(ast.kind === 'array' && ast.items.length, 50_000);
    assert.ok(Date.now() - started < 2000);
  });

  test('a very long string literal parses', () => {
    const ast = parseExpression(`'${'x'.repeat(1_000_000)}'`);
    assert.equal(ast.kind === 'literal' && (ast.value as string).length, 1_000_000);
  });
});
