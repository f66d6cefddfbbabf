import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../../src/cli/cli-io.js';
import { parseNodeFieldSelector } from '../../src/cli/node-field-selector.js';
import type { NodeStatus } from '../../src/engine/workflow-status.js';

const node = {
  id: 'wf-123',
  name: 'wf[0].build',
  displayName: 'build',
  type: 'Pod',
  phase: 'Failed',
  templateName: 'compile',
  templateRef: { name: 'lib', template: 'compile' },
  inputs: { parameters: [{ name: 'target', value: 'arm64' }] },
} as NodeStatus;

describe('parseNodeFieldSelector', () => {
  for (const [selector, matches] of [
    ['displayName=build', true],
    ['displayName==build', true],
    ['displayName!=build', false],
    ['phase=Failed,templateName=compile', true],
    ['phase=Failed,templateName=other', false],
    ['templateRef.name=lib', true],
    ['templateRef.template=compile', true],
    ['inputs.parameters.target.value=arm64', true],
    ['inputs.parameters.other.value=arm64', false],
    ['id=wf-123', true],
    ['type=Pod', true],
  ] as const) {
    test(`"${selector}" ${matches ? 'matches' : 'does not match'}`, () => assert.equal(parseNodeFieldSelector(selector)(node), matches));
  }
  test('an unknown field or a malformed part is a usage error', () => {
    assert.throws(
      () => parseNodeFieldSelector('colour=red'),
      (e: Error) => e instanceof UsageError && /unknown field "colour"/.test(e.message),
    );
    assert.throws(
      () => parseNodeFieldSelector('phase'),
      (e: Error) => e instanceof UsageError && /expected FIELD=VALUE/.test(e.message),
    );
  });
});
