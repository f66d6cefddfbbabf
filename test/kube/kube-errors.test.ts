// The API server's failures as typed errors, from Status bodies shaped as kube-apiserver 1.36 sends
// them (the library puts the response text, unparsed, in ApiException.body).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiException } from '@kubernetes/client-node';
import {
  describeObject,
  fromStatus,
  isNotFound,
  isRetryable,
  KubeAlreadyExistsError,
  KubeConflictError,
  KubeError,
  KubeForbiddenError,
  KubeGoneError,
  KubeInvalidError,
  KubeNotFoundError,
  KubeUnauthorizedError,
  KubeUnavailableError,
  KubeUnknownKindError,
  toKubeError,
} from '../../src/kube/kube-errors.js';

function apiException(code: number, status: Record<string, unknown>, headers: Record<string, string> = {}): ApiException<string> {
  return new ApiException(
    code,
    'Unsuccessful HTTP Request',
    JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, ...status }),
    headers,
  );
}

const SETTINGS = { kind: 'ConfigMap', namespace: 'ci', name: 'settings' };

describe('toKubeError', () => {
  test('404 is not found, naming the object and keeping the server’s words', () => {
    const error = toKubeError(
      apiException(404, { message: 'configmaps "settings" not found', reason: 'NotFound', details: { name: 'settings', kind: 'configmaps' } }),
      SETTINGS,
    );
    assert.ok(error instanceof KubeNotFoundError);
    assert.equal(error.status, 404);
    assert.equal(error.reason, 'NotFound');
    assert.equal(error.message, 'ConfigMap ci/settings: not found (configmaps "settings" not found)');
    assert.equal(error.retryable, false);
    assert.equal(isNotFound(error), true);
  });

  test('409 AlreadyExists and 409 Conflict are told apart by reason', () => {
    const exists = toKubeError(apiException(409, { message: 'configmaps "settings" already exists', reason: 'AlreadyExists' }), SETTINGS);
    assert.ok(exists instanceof KubeAlreadyExistsError);
    assert.match(exists.message, /^ConfigMap ci\/settings: already exists/);

    const stale = toKubeError(
      apiException(409, {
        message:
          'Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again',
        reason: 'Conflict',
        details: { name: 'settings', kind: 'configmaps' },
      }),
      SETTINGS,
    );
    assert.ok(stale instanceof KubeConflictError);
    assert.ok(!(stale instanceof KubeAlreadyExistsError));
    assert.deepEqual(stale.fieldConflicts, []);
    assert.match(stale.message, /changed since it was read/);
    assert.equal(isRetryable(stale), false);
  });

  test('an apply conflict lists the fields another manager owns', () => {
    const error = toKubeError(
      apiException(409, {
        message: 'Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.mode',
        reason: 'Conflict',
        details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-edit" using v1', field: '.data.mode' }] },
      }),
      SETTINGS,
    );
    assert.ok(error instanceof KubeConflictError);
    assert.deepEqual(error.fieldConflicts, [{ field: '.data.mode', reason: 'FieldManagerConflict', message: 'conflict with "kubectl-edit" using v1' }]);
    assert.match(error.message, /apply conflict: fields owned by another field manager: \.data\.mode \(conflict with "kubectl-edit" using v1\)/);
  });

  test('410 is gone, from a response or a watch’s ERROR event', () => {
    const fromResponse = toKubeError(apiException(410, { message: 'too old resource version: 5 (907)', reason: 'Expired' }), {
      kind: 'ConfigMap',
      namespace: 'ci',
    });
    assert.ok(fromResponse instanceof KubeGoneError);
    assert.match(fromResponse.message, /^ConfigMap in ci: resource version expired/);
    const fromEvent = fromStatus({ kind: 'Status', status: 'Failure', code: 410, reason: 'Expired', message: 'too old resource version: 5 (907)' });
    assert.ok(fromEvent instanceof KubeGoneError);
  });

  test('422 carries the field causes', () => {
    const error = toKubeError(
      apiException(422, {
        message:
          'ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters',
        reason: 'Invalid',
        details: {
          name: 'Bad_Name',
          kind: 'ConfigMap',
          causes: [
            {
              reason: 'FieldValueInvalid',
              message: 'Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters',
              field: 'metadata.name',
            },
          ],
        },
      }),
      { kind: 'ConfigMap', namespace: 'ci', name: 'Bad_Name' },
    );
    assert.ok(error instanceof KubeInvalidError);
    assert.equal(error.causes.length, 1);
    assert.equal(error.causes[0]?.field, 'metadata.name');
    assert.equal(error.causes[0]?.reason, 'FieldValueInvalid');
    assert.match(error.message, /^ConfigMap ci\/Bad_Name: invalid: metadata\.name: Invalid value: "Bad_Name"/);
  });

  test('a Secret’s validation messages never carry the refused value', () => {
    const error = toKubeError(
      apiException(422, {
        message: 'Secret "creds" is invalid: data[token]: Invalid value: "hunter2-very-secret": something',
        reason: 'Invalid',
        details: {
          kind: 'Secret',
          causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "hunter2-very-secret": something', field: 'data[token]' }],
        },
      }),
      { kind: 'Secret', namespace: 'ci', name: 'creds' },
    );
    assert.ok(error instanceof KubeInvalidError);
    assert.doesNotMatch(error.message, /hunter2/);
    assert.doesNotMatch(JSON.stringify(error.causes), /hunter2/);
    assert.doesNotMatch(error.serverMessage, /hunter2/);
    assert.equal(error.cause, undefined, 'the raw response (with its body) is not kept');
    assert.match(error.message, /data\[token\]: Invalid value: <redacted>/);
  });

  test('403 is forbidden and 401 unauthorized', () => {
    const forbidden = toKubeError(
      apiException(403, {
        message: 'configmaps is forbidden: User "jane" cannot list resource "configmaps" in API group "" in the namespace "ci"',
        reason: 'Forbidden',
      }),
      { kind: 'ConfigMap', namespace: 'ci' },
    );
    assert.ok(forbidden instanceof KubeForbiddenError);
    assert.equal(forbidden.retryable, false);
    assert.ok(toKubeError(new ApiException(401, 'Unauthorized', undefined, {})) instanceof KubeUnauthorizedError);
  });

  test('429, 500 ServerTimeout, 503 and 504 are retryable; a plain 500 is not', () => {
    const busy = toKubeError(apiException(429, { message: 'too many requests', reason: 'TooManyRequests', details: { retryAfterSeconds: 3 } }), SETTINGS);
    assert.ok(busy instanceof KubeUnavailableError);
    assert.equal(busy.retryAfterSeconds, 3);
    assert.equal(isRetryable(busy), true);

    const fromHeader = toKubeError(apiException(429, { reason: 'TooManyRequests' }, { 'retry-after': '7' }));
    assert.equal((fromHeader as KubeUnavailableError).retryAfterSeconds, 7);

    const timeout = toKubeError(apiException(500, { message: 'The list operation could not be completed at this time', reason: 'ServerTimeout' }));
    assert.ok(timeout instanceof KubeUnavailableError);
    assert.equal(isRetryable(apiException(503, { reason: 'ServiceUnavailable' })), true);
    assert.equal(isRetryable(apiException(504, { reason: 'Timeout' })), true);

    const internal = toKubeError(apiException(500, { message: 'Internal error occurred: boom', reason: 'InternalError' }));
    assert.equal(internal.constructor, KubeError);
    assert.equal(internal.retryable, false);
  });

  test('a connection refused or reset is retryable, wherever the code sits', () => {
    const reset = Object.assign(new Error('request to https://127.0.0.1:6443/api/v1 failed, reason: socket hang up'), { code: 'ECONNRESET', type: 'system' });
    const typed = toKubeError(reset, SETTINGS);
    assert.ok(typed instanceof KubeUnavailableError);
    assert.equal(typed.status, undefined);
    assert.equal(typed.reason, 'ECONNRESET');
    assert.equal(isRetryable(new Error('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) })), true);
    assert.equal(isRetryable(new Error('something else')), false);
  });

  test('the watch’s error with only a statusCode is typed by it', () => {
    assert.ok(toKubeError(Object.assign(new Error('Gone'), { statusCode: 410 })) instanceof KubeGoneError);
  });

  test('a body that is not a Status is cut short, not dumped', () => {
    const error = toKubeError(new ApiException(502, 'Bad Gateway', `<html>${'x'.repeat(5000)}</html>`, {}));
    assert.equal(error.status, 502);
    assert.ok(error.message.length < 300, error.message);
  });

  test('the library’s unknown kind error is typed, and a KubeError passes through', () => {
    assert.ok(toKubeError(new Error('Unrecognized API version and kind: argoproj.io/v1alpha1 Nope')) instanceof KubeUnknownKindError);
    const error = new KubeNotFoundError('not found', { status: 404, reason: 'NotFound', object: SETTINGS, serverMessage: '' });
    assert.equal(toKubeError(error, { kind: 'Other' }), error);
  });
});

describe('describeObject', () => {
  test('namespaced, cluster-scoped and collections', () => {
    assert.equal(describeObject({ kind: 'Secret', namespace: 'argo', name: 'minio' }), 'Secret argo/minio');
    assert.equal(describeObject({ kind: 'ClusterWorkflowTemplate', name: 'shared' }), 'ClusterWorkflowTemplate shared');
    assert.equal(describeObject({ kind: 'ConfigMap', namespace: 'ci' }), 'ConfigMap in ci');
  });
});
