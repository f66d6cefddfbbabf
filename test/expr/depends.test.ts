import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type DependencyState,
  dependenciesToDepends,
  type DependsAst,
  DependsSyntaxError,
  dependsTaskNames,
  evaluateDepends,
  parseDepends,
} from '../../src/expr/depends.js';

function show(node: DependsAst): string {
  switch (node.kind) {
    case 'task':
      return node.result ? `${node.task}.${node.result}` : node.task;
    case 'not':
      return `!${show(node.operand)}`;
    case 'and':
      return `(${node.operands.map(show).join(' && ')})`;
    case 'or':
      return `(${node.operands.map(show).join(' || ')})`;
  }
}

describe('parseDepends', () => {
  const shapes: Array<[string, string]> = [
    ['A', 'A'],
    ['flip-coin', 'flip-coin'],
    ['A && B && C', '(A && B && C)'],
    ['A || B && C', '(A || (B && C))'],
    ['A && (B.Failed || C.AnySucceeded) && !D.Errored', '(A && (B.Failed || C.AnySucceeded) && !D.Errored)'],
    ['producer.Succeeded || producer.Skipped', '(producer.Succeeded || producer.Skipped)'],
    ['should-execute-2.Succeeded || should-not-execute', '(should-execute-2.Succeeded || should-not-execute)'],
    ['!!A.Omitted', '!!A.Omitted'],
    ['  ( ( A ) )  ', 'A'],
    ['1a && b-2.AllFailed', '(1a && b-2.AllFailed)'],
    ['A.Daemoned||B', '(A.Daemoned || B)'],
  ];
  for (const [text, expected] of shapes) {
    test(`parses ${JSON.stringify(text)}`, () => assert.equal(show(parseDepends(text)), expected));
  }

  test('records columns', () => {
    const ast = parseDepends('A && !B.Failed');
    assert.ok(ast.kind === 'and');
    assert.deepEqual(
      ast.operands.map((o) => o.column),
      [1, 6],
    );
  });

  const errors: Array<[string, RegExp, number]> = [
    ['', /depends is empty/, 1],
    ['A &&', /expected a task name but the expression ended/, 5],
    ['A & B', /unexpected character "&" \(did you mean "&&"\?\)/, 3],
    ['A | B', /did you mean "\|\|"/, 3],
    ['A B', /expected "&&" or "\|\|" before "B"/, 3],
    ['A and B', /expected "&&" or "\|\|" before "and"/, 3],
    ['A.Success', /task result "Success" for task "A" is invalid; use one of Succeeded/, 1],
    ['A.succeeded', /task result "succeeded"/, 1],
    ['(A', /missing "\)"/, 3],
    ['A)', /unexpected "\)"/, 2],
    ['()', /empty parentheses/, 2],
    ['a_b', /unexpected character "_"/, 2],
    ['-A', /unexpected character "-"/, 1],
    ['A.', /unexpected character "\."/, 2],
  ];
  for (const [text, message, column] of errors) {
    test(`rejects ${JSON.stringify(text)} at column ${column}`, () => {
      assert.throws(
        () => parseDepends(text),
        (error: unknown) => {
          assert.ok(error instanceof DependsSyntaxError);
          assert.match(error.message, message);
          assert.equal(error.column, column);
          return true;
        },
      );
    });
  }

  test('deep nesting is refused cleanly', () => {
    assert.throws(() => parseDepends(`${'('.repeat(100_000)}A${')'.repeat(100_000)}`), /too deeply nested/);
    assert.throws(() => parseDepends(`${'!'.repeat(100_000)}A`), /too deeply nested/);
  });

  test('a long flat chain parses and evaluates without deep recursion', () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `t${i}`);
    const ast = parseDepends(names.join(' && '));
    assert.equal(dependsTaskNames(ast).length, 20_000);
    assert.equal(
      evaluateDepends(ast, () => ({ phase: 'Succeeded' })),
      true,
    );
  });
});

describe('dependsTaskNames', () => {
  test('lists distinct names in order of appearance', () => {
    assert.deepEqual(dependsTaskNames(parseDepends('B && (A.Failed || B.Skipped) && !C')), ['B', 'A', 'C']);
  });
});

