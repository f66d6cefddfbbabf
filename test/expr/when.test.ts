import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateWhen, WhenError } from '../../src/expr/when.js';
import { checkWhenSyntax, tokenizeWhen } from '../../src/expr/when-lexer.js';

describe('evaluateWhen', () => {
  const cases: Array<[string, boolean]> = [
    ['', true],
    ['true', true],
    ['false', false],
    ['heads == heads', true],
    ['tails == heads', false],
    ['tails != heads', true],
    ['"x" == "x"', true],
    ["'x' == x", true],
    ['YES == YES', true],
    ['Succeeded == Succeeded', true],
    ['5 > 3', true],
    ['10 < 9', false],
    ['10 > 9.5', true],
    ['1 == 1.0', true],
    ['1 == "1"', false],
    ['1 != 2 && 1 != 3', true],
    ['b > a', true],
    ['"10" < "9"', true],
    ['tails =~ "t.*"', true],
    ['tails =~ tai', true],
    ['heads =~ tai', false],
    ['heads !~ "^t"', true],
    ['!(1 == 2)', true],
    ['!false', true],
    ['true && false || true', true],
    ['true || false && false', true],
    ['(true || false) && false', false],
    ['( heads == heads &&\n  tails == tails\n) ||\n( heads == tails )', true],
    ['a in (a, b)', true],
    ['c in (a, b)', false],
    ['2 in (1, 2, 3)', true],
    ['1 + 2 == 3', true],
    ['2 * 3 + 1 == 7', true],
    ['10 - 2 - 3 == 5', true],
    ['2 ** 3 == 8', true],
    ['7 % 4 == 3', true],
    ['-2 < 0', true],
    ['-(2 + 1) == -3', true],
    ['a + b == ab', true],
    ['a + 1 == a1', true],
    ['(6 & 3) == 2 && (6 | 1) == 7 && (6 ^ 2) == 4', true],
    ['1 << 3 == 8 && 16 >> 2 == 4 && 1 << 64 == 0', true],
    ['~0 == -1', true],
    ['0x10 == 16', true],
    ['true ? true : false', true],
    ['false ? true : false', false],
    ['"2024-01-02" > "2024-01-01"', true],
    ['"2024-01-01T00:00:00Z" == "2024-01-01"', true],
    ['[flip coin] == "flip coin"', true],
    ['"it\\"s" == "it\\"s"', true],
  ];
  for (const [text, expected] of cases) {
    test(`${JSON.stringify(text)} → ${expected}`, () => assert.equal(evaluateWhen(text), expected));
  }

  const failures: Array<[string, RegExp]> = [
    ['heads', /expected a boolean .* got heads/],
    ['5', /expected a boolean .* got 5/],
    ['   ', /Unexpected end of expression/],
    ['flip-coin == heads', /Value 'flip' cannot be used with the modifier '-', it is not a number/],
    ['hello world == x', /Cannot transition token types from VARIABLE \[hello\] to VARIABLE \[world\]/],
    ['== heads', /Cannot transition token types from the start to COMPARATOR/],
    ['heads ==', /Unexpected end of expression/],
    ['(a == a', /Unbalanced parenthesis/],
    ['a == a)', /Unbalanced parenthesis/],
    ['a === a', /Invalid token: '===' \(hint: try wrapping the affected expression in quotes/],
    ['"unclosed == a', /Unclosed string literal/],
    ['[unclosed == a', /Unclosed parameter bracket/],
    ['1.2.3 == x', /Unable to parse numeric value '1\.2\.3' to float64/],
    ['v1.x == y', /Unable to access unexported field 'x' in token 'v1\.x'/],
    ['v1.2 == y', /No parameter 'v1' found/],
    ['a. == b', /Hanging accessor on token 'a\.'/],
    ['foo(1) == 1', /Undefined function foo/],
    ['!heads', /Cannot transition token types from PREFIX \[!\] to STRING \[heads\]/],
    ['5 > abc', /Value '5' cannot be used with the comparator '>', it is not a number/],
    ['heads && true', /Value 'heads' cannot be used with the logical operator '&&', it is not a bool/],
    ['a in (a)', /Value 'a' cannot be used with the comparator 'in'/],
    ['1 =~ a', /Value '1' cannot be used with the comparator '=~'/],
    ['a =~ "("', /Unable to compile regexp pattern/],
    ['true - 1 == 0', /Value 'true' cannot be used with the modifier '-'/],
    ['-true', /Cannot transition token types from PREFIX \[-\] to BOOLEAN|cannot be used with the prefix/],
    ['1 ? true : false', /Value '1' cannot be used with the ternary operator '\?', it is not a bool/],
  ];
  for (const [text, message] of failures) {
    test(`${JSON.stringify(text)} fails clearly`, () => {
      assert.throws(
        () => evaluateWhen(text),
        (error: unknown) => {
          assert.ok(error instanceof WhenError, String(error));
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  test('short-circuits before type-checking the right side', () => {
    assert.equal(evaluateWhen('false && heads'), false);
    assert.equal(evaluateWhen('true || heads'), true);
  });

  test('deeply nested parentheses are refused, not a stack overflow', () => {
    assert.throws(() => evaluateWhen(`${'('.repeat(50_000)}true${')'.repeat(50_000)}`), /too deeply nested/);
    assert.equal(evaluateWhen(`${'('.repeat(150)}true${')'.repeat(150)}`), true);
  });

  test('very long conditions are refused or evaluated quickly', () => {
    assert.throws(() => evaluateWhen(Array(5000).fill('true').join(' && ')), /too long/);
    const started = Date.now();
    assert.equal(evaluateWhen(Array(900).fill('a == a').join(' && ')), true);
    assert.equal(evaluateWhen(`"${'x'.repeat(500_000)}" == "${'x'.repeat(500_000)}"`), true);
    assert.ok(Date.now() - started < 2000);
  });
});

describe('tokenizeWhen', () => {
  test('gives govaluate token kinds', () => {
    assert.deepEqual(
      tokenizeWhen('-1 < a && !(b == "c") in (x, 2.5)').map((t) => t.kind),
      [
        'PREFIX',
        'NUMERIC',
        'COMPARATOR',
        'VARIABLE',
        'LOGICALOP',
        'PREFIX',
        'CLAUSE',
        'VARIABLE',
        'COMPARATOR',
        'STRING',
        'CLAUSE_CLOSE',
        'COMPARATOR',
        'CLAUSE',
        'VARIABLE',
        'SEPARATOR',
        'NUMERIC',
        'CLAUSE_CLOSE',
      ],
    );
  });

  test('a minus after a value is subtraction, at the start a prefix', () => {
    assert.deepEqual(
      tokenizeWhen('a - -1').map((t) => t.kind),
      ['VARIABLE', 'MODIFIER', 'PREFIX', 'NUMERIC'],
    );
  });

  test('syntax errors carry the column', () => {
    assert.throws(
      () => checkWhenSyntax(tokenizeWhen('a == == b')),
      (error: unknown) => error instanceof WhenError && error.column === 6,
    );
  });
});

describe('when after substitution (the corpus forms)', () => {
  const vars: Record<string, string> = {
    'steps.flip-coin.outputs.result': 'heads',
    'inputs.parameters.should-print': 'true',
    'workflow.parameters.json': '[{"value": "true"}]',
    'inputs.parameters.num': '3',
  };
  const cases: Array<[string, boolean]> = [
    ['{{steps.flip-coin.outputs.result}} == heads', true],
    ['{{steps.flip-coin.outputs.result}} == tails', false],
    ['{{inputs.parameters.should-print}} == true', true],
    ['{{= inputs.parameters["should-print"] == \'true\'}}', true],
    ["{{=jsonpath(workflow.parameters.json, '$[0].value') == 'true'}}", true],
    ['{{inputs.parameters.num}} != 1 && {{inputs.parameters.num}} != 2', true],
    ['{{steps.flip-coin.outputs.result}} =~ hea', true],
  ];
  for (const [when, expected] of cases) {
    test(`${when} → ${expected}`, async () => {
      const { substituteTemplate } = await import('../../src/expr/substitute.js');
      const { text, errors } = substituteTemplate(when, (name) => vars[name], { strict: true });
      assert.deepEqual(errors, []);
      assert.equal(evaluateWhen(text), expected);
    });
  }
});
