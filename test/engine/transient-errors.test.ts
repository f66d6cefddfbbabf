import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Template } from '../../src/spec/model/workflow.js';
import { isTransientFailure, transientErrorPattern } from '../../src/engine/transient-errors.js';
import { echo, simulate, workflowOf, type Script } from './simulate-run.js';

const flaky = (extra: Partial<Template> = {}): Template => ({ name: 'main', ...echo, retryStrategy: { limit: 3, retryPolicy: 'OnTransientError' }, ...extra });

/** The first `n` attempts fail as `first`, the rest succeed. */
function failingFirst(n: number, first: { exitCode?: number; error?: string }): Script {
  let count = 0;
  return () => (count++ < n ? first : { exitCode: 0 });
}

test('isTransientFailure: network and etcd messages are transient, exit codes and other messages are not', () => {
  assert.equal(isTransientFailure('dial tcp 10.0.0.1:9000: connect: connection refused'), true);
  assert.equal(isTransientFailure('read tcp: connection reset by peer'), true);
  assert.equal(isTransientFailure('etcdserver: leader changed'), true);
  assert.equal(isTransientFailure('uploading artifact "out": connect ECONNREFUSED 127.0.0.1:9000'), true, 'as Node words it');
  assert.equal(isTransientFailure('read ECONNRESET'), true);
  assert.equal(isTransientFailure('Error (exit code 1)'), false);
  assert.equal(isTransientFailure('Pod was active on the node longer than the specified deadline'), false);
  assert.equal(isTransientFailure(undefined), false);
  assert.equal(isTransientFailure('image pull backoff', /pull/), true);
  assert.equal(isTransientFailure('image pull backoff', /quota/), false);
});

test('transientErrorPattern: empty is none, a malformed pattern is refused with its reason', () => {
  assert.equal(transientErrorPattern(''), undefined);
  assert.equal(transientErrorPattern(undefined), undefined);
  assert.ok(transientErrorPattern('quota|throttl')!.test('throttled'));
  assert.throws(() => transientErrorPattern('(unclosed'), /TRANSIENT_ERROR_PATTERN "\(unclosed" is not a regular expression/);
});

test('OnTransientError retries an attempt that failed for a transient reason, Failed or Error', () => {
  const error = simulate(workflowOf({ entrypoint: 'main', templates: [flaky()] }), {
    script: failingFirst(2, { error: 'dial tcp 10.0.0.7:443: i/o timeout' }),
  });
  assert.equal(error.status.phase, 'Succeeded', error.status.message);
  assert.equal(error.pods.length, 3);
  assert.equal(error.byName('wf(0)')!.phase, 'Error');
  assert.equal(error.byName('wf(2)')!.phase, 'Succeeded');
});

test('OnTransientError does not retry a step that exits non-zero, nor an error that is not transient', () => {
  const exit = simulate(workflowOf({ entrypoint: 'main', templates: [flaky()] }), { script: failingFirst(1, { exitCode: 1 }) });
  assert.equal(exit.status.phase, 'Failed');
  assert.equal(exit.pods.length, 1);
  assert.equal(exit.byName('wf')!.message, 'Error (exit code 1)');

  const lost = simulate(workflowOf({ entrypoint: 'main', templates: [flaky()] }), { script: failingFirst(1, { error: 'image "nope" not found' }) });
  assert.equal(lost.status.phase, 'Error');
  assert.equal(lost.pods.length, 1);
});

test('OnTransientError with the engine option transientErrorPattern also retries what the pattern matches; limit still applies', () => {
  const workflow = workflowOf({ entrypoint: 'main', templates: [flaky({ retryStrategy: { limit: 1, retryPolicy: 'OnTransientError' } })] });
  const matched = simulate(workflow, {
    script: failingFirst(5, { error: 'runner out of slots' }),
    definition: { options: { transientErrorPattern: 'out of slots' } },
  });
  assert.equal(matched.pods.length, 2, 'one retry, then the limit');
  assert.equal(matched.status.phase, 'Error');
  assert.equal(matched.byName('wf')!.message, 'No more retries left');

  const unmatched = simulate(workflow, {
    script: failingFirst(5, { error: 'runner out of slots' }),
    definition: { options: { transientErrorPattern: 'quota' } },
  });
  assert.equal(unmatched.pods.length, 1);
});

test('a malformed transientErrorPattern ends the run in Error with the reason', () => {
  const r = simulate(workflowOf({ entrypoint: 'main', templates: [flaky()] }), { definition: { options: { transientErrorPattern: '[' } } });
  assert.equal(r.status.phase, 'Error');
  assert.match(r.status.message ?? '', /TRANSIENT_ERROR_PATTERN "\[" is not a regular expression/);
});
