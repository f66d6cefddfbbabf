import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generatedRunName, runSuffix } from '../../src/runs/run-suffix.js';

test('a generated run name keeps a short prefix whole and cuts a long one so the name fits a label value (63 characters)', () => {
  assert.equal(generatedRunName('hello-world-', 'x7k2q'), 'hello-world-x7k2q');
  const long = 'global-parameter-from-configmap-referenced-as-local-variable-';
  const name = generatedRunName(long, runSuffix());
  assert.equal(name.length, 63);
  assert.ok(name.startsWith(long.slice(0, 58)));
  assert.match(name, /^[a-z0-9-]+$/);
});
