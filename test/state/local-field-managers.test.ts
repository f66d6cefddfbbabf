import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubernetesObject } from '../../src/spec/model/kubernetes.js';
import { applyAs, updateAs } from '../../src/state/local-field-managers.js';
import { fieldOwners } from '../../src/sync/plan/managed-fields.js';

const now = new Date('2026-12-04T10:00:00Z');

function configMap(data: Record<string, string>, labels?: Record<string, string>): KubernetesObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'ci', ...(labels ? { labels } : {}) }, data } as KubernetesObject;
}

function owners(object: KubernetesObject | undefined): string[] {
  return fieldOwners((object?.metadata as { managedFields?: never } | undefined)?.managedFields)
    .map((o) => `${o.path}=${o.manager}/${o.operation}`)
    .sort();
}

describe('field managers in the local state directory', () => {
  it('an apply creates the object and owns every field it declared, not its identity', () => {
    const { object } = applyAs(undefined, configMap({ a: '1' }, { team: 'x' }), 'skiff', { now });
    assert.deepEqual((object as { data?: unknown }).data, { a: '1' });
    assert.deepEqual(owners(object), ['data.a=skiff/Apply', 'metadata.labels.team=skiff/Apply']);
  });

  it('a field the manager stops declaring is removed; one another manager owns stays', () => {
    const first = applyAs(undefined, configMap({ a: '1', b: '2', c: '3' }), 'skiff', { now }).object!;
    const edited = updateAs(first, configMap({ a: '1', b: '2', c: 'by hand' }), 'kubectl-edit', now);
    const { object } = applyAs(edited, configMap({ a: '1' }), 'skiff', { now, force: false });
    assert.deepEqual((object as { data?: unknown }).data, { a: '1', c: 'by hand' });
    assert.deepEqual(owners(object), ['data.a=skiff/Apply', 'data.c=kubectl-edit/Update']);
  });

  it("applying over another manager's field with another value is a conflict naming both; force takes the field", () => {
    const mine = applyAs(undefined, configMap({ a: '1' }), 'skiff', { now }).object!;
    const edited = updateAs(mine, configMap({ a: 'by hand' }), 'kubectl-edit', now);
    assert.deepEqual(owners(edited), ['data.a=kubectl-edit/Update']);
    const refused = applyAs(edited, configMap({ a: '1' }), 'skiff', { now });
    assert.equal(refused.object, undefined);
    assert.deepEqual(refused.conflicts, [{ path: 'data.a', manager: 'kubectl-edit' }]);
    const forced = applyAs(edited, configMap({ a: '1' }), 'skiff', { now, force: true });
    assert.deepEqual((forced.object as { data?: unknown }).data, { a: '1' });
    assert.deepEqual(owners(forced.object), ['data.a=skiff/Apply']);
  });

  it('the same value under two managers is shared, not a conflict', () => {
    const mine = applyAs(undefined, configMap({ a: '1' }), 'skiff', { now }).object!;
    const theirs = applyAs(mine, configMap({ a: '1' }), 'other', { now });
    assert.deepEqual(theirs.conflicts, []);
    assert.deepEqual(owners(theirs.object), ['data.a=other/Apply', 'data.a=skiff/Apply']);
  });

  it('lists are owned whole, and a change of one item is a change of the list', () => {
    const template = (image: string): KubernetesObject =>
      ({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'WorkflowTemplate',
        metadata: { name: 't' },
        spec: { templates: [{ name: 'main', container: { image } }] },
      }) as KubernetesObject;
    const mine = applyAs(undefined, template('alpine:3'), 'skiff', { now }).object!;
    assert.deepEqual(owners(mine), ['spec.templates=skiff/Apply']);
    const edited = updateAs(mine, template('alpine:edge'), 'kubectl-edit', now);
    assert.deepEqual(applyAs(edited, template('alpine:3'), 'skiff', { now }).conflicts, [{ path: 'spec.templates', manager: 'kubectl-edit' }]);
  });

  it('a plain write owns only what it changed and drops removed fields from every owner', () => {
    const mine = applyAs(undefined, configMap({ a: '1', b: '2' }), 'skiff', { now }).object!;
    const written = updateAs(mine, configMap({ a: '1', c: '3' }), 'skiff-apply', now);
    assert.deepEqual(owners(written), ['data.a=skiff/Apply', 'data.c=skiff-apply/Update']);
  });

  it('neither argument is changed', () => {
    const live = applyAs(undefined, configMap({ a: '1' }), 'skiff', { now }).object!;
    const desired = configMap({ b: '2' });
    const before = JSON.stringify([live, desired]);
    applyAs(live, desired, 'skiff', { now });
    updateAs(live, desired, 'x', now);
    assert.equal(JSON.stringify([live, desired]), before);
  });
});
