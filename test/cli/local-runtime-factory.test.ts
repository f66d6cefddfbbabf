import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRunEnvironment, egressAllowed } from '../../src/cli/local-runtime-factory.js';

describe('SKIFF_ALLOW_EGRESS', () => {
  it('is off unless set to 1 or true', () => {
    assert.equal(egressAllowed({}), false);
    assert.equal(egressAllowed({ SKIFF_ALLOW_EGRESS: '0' }), false);
    assert.equal(egressAllowed({ SKIFF_ALLOW_EGRESS: 'false' }), false);
    assert.equal(egressAllowed({ SKIFF_ALLOW_EGRESS: '1' }), true);
    assert.equal(egressAllowed({ SKIFF_ALLOW_EGRESS: 'TRUE' }), true);
  });

  it('refuses anything else before a run starts', () => {
    assert.throws(() => checkRunEnvironment({ SKIFF_ALLOW_EGRESS: 'yes please' }), /SKIFF_ALLOW_EGRESS="yes please" is neither 1 nor 0/);
  });
});
