import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateExpression } from '../../src/expr/expression-evaluator.js';

// Shared by the sprig family tests: each case is an expression and what sprig (Go) returns for it.

export function expectValues(cases: ReadonlyArray<readonly [string, unknown]>, env: Record<string, unknown> = {}): void {
  for (const [source, expected] of cases) {
    test(`${source} → ${JSON.stringify(expected)}`, () => assert.deepEqual(evaluateExpression(source, env), expected));
  }
}

export function expectErrors(cases: ReadonlyArray<readonly [string, RegExp]>, env: Record<string, unknown> = {}): void {
  for (const [source, message] of cases) {
    test(`${source} fails`, () => assert.throws(() => evaluateExpression(source, env), message));
  }
}
