import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planResource, type ResourcePlan, resourceStepUser } from '../../../../src/runtime/cluster/resource-template/resource-plan.js';
import type { Template, Workflow } from '../../../../src/spec/model/workflow.js';

const template = (resource: Record<string, unknown>): Template => ({ name: 't', resource: resource as Template['resource'] });
const plan = (resource: Record<string, unknown>): ResourcePlan => {
  const planned = planResource(template(resource), 'ci');
  if ('error' in planned) assert.fail(planned.error);
  return planned.plan;
};
const error = (resource: Record<string, unknown>): string => {
  const planned = planResource(template(resource), 'ci');
  assert.ok('error' in planned, `expected an error, got ${JSON.stringify(planned)}`);
  return planned.error;
};
const CONFIG_MAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: owned-\ndata: {some: value}\n';

describe('resource template plans', () => {
  test('create: the manifest in the run namespace, conditions parsed, owner reference asked for', () => {
    const p = plan({
      action: 'create',
      manifest: CONFIG_MAP,
      setOwnerReference: true,
      successCondition: 'status.succeeded > 2',
      failureCondition: 'status.failed > 1',
    });
    assert.equal(p.action, 'create');
    assert.equal(p.object?.metadata.namespace, 'ci');
    assert.equal(p.object?.metadata.generateName, 'owned-');
    assert.equal(p.setOwnerReference, true);
    assert.deepEqual(p.success, [{ key: 'status.succeeded', operator: '>', values: ['2'] }]);
    assert.deepEqual(p.failure, [{ key: 'status.failed', operator: '>', values: ['1'] }]);
  });

  test('get, replace, apply and delete name their object from the manifest', () => {
    const manifest = 'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: sleep-x\n';
    for (const action of ['get', 'replace', 'apply', 'delete'] as const)
      assert.deepEqual(plan({ action, manifest }).target, { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: 'ci', name: 'sleep-x' });
    assert.match(error({ action: 'get', manifest: 'apiVersion: v1\nkind: Pod\nmetadata: {generateName: x-}\n' }), /needs metadata.name/);
  });

  test('patch: strategic by default from the manifest; json and merge with the object named in flags', () => {
    const strategic = plan({ action: 'patch', manifest: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p-1\n  annotations: {foo: bar}\n' });
    assert.equal(strategic.patch?.type, 'strategic');
    assert.equal(strategic.target?.name, 'p-1');
    const json = plan({
      action: 'patch',
      mergeStrategy: 'json',
      flags: ['workflow', 'wf-1'],
      manifest: '- op: add\n  path: /metadata/labels/foo\n  value: bar\n',
    });
    assert.deepEqual(json.target, { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: 'ci', name: 'wf-1' });
    assert.deepEqual(json.patch, { type: 'json', body: [{ op: 'add', path: '/metadata/labels/foo', value: 'bar' }] });
    const merge = plan({ action: 'patch', mergeStrategy: 'merge', flags: ['pod/p-2'], manifest: 'metadata: {annotations: {foo: bar}}' });
    assert.equal(merge.target?.kind, 'Pod');
    assert.equal(merge.target?.name, 'p-2');
    assert.match(error({ action: 'patch', mergeStrategy: 'json', manifest: '- {op: add, path: /a, value: 1}' }), /json patch names its object in flags/);
    assert.match(error({ action: 'patch', mergeStrategy: 'theirs', manifest: 'a: 1' }), /mergeStrategy "theirs" is not one of/);
  });

  test('delete by selector, with a cascade; kubectl-only flags change nothing', () => {
    const p = plan({ action: 'delete', flags: ['configmap', '--selector', 'cleanup=true', '--cascade=foreground', '--validate=false'] });
    assert.deepEqual(p.selector, { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ci', labelSelector: 'cleanup=true' });
    assert.equal(p.propagationPolicy, 'Foreground');
    assert.equal(plan({ action: 'delete', flags: ['job.batch', 'j-1'] }).target?.kind, 'Job');
    // delete ignores conditions, as Argo does.
    assert.deepEqual(plan({ action: 'delete', flags: ['cm', 'x'], successCondition: 'a > 1' }).success, []);
  });

  test('a run acts in its own namespace only: a manifest or flag naming another is refused', () => {
    assert.match(
      error({ action: 'create', manifest: `${CONFIG_MAP}`.replace('metadata:\n', 'metadata:\n  namespace: kube-system\n') }),
      /act in the run's namespace "ci" only; the manifest names namespace "kube-system"/,
    );
    assert.match(error({ action: 'delete', flags: ['secret', 'x', '-n', 'kube-system'] }), /flags name namespace "kube-system"/);
    assert.match(error({ action: 'delete', flags: ['secret', 'x', '--namespace=other'] }), /flags name namespace "other"/);
    assert.equal(plan({ action: 'delete', flags: ['secret', 'x', '-n', 'ci'] }).target?.namespace, 'ci');
  });

  test('bad templates get messages saying what is wrong', () => {
    assert.match(error({ action: 'launch', manifest: CONFIG_MAP }), /action "launch" is not one of create, apply, delete, get, replace, patch/);
    assert.match(error({ action: 'create' }), /needs a manifest/);
    assert.match(error({ action: 'create', manifest: 'a: [' }), /manifest is not YAML/);
    assert.match(error({ action: 'create', manifest: '- a\n- b\n' }), /must be one object/);
    assert.match(error({ action: 'create', manifest: 'kind: ConfigMap\nmetadata: {name: x}\n' }), /needs apiVersion and kind/);
    assert.match(error({ action: 'create', manifest: 'apiVersion: v1\nkind: ConfigMap\n' }), /neither metadata.name nor metadata.generateName/);
    assert.match(error({ action: 'create', manifest: CONFIG_MAP, successCondition: 'status.x >' }), /"status.x >" in condition/);
    assert.match(error({ action: 'create', manifestFrom: { artifact: { name: 'm' } } }), /manifestFrom was not read here/);
    assert.match(error({ action: 'delete', flags: ['gizmo', 'x'] }), /kind "gizmo", which Skiff does not know; known: pod, configmap/);
    assert.match(error({ action: 'delete', flags: ['pod'] }), /flags name the kind "pod" but no object/);
    assert.match(error({ action: 'create', manifest: CONFIG_MAP, flags: ['--force'] }), /flag --force is not supported on the cluster/);
    assert.match(
      error({ action: 'create', manifest: CONFIG_MAP, flags: ['pod', 'p'] }),
      /flags name an object \(pod p\), but create acts on the manifest's object/,
    );
    assert.match(error({ action: 'create', manifest: CONFIG_MAP, flags: 'pod' }), /flags must be a list of text/);
  });
});

test("a resource step acts as the executor's service account, else the pod's, else default", () => {
  const workflow = (spec: Record<string, unknown>): Workflow =>
    ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name: 'w' }, spec }) as Workflow;
  const t = (extra: Record<string, unknown>): Template => ({ ...template({ action: 'get' }), ...extra });
  assert.equal(resourceStepUser(t({}), workflow({}), 'ci'), 'system:serviceaccount:ci:default');
  assert.equal(resourceStepUser(t({}), workflow({ serviceAccountName: 'wf' }), 'ci'), 'system:serviceaccount:ci:wf');
  assert.equal(resourceStepUser(t({ serviceAccountName: 'tpl' }), workflow({ serviceAccountName: 'wf' }), 'ci'), 'system:serviceaccount:ci:tpl');
  assert.equal(
    resourceStepUser(t({ serviceAccountName: 'tpl' }), workflow({ executor: { serviceAccountName: 'exec' } }), 'ci'),
    'system:serviceaccount:ci:exec',
  );
  assert.equal(
    resourceStepUser(t({ executor: { serviceAccountName: 'mine' } }), workflow({ executor: { serviceAccountName: 'exec' } }), 'ci'),
    'system:serviceaccount:ci:mine',
  );
});
