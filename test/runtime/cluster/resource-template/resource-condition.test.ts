import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  conditionOutcome,
  fieldText,
  parseResourceCondition,
  requirementHolds,
  ResourceConditionError,
} from '../../../../src/runtime/cluster/resource-template/resource-condition.js';

const job = {
  metadata: { name: 'rand', labels: { 'app.kubernetes.io/name': 'x' } },
  status: { succeeded: 3, failed: 0, phase: 'Running', ready: true, conditions: [{ type: 'Complete' }], replicaStatuses: { Worker: { succeeded: 2 } } },
};
const holds = (condition: string, object: unknown = job): boolean => parseResourceCondition(condition).every((r) => requirementHolds(object, r));

describe('resource conditions (label-selector syntax over fields)', () => {
  test('reads fields by dotted path: numbers, strings, list items, list lengths, escaped dots', () => {
    assert.deepEqual(fieldText(job, 'status.succeeded'), { exists: true, text: '3' });
    assert.deepEqual(fieldText(job, 'status.phase'), { exists: true, text: 'Running' });
    assert.deepEqual(fieldText(job, 'status.conditions.0.type'), { exists: true, text: 'Complete' });
    assert.deepEqual(fieldText(job, 'status.conditions.#'), { exists: true, text: '1' });
    assert.deepEqual(fieldText(job, 'metadata.labels.app\\.kubernetes\\.io/name'), { exists: true, text: 'x' });
    assert.deepEqual(fieldText(job, 'status.missing'), { exists: false, text: '' });
    assert.deepEqual(fieldText(job, 'status.conditions.5.type'), { exists: false, text: '' });
  });

  test('compares as Argo examples do: >, <, ==, =, !=, in, notin, exists, !', () => {
    assert.equal(holds('status.succeeded > 2'), true);
    assert.equal(holds('status.succeeded > 3'), false);
    assert.equal(holds('status.failed < 1'), true);
    assert.equal(holds('status.phase == Running'), true);
    assert.equal(holds('status.phase = Succeeded'), false);
    assert.equal(holds('status.phase != Failed'), true);
    assert.equal(holds('status.phase in (Failed, Error)'), false);
    assert.equal(holds('status.phase in (Running,Error)'), true);
    assert.equal(holds('status.phase notin (Failed, Error)'), true);
    assert.equal(holds('status.replicaStatuses.Worker.succeeded = 2'), true);
    assert.equal(holds('status.ready == true'), true);
    assert.equal(holds('status.succeeded'), true);
    assert.equal(holds('!status.active'), true);
    assert.equal(holds('!status.succeeded'), false);
    assert.equal(holds('status.succeeded > 2, status.phase == Running'), true);
    assert.equal(holds('status.succeeded > 2, status.phase == Done'), false);
  });

  test('a missing field fails =, in, > and <, and passes != and notin, as label selectors do', () => {
    assert.equal(holds('status.active > 0'), false);
    assert.equal(holds('status.active < 1'), false);
    assert.equal(holds('status.active == 1'), false);
    assert.equal(holds('status.active != 1'), true);
    assert.equal(holds('status.active notin (1)'), true);
    // A field that is not a whole number never compares.
    assert.equal(holds('status.phase > 1'), false);
  });

  test('a failure condition wins over success; no success condition means success', () => {
    const success = parseResourceCondition('status.succeeded > 2');
    const failure = parseResourceCondition('status.failed > 1');
    assert.deepEqual(conditionOutcome(job, success, failure), { state: 'succeeded' });
    assert.equal(conditionOutcome({ status: { succeeded: 1 } }, success, failure).state, 'waiting');
    const both = conditionOutcome({ status: { succeeded: 3, failed: 2 } }, success, failure);
    assert.equal(both.state, 'failed');
    assert.equal(both.state === 'failed' && both.requirement.key, 'status.failed');
    assert.deepEqual(conditionOutcome({}, [], failure), { state: 'succeeded' });
  });

  test('bad conditions are refused with a message naming the part and what is expected', () => {
    assert.throws(() => parseResourceCondition(''), ResourceConditionError);
    assert.throws(() => parseResourceCondition('status.succeeded > two'), /compares whole numbers, and "two" is not one/);
    assert.throws(() => parseResourceCondition('status.phase ~= x'), /cannot read "status.phase ~= x".*expected key/);
    assert.throws(() => parseResourceCondition('status.a == 1,'), /an empty requirement/);
    assert.throws(() => parseResourceCondition('status.phase == $(rm -rf)'), /cannot read/);
  });
});
