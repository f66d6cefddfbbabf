import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { jqPath, kubectlJsonPath, ResourceOutputError } from '../../../../src/runtime/cluster/resource-template/resource-output-value.js';

const job = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'rand-num-x7', uid: 'u-1', labels: { app: 'rand', 'app.kubernetes.io/name': 'r' } },
  spec: { completions: 3 },
  status: {
    succeeded: 3,
    conditions: [
      { type: 'Complete', status: 'True' },
      { type: 'Other', status: 'False' },
    ],
  },
};

describe("resource output values (kubectl's jsonpath, jq paths)", () => {
  test('jsonPath reads strings as they are and everything else as JSON', () => {
    assert.equal(kubectlJsonPath(job, '{.metadata.name}'), 'rand-num-x7');
    assert.equal(kubectlJsonPath(job, '{.status.succeeded}'), '3');
    assert.equal(kubectlJsonPath(job, '{.spec}'), '{"completions":3}');
    assert.equal(kubectlJsonPath(job, '{.kind}/{.metadata.name}'), 'Job/rand-num-x7');
    assert.equal(kubectlJsonPath(job, '{$.metadata.uid}'), 'u-1');
    assert.equal(kubectlJsonPath(job, "{.metadata.labels['app.kubernetes.io/name']}"), 'r');
    assert.equal(kubectlJsonPath(job, '{.status.conditions[0].type}'), 'Complete');
  });

  test('jsonPath joins several matches with spaces, and gives nothing for a missing key (kubectl default)', () => {
    assert.equal(kubectlJsonPath(job, '{.status.conditions[*].type}'), 'Complete Other');
    assert.equal(kubectlJsonPath(job, "{.status.conditions[?(@.status == 'True')].type}"), 'Complete');
    assert.equal(kubectlJsonPath(job, '{.status.active}'), '');
    assert.equal(kubectlJsonPath(job, '{.status.conditions[7].type}'), '');
  });

  test('jsonPath refuses what it cannot read, saying so', () => {
    assert.throws(() => kubectlJsonPath(job, '{.metadata.name'), /never closed/);
    assert.throws(() => kubectlJsonPath(job, '{range .items[*]}{.x}{end}'), ResourceOutputError);
  });

  test('jqFilter paths: the whole object, fields, indexes, quoted keys; null for what is missing', () => {
    assert.deepEqual(JSON.parse(jqPath(job, '.')), job);
    assert.equal(jqPath(job, '.metadata.name'), 'rand-num-x7');
    assert.equal(jqPath(job, '.status.conditions[1].type'), 'Other');
    assert.equal(jqPath(job, '.status.conditions[-1].type'), 'Other');
    assert.equal(jqPath(job, '.metadata.labels["app.kubernetes.io/name"]'), 'r');
    assert.equal(jqPath(job, '.status.nothing.deeper'), 'null');
  });

  test('jqFilter beyond paths is refused, pointing to jsonPath', () => {
    assert.throws(() => jqPath(job, '.items | length'), /only jq paths are understood.*valueFrom.jsonPath/);
    assert.throws(() => jqPath(job, 'keys'), ResourceOutputError);
  });
});
