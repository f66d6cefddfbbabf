import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expressionCalls } from '../../src/expr/expression-calls.js';

test('expressionCalls lists named calls in order, with their columns, and leaves method calls out', () => {
  assert.deepEqual(expressionCalls('sprig.upper(asInt(x))'), [
    { name: 'sprig.upper', sprig: true, column: 1 },
    { name: 'asInt', sprig: false, column: 13 },
  ]);
  assert.deepEqual(
    expressionCalls('map(xs, {sprig.trim(#)}) + [now().Format("x")] + {k: nope(1)}["k"]').map((c) => c.name),
    ['map', 'sprig.trim', 'now', 'nope'],
  );
  assert.deepEqual(expressionCalls('a.b + 1'), []);
});