describe('evaluateDepends', () => {
  const phases = (map: Record<string, DependencyState | undefined>) => (task: string) => map[task];
  const cases: Array<[string, Record<string, DependencyState | undefined>, boolean | undefined]> = [
    ['A', { A: { phase: 'Succeeded' } }, true],
    ['A', { A: { phase: 'Skipped' } }, true],
    ['A', { A: { phase: 'Failed' } }, false],
    ['A', { A: { phase: 'Error' } }, false],
    ['A', { A: { phase: 'Omitted' } }, false],
    ['A', { A: { phase: 'Running', daemoned: true } }, true],
    ['A', { A: { phase: 'Pending', daemoned: true } }, undefined],
    ['A', { A: { phase: 'Running' } }, undefined],
    ['A', {}, undefined],
    ['A.Failed', { A: { phase: 'Failed' } }, true],
    ['A.Errored', { A: { phase: 'Error' } }, true],
    ['A.Omitted', { A: { phase: 'Omitted' } }, true],
    ['A.Skipped', { A: { phase: 'Succeeded' } }, false],
    ['A.Daemoned', { A: { phase: 'Succeeded', daemoned: true } }, true],
    ['A.AnySucceeded', { A: { phase: 'Failed', childPhases: ['Failed', 'Succeeded'] } }, true],
    ['A.AnySucceeded', { A: { phase: 'Failed', childPhases: ['Failed'] } }, false],
    ['A.AnySucceeded', { A: { phase: 'Succeeded' } }, false],
    ['A.AllFailed', { A: { phase: 'Failed', childPhases: ['Failed', 'Failed'] } }, true],
    ['A.AllFailed', { A: { phase: 'Failed', childPhases: ['Failed', 'Error'] } }, false],
    ['A.AllFailed', { A: { phase: 'Failed', childPhases: [] } }, false],
    ['A && (C.Succeeded || C.Failed)', { A: { phase: 'Succeeded' }, C: { phase: 'Failed' } }, true],
    ['B.Failed && C', { B: { phase: 'Succeeded' }, C: { phase: 'Succeeded' } }, false],
    ['!D.Errored', { D: { phase: 'Succeeded' } }, true],
    // Argo waits for every mentioned task, even when the answer is already known.
    ['A || B', { A: { phase: 'Succeeded' }, B: { phase: 'Running' } }, undefined],
    ['A || B', { A: { phase: 'Succeeded' }, B: { phase: 'Failed' } }, true],
  ];
  for (const [text, states, expected] of cases) {
    test(`${text} with ${JSON.stringify(states)} → ${expected}`, () => assert.equal(evaluateDepends(parseDepends(text), phases(states)), expected));
  }

  test("a bare name accepts what the dependency's continueOn allows", () => {
    const ast = parseDepends('A');
    const failed = () => ({ phase: 'Failed' });
    assert.equal(evaluateDepends(ast, failed), false);
    assert.equal(evaluateDepends(ast, failed, { continueOn: () => ({ failed: true }) }), true);
    assert.equal(
      evaluateDepends(ast, () => ({ phase: 'Error' }), { continueOn: () => ({ failed: true }) }),
      false,
    );
    assert.equal(
      evaluateDepends(ast, () => ({ phase: 'Error' }), { continueOn: () => ({ error: true }) }),
      true,
    );
    assert.equal(evaluateDepends(parseDepends('A.Succeeded'), failed, { continueOn: () => ({ failed: true }) }), false);
  });
});

describe('dependenciesToDepends', () => {
  test('spells the legacy list as Argo expands it', () => {
    assert.equal(dependenciesToDepends(['A', 'B']), '(A.Succeeded || A.Skipped || A.Daemoned) && (B.Succeeded || B.Skipped || B.Daemoned)');
    assert.equal(
      dependenciesToDepends(['A'], () => ({ failed: true, error: true })),
      '(A.Succeeded || A.Skipped || A.Daemoned || A.Errored || A.Failed)',
    );
    assert.equal(dependenciesToDepends([]), '');
  });

  test('the expansion parses and evaluates like the bare names', () => {
    const expanded = parseDepends(dependenciesToDepends(['A', 'B']));
    const bare = parseDepends('A && B');
    for (const phase of ['Succeeded', 'Skipped', 'Failed', 'Error', 'Omitted']) {
      const states = (task: string) => ({ phase: task === 'A' ? 'Succeeded' : phase });
      assert.equal(evaluateDepends(expanded, states), evaluateDepends(bare, states), phase);
    }
  });
});
