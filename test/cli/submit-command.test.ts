import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { load } from 'js-yaml';
import { HELLO, skiff, TWO_STEPS, workspace } from './run-cli.js';

interface WorkflowJson {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
  spec: { entrypoint: string; arguments?: { parameters?: Array<{ name: string; value: string }> } };
  status: {
    phase: string;
    message?: string;
    nodes: Record<string, { displayName: string; phase: string; templateName?: string; type: string; inputs?: unknown }>;
  };
}

describe('skiff submit', () => {
  it('runs a hello world with --wait: a line per change, then the tree; exit 0', async () => {
    const dir = workspace({ 'hello.yaml': HELLO });
    // The step takes a second, so the follower sees the run before it ends.
    const result = await skiff(dir, ['submit', 'hello.yaml', '--wait'], { env: { SKIFF_INSTANT_SCRIPT: '{"main": {"delayMs": 1000}}' } });
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.split('\n');
    assert.match(lines[0]!, /^NODE\s+PHASE\s+DURATION\s+MESSAGE$/);
    assert.match(result.stdout, /^hello-[a-z0-9]{5}\s+Running$/m);
    assert.match(result.stdout, /^hello-[a-z0-9]{5}\s+Succeeded\s+\d+s$/m);
    assert.match(result.stdout, /^Status:\s+Succeeded$/m);
    assert.match(result.stdout, /^STEP\s+TEMPLATE\s+PODNAME\s+DURATION\s+MESSAGE$/m);
    assert.match(result.stdout, /^✔ hello-[a-z0-9]{5}\s+main\s+hello-[a-z0-9]{5}\s+\d+s$/m);
  });

  it('prints the tree of nested steps with the exit handler', async () => {
    const dir = workspace({ 'two.yaml': TWO_STEPS });
    const result = await skiff(dir, ['submit', 'two.yaml', '--wait']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^├───✔ first\s+say\s+two-\w+-say-\d+/m);
    assert.match(result.stdout, /^└───✔ second\s+flaky\s+two-\w+-flaky-\d+/m);
    assert.match(result.stdout, /^✔ two-\w+\.onExit\s+bye/m);
  });

  it('prints the final Workflow with Argo-format status for -o json and -o yaml', async () => {
    const dir = workspace({ 'hello.yaml': HELLO });
    const json = await skiff(dir, ['submit', 'hello.yaml', '--wait', '-o', 'json']);
    assert.equal(json.status, 0, json.stderr);
    const workflow = JSON.parse(json.stdout) as WorkflowJson;
    assert.equal(workflow.kind, 'Workflow');
    assert.equal(workflow.metadata.namespace, 'default');
    assert.equal(workflow.status.phase, 'Succeeded');
    const root = workflow.status.nodes[workflow.metadata.name];
    assert.equal(root?.type, 'Pod');
    assert.equal(root?.phase, 'Succeeded');

    const yaml = await skiff(dir, ['submit', 'hello.yaml', '-w', '-o', 'yaml']);
    assert.equal(yaml.status, 0);
    const fromYaml = load(yaml.stdout) as WorkflowJson;
    assert.equal(fromYaml.status.phase, 'Succeeded');
    assert.equal(fromYaml.apiVersion, 'argoproj.io/v1alpha1');
  });

  it('prints a table with phases and outputs for -o wide', async () => {
    const dir = workspace({ 'two.yaml': TWO_STEPS });
    const result = await skiff(dir, ['submit', 'two.yaml', '--wait', '-o', 'wide']);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /^STEP\s+PHASE\s+TEMPLATE\s+PODNAME\s+STARTED\s+DURATION\s+OUTPUTS\s+ARTIFACTS\s+MESSAGE\s+RESOURCESDURATION$/m);
    assert.match(result.stdout, /^├───✔ first\s+Succeeded\s+say/m);
  });

  it('exits 1 when the run fails, with the failing step and its message', async () => {
    const dir = workspace({ 'two.yaml': TWO_STEPS });
    const result = await skiff(dir, ['submit', 'two.yaml', '--wait'], { env: { SKIFF_INSTANT_SCRIPT: '{"flaky": {"exitCode": 3}}' } });
    assert.equal(result.status, 1);
    assert.match(result.stdout, /^second\s+Failed\s+\d+s\s+Error \(exit code 3\)$/m);
    assert.match(result.stdout, /^Status:\s+Failed$/m);
    assert.match(result.stdout, /^└───✖ second\s+flaky\s+\S+\s+\d+s\s+Error \(exit code 3\)$/m);
  });

  it('overrides parameters with -p and the entrypoint with --entrypoint', async () => {
    const dir = workspace({ 'hello.yaml': HELLO });
    const result = await skiff(dir, ['submit', 'hello.yaml', '--wait', '-o', 'json', '-p', 'message=bonjour', '-p', 'extra=1']);
    assert.equal(result.status, 0, result.stderr);
    const workflow = JSON.parse(result.stdout) as WorkflowJson;
    assert.deepEqual(workflow.spec.arguments?.parameters, [
      { name: 'message', value: 'bonjour' },
      { name: 'extra', value: '1' },
    ]);
    const other = JSON.parse((await skiff(dir, ['submit', 'hello.yaml', '--wait', '-o', 'json', '--entrypoint', 'other'])).stdout) as WorkflowJson;
    assert.equal(other.spec.entrypoint, 'other');
    assert.equal(other.status.nodes[other.metadata.name]?.templateName, 'other');
    const missing = await skiff(dir, ['submit', 'hello.yaml', '--wait', '--entrypoint', 'nope']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /--entrypoint nope: the workflow has no template by that name/);
  });

  it('finds WorkflowTemplates stored with skiff apply through templateRef', async () => {
    const dir = workspace({
      'templates.yaml':
        'apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: lib}\nspec:\n  templates:\n  - name: echo\n    container: {image: busybox, command: [echo]}\n',
      'wf.yaml':
        'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: ref-}\nspec:\n  entrypoint: main\n  templates:\n  - name: main\n    steps:\n    - - name: call\n        templateRef: {name: lib, template: echo}\n',
    });
    assert.equal((await skiff(dir, ['apply', 'templates.yaml'])).status, 0);
    const result = await skiff(dir, ['submit', 'wf.yaml', '--wait']);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /✔ call\s+echo/);
  });

  it('runs a stored WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow with --from, as argo submit --from', async () => {
    const dir = workspace({
      'stored.yaml': [
        'apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: greet}\nspec:\n  entrypoint: say\n  arguments: {parameters: [{name: who, value: world}]}\n  templates:\n  - name: say\n    container: {image: busybox, command: [echo, "{{workflow.parameters.who}}"]}\n',
        'apiVersion: argoproj.io/v1alpha1\nkind: ClusterWorkflowTemplate\nmetadata: {name: shared}\nspec:\n  entrypoint: say\n  templates:\n  - name: say\n    container: {image: busybox, command: [echo, hi]}\n',
        'apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\nmetadata: {name: nightly}\nspec:\n  schedule: "0 1 * * *"\n  workflowMetadata: {labels: {team: data}}\n  workflowSpec:\n    entrypoint: say\n    templates:\n    - name: say\n      container: {image: busybox, command: [echo, night]}\n',
      ].join('---\n'),
    });
    assert.equal((await skiff(dir, ['apply', 'stored.yaml'])).status, 0);
    type Submitted = WorkflowJson & {
      metadata: { name: string; labels?: Record<string, string> };
      spec: { workflowTemplateRef?: { name: string; clusterScope?: boolean } };
      status: { phase: string };
    };
    const submit = async (...args: string[]): Promise<Submitted> => {
      const result = await skiff(dir, ['submit', '--wait', '-o', 'json', ...args]);
      assert.equal(result.status, 0, result.stderr);
      return JSON.parse(result.stdout) as Submitted;
    };
    const fromTemplate = await submit('--from', 'workflowtemplate/greet', '-p', 'who=skiff');
    assert.match(fromTemplate.metadata.name, /^greet-[a-z0-9]{5}$/);
    assert.deepEqual(fromTemplate.spec.workflowTemplateRef, { name: 'greet' });
    assert.equal(fromTemplate.metadata.labels?.['workflows.argoproj.io/workflow-template'], 'greet');
    assert.deepEqual(fromTemplate.spec.arguments?.parameters, [{ name: 'who', value: 'skiff' }]);
    assert.equal(fromTemplate.status.phase, 'Succeeded');
    const fromCluster = await submit('--from', 'cwftmpl/shared');
    assert.deepEqual(fromCluster.spec.workflowTemplateRef, { name: 'shared', clusterScope: true });
    assert.equal(fromCluster.status.phase, 'Succeeded');
    const fromCron = await submit('--from', 'cronwf/nightly');
    assert.match(fromCron.metadata.name, /^nightly-[a-z0-9]{5}$/);
    assert.deepEqual(fromCron.metadata.labels, { team: 'data', 'workflows.argoproj.io/cron-workflow': 'nightly' });
    assert.equal(fromCron.spec.entrypoint, 'say');
    assert.equal(fromCron.status.phase, 'Succeeded');

    const missing = await skiff(dir, ['submit', '--from', 'wftmpl/nope']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /--from wftmpl\/nope: no WorkflowTemplate "nope" in namespace default was stored with skiff apply/);
    const badKind = await skiff(dir, ['submit', '--from', 'pod/x']);
    assert.equal(badKind.status, 2);
    assert.match(badKind.stderr, /expected workflowtemplate\/NAME, clusterworkflowtemplate\/NAME or cronworkflow\/NAME/);
    const both = await skiff(dir, ['submit', 'stored.yaml', '--from', 'wftmpl/greet']);
    assert.equal(both.status, 2);
  });

  it('refuses a file with lint errors, printing the diagnostics as skiff lint does', async () => {
    const dir = workspace({ 'bad.yaml': HELLO.replace('entrypoint: main', 'entrypoint: mian') });
    const result = await skiff(dir, ['submit', 'bad.yaml', '--wait']);
    assert.equal(result.status, 1);
    const lines = result.stderr.split('\n');
    assert.equal(lines[0], 'bad.yaml:6:15: error [entrypoint] template "mian" is not defined (did you mean "main"?)');
    assert.equal(lines[1], '    6 |   entrypoint: mian');
    assert.equal(existsSync(join(dir, 'state', 'runs')), false, 'no run was created');
  });

  it('refuses, with a clear message, a workflow that needs a cluster', async () => {
    const dir = workspace({
      'k8s.yaml':
        'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: k8s-}\nspec:\n  entrypoint: make\n  templates:\n  - name: make\n    resource:\n      action: create\n      manifest: |\n        apiVersion: v1\n        kind: ConfigMap\n        metadata: {generateName: x-}\n',
    });
    const result = await skiff(dir, ['submit', 'k8s.yaml']);
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /template "make" is a resource template: it acts on Kubernetes objects, which needs a cluster \(submit it with --kubeconfig or --context\)/,
    );
    assert.match(result.stderr, /needs a Kubernetes cluster and cannot run locally/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });

  it('runs an http step and a workflow hook locally against a loopback server; skiff logs shows the response', async () => {
    const server = createServer((req, res) => res.writeHead(req.url === '/ok' ? 200 : 503).end(req.url === '/ok' ? 'pong' : 'down'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const dir = workspace({
        'http.yaml': `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: http-}
spec:
  entrypoint: main
  hooks:
    running: {expression: workflow.status == "Running", template: call, arguments: {parameters: [{name: path, value: ok}]}}
  templates:
  - name: main
    steps:
    - - {name: ping, template: call, arguments: {parameters: [{name: path, value: ok}]}}
      - {name: down, template: call, continueOn: {failed: true}, arguments: {parameters: [{name: path, value: down}]}}
  - name: call
    inputs: {parameters: [{name: path}]}
    http: {url: "${base}/{{inputs.parameters.path}}"}
`,
      });
      // The real local runtime (http templates need no sandbox), not the CLI tests' instant one.
      const result = await skiff(dir, ['submit', 'http.yaml', '--wait', '-o', 'json'], { env: { SKIFF_RUNTIME: 'local' } });
      assert.equal(result.status, 0, result.stderr);
      const workflow = JSON.parse(result.stdout) as WorkflowJson;
      const nodes = Object.values(workflow.status.nodes);
      const byName = (name: string) => nodes.find((n) => n.displayName === name)!;
      assert.equal(workflow.status.phase, 'Succeeded');
      assert.equal(byName('ping').type, 'HTTP');
      assert.equal(byName('down').phase, 'Failed');
      assert.equal(byName(`${workflow.metadata.name}.hooks.running`).phase, 'Succeeded');
      const logs = await skiff(dir, ['logs', workflow.metadata.name, '--node', 'down']);
      assert.equal(logs.status, 0, logs.stderr);
      // As argo logs: each line after the name its pod would have.
      assert.match(logs.stdout, /^http-\w+-call-\d+: failed: received non-2xx response code: 503\nhttp-\w+-call-\d+: down\n$/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('without --wait, prints the name and leaves the run to a background process', async () => {
    const dir = workspace({ 'hello.yaml': HELLO });
    const result = await skiff(dir, ['submit', 'hello.yaml']);
    assert.equal(result.status, 0, result.stderr);
    const name = result.stdout.trim();
    assert.match(name, /^hello-[a-z0-9]{5}$/);
    const waited = await skiff(dir, ['wait', name]);
    assert.equal(waited.status, 0, waited.stdout + waited.stderr);
    assert.match(waited.stdout, /^Status:\s+Succeeded$/m);
    assert.ok(readdirSync(join(dir, 'state', 'runs', 'default', name)).includes('driver.log'));
  });

  it('draws a live tree in place on a terminal', async () => {
    const dir = workspace({ 'two.yaml': TWO_STEPS });
    const result = await skiff(dir, ['submit', 'two.yaml', '--wait'], { tty: true });
    assert.equal(result.status, 0);
    assert.match(result.stdout, /^STEP\s+DURATION\s+MESSAGE$/m);
    assert.ok(result.stdout.includes('\u001b['), 'redraws with cursor movement');
    assert.doesNotMatch(result.stdout, /^NODE\s+PHASE/m, 'no plain lines on a terminal');
    assert.match(result.stdout, /^Status:\s+Succeeded$/m);
  });

  it('exits 2 on usage errors', async () => {
    const dir = workspace({ 'hello.yaml': HELLO });
    for (const args of [
      ['submit'],
      ['submit', 'hello.yaml', '--name', 'one', '--from', 'wftmpl/x'],
      ['submit', 'hello.yaml', '-o', 'xml'],
      ['submit', 'hello.yaml', '-p', 'novalue'],
      ['submit', '--bogus', 'hello.yaml'],
      ['submit', 'missing.yaml'],
    ]) {
      const result = await skiff(dir, args);
      assert.equal(result.status, 2, args.join(' '));
      assert.match(result.stderr, /^skiff submit: .+\nRun "skiff submit --help" for usage\.\n$/, args.join(' '));
    }
    assert.equal(existsSync(join(dir, 'state', 'runs')), false);
  });

  it('names the one-line reason and no stack trace when a runtime is missing', async () => {
    const dir = workspace({ 'hello.yaml': HELLO });
    const result = await skiff(dir, ['submit', 'hello.yaml', '--wait'], { env: { SKIFF_RUNTIME: 'docker' } });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /SKIFF_RUNTIME="docker" is not a runtime/);
    assert.equal(result.stderr.trim().split('\n').length, 1);
    assert.equal(existsSync(join(dir, 'state', 'runs')), false, 'nothing was saved');
  });
});
