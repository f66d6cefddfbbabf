import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffFields } from '../../../src/sync/plan/field-diff.js';
import { fieldOwners } from '../../../src/sync/plan/managed-fields.js';

test('diffFields lists the leaves that differ, in order, with before and after', () => {
  const before = { data: { a: '1', b: '2', gone: 'x' }, spec: { templates: [{ name: 'main', container: { image: 'alpine:3.19', args: ['a', 'b'] } }] } };
  const after = { data: { a: '1', b: '3', new: 'y' }, spec: { templates: [{ name: 'main', container: { image: 'alpine:3.20', args: ['a', 'c'] } }] } };
  assert.deepEqual(diffFields(before, after), [
    { path: 'data.b', before: '2', after: '3' },
    { path: 'data.gone', before: 'x' },
    { path: 'data.new', after: 'y' },
    { path: 'spec.templates[0].container.args', before: ['a', 'b'], after: ['a', 'c'] },
    { path: 'spec.templates[0].container.image', before: 'alpine:3.19', after: 'alpine:3.20' },
  ]);
});

test('diffFields leaves out what the server keeps, the status, and ignored paths; keys with dots are quoted', () => {
  const live = {
    metadata: {
      name: 'x',
      resourceVersion: '7',
      uid: 'u',
      managedFields: [{}],
      generation: 2,
      labels: { 'app.kubernetes.io/name': 'a' },
      annotations: { 'skiff.dev/commit': 'old' },
    },
    status: { phase: 'Running' },
    data: { a: '1' },
  };
  const predicted = {
    metadata: { name: 'x', resourceVersion: '8', labels: { 'app.kubernetes.io/name': 'b' }, annotations: { 'skiff.dev/commit': 'new' } },
    data: { a: '1' },
  };
  assert.deepEqual(diffFields(live, predicted, new Set(['metadata.annotations["skiff.dev/commit"]'])), [
    { path: 'metadata.labels["app.kubernetes.io/name"]', before: 'a', after: 'b' },
  ]);
  assert.deepEqual(diffFields(live, live), []);
});

test('fieldOwners reads FieldsV1 as paths, skipping the status subresource', () => {
  const owners = fieldOwners([
    {
      manager: 'skiff',
      operation: 'Apply',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:data': { 'f:a': {} }, 'f:metadata': { 'f:labels': { 'f:app.kubernetes.io/managed-by': {} } } },
    },
    {
      manager: 'kubectl-edit',
      operation: 'Update',
      time: '2026-12-04T01:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:data': { '.': {}, 'f:b': {} },
        'f:spec': { 'f:containers': { 'k:{"name":"main"}': { '.': {}, 'f:image': {} } }, 'f:args': { 'i:0': {} }, 'f:finalizers': { 'v:x': {} } },
      },
    },
    { manager: 'argo', operation: 'Update', subresource: 'status', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': { 'f:phase': {} } } },
  ]);
  assert.deepEqual(
    owners.map((o) => `${o.manager} ${o.path}`),
    [
      'skiff data.a',
      'skiff metadata.labels["app.kubernetes.io/managed-by"]',
      'kubectl-edit data.b',
      'kubectl-edit spec.containers[name=main].image',
      'kubectl-edit spec.args[0]',
      'kubectl-edit spec.finalizers[=x]',
    ],
  );
  assert.equal(owners[2]?.time, '2026-12-04T01:00:00Z');
});
