import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredRun } from '../../../src/ports/run-store.js';
import { REDACTED, runSecretRedactor, secretRedactor } from '../../../src/server/run-page/secret-redactor.js';

describe('secret redaction', () => {
  it('hides every value, the longest first, line by line for multi-line values, and leaves short ones', () => {
    const redactor = secretRedactor(['hunter22', 'hunter2245', 'line-one\nline-two', 'ab', 'a.b*c']);
    assert.equal(redactor.redact('pw=hunter2245 and hunter22'), `pw=${REDACTED} and ${REDACTED}`);
    assert.equal(redactor.redact('got line-two'), `got ${REDACTED}`);
    assert.equal(redactor.redact('ab a.b*c axbyc'), `ab ${REDACTED} axbyc`);
  });

  it("reads the values of the Secrets a run's workflow refers to, in its namespace", async () => {
    const run = {
      key: 'ci/wf',
      workflow: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Workflow',
        metadata: { name: 'wf', namespace: 'ci' },
        spec: {
          templates: [
            {
              name: 'main',
              container: { image: 'alpine', env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } }] },
              volumes: [{ name: 'v', secret: { secretName: 'mounted' } }],
            },
          ],
        },
      },
      status: { phase: 'Running', nodes: {} },
    } as unknown as StoredRun;
    const stored: Record<string, Record<string, string>> = {
      'ci/creds': { token: 'tok-123456', other: 'not-read-here' },
      'ci/mounted': { a: 'mounted-value' },
      'default/creds': { token: 'wrong-namespace' },
    };
    const redactor = await runSecretRedactor(run, { secret: async (ns, name) => stored[`${ns}/${name}`] }, 'ci');
    assert.equal(redactor.redact('tok-123456 not-read-here mounted-value wrong-namespace'), `${REDACTED} not-read-here ${REDACTED} wrong-namespace`);
  });
});
