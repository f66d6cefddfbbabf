import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateExpression } from '../../src/expr/expression-evaluator.js';
import { BARE_FUNCTION_NAMES, SPRIG_FUNCTION_NAMES } from '../../src/expr/function-names.js';
import { REFUSED_SPRIG_FUNCTIONS } from '../../src/expr/refused-sprig-functions.js';

// The lint's lists of names must be exactly what the evaluator calls.
function failure(source: string): string {
  try {
    evaluateExpression(source, {}, { now: 0, seed: 'names' });
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

test('every listed name is callable', () => {
  for (const name of BARE_FUNCTION_NAMES) assert.doesNotMatch(failure(`${name}()`), /unknown function/, name);
  for (const name of SPRIG_FUNCTION_NAMES) assert.doesNotMatch(failure(`sprig.${name}()`), /unknown function|not offered/, name);
});

test('refused names are refused with their reason, and are not listed as offered', () => {
  for (const [name, reason] of Object.entries(REFUSED_SPRIG_FUNCTIONS)) {
    assert.ok(!SPRIG_FUNCTION_NAMES.includes(name), name);
    assert.ok(failure(`sprig.${name}()`).includes(reason), name);
  }
  assert.match(failure('nosuch()'), /unknown function nosuch/);
});
