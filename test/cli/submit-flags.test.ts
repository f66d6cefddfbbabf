import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { load } from 'js-yaml';
import { HELLO, skiff, workspace } from './run-cli.js';

interface WorkflowJson {
  metadata: { name: string; generateName?: string; namespace: string; labels?: Record<string, string> };
  spec: { serviceAccountName?: string; priority?: number; arguments?: { parameters?: Array<{ name: string; value: string }> } };
  status?: { phase: string };
}

const OTHER = HELLO.replace('generateName: hello-', 'generateName: other-');

async function workflowOf(dir: string, name: string): Promise<WorkflowJson> {
  const get = await skiff(dir, ['get', name, '-o', 'json']);
  assert.equal(get.status, 0, get.stderr);
  return JSON.parse(get.stdout) as WorkflowJson;
}

describe('skiff submit, as argo submit', () => {
  it('sets labels, name, service account and priority of the run (-l, --name, --serviceaccount, --priority)', async () => {
    const dir = workspace({ 'hello.yaml': HELLO });
    const result = await skiff(dir, [
      'submit',
      'hello.yaml',
      '-l',
      'team=data,tier=batch',
      '--name',
      'named-run',
      '--serviceaccount',
      'runner',
      '--priority',
      '7',
      '-w',
      '-o',
      'name',
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'named-run\n', '-o name prints the name only');
    const workflow = await workflowOf(dir, 'named-run');
    assert.deepEqual(workflow.metadata.labels, { team: 'data', tier: 'batch' });
    assert.equal(workflow.spec.serviceAccountName, 'runner');
    assert.equal(workflow.spec.priority, 7);
    assert.equal(workflow.status?.phase, 'Succeeded');
  });

  it('names the run from --generate-name', async () => {
    const dir = workspace({ 'hello.yaml': HELLO });
    const result = await skiff(dir, ['submit', 'hello.yaml', '--generate-name', 'nightly-', '-w', '-o', 'name']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^nightly-[a-z0-9]{5}\n$/);
  });

  it('reads parameters from -f FILE, with -p winning', async () => {
    const dir = workspace({ 'hello.yaml': HELLO, 'params.yaml': 'message: from-file\ncount: 3\n' });
    const result = await skiff(dir, ['submit', 'hello.yaml', '-f', 'params.yaml', '-p', 'count=4', '--dry-run', '-o', 'json']);
    assert.equal(result.status, 0, result.stderr);
    const parameters = (JSON.parse(result.stdout) as WorkflowJson).spec.arguments?.parameters;
    assert.deepEqual(parameters, [
      { name: 'message', value: 'from-file' },
      { name: 'count', value: '4' },
    ]);
    const missing = await skiff(dir, ['submit', 'hello.yaml', '-f', 'nope.yaml']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--parameter-file nope.yaml: no such file/);
  });

  it('prints the Workflow that would be submitted with --dry-run and --server-dry-run, and saves nothing', async () => {
    const dir = workspace({ 'hello.yaml': HELLO });
    const dry = await skiff(dir, ['submit', 'hello.yaml', '--dry-run', '-l', 'a=b']);
    assert.equal(dry.status, 0, dry.stderr);
    const workflow = load(dry.stdout) as WorkflowJson;
    assert.match(workflow.metadata.name, /^hello-[a-z0-9]{5}$/);
    assert.equal(workflow.metadata.namespace, 'default');
    assert.deepEqual(workflow.metadata.labels, { a: 'b' });
    assert.equal(workflow.status, undefined);
    const server = await skiff(dir, ['submit', 'hello.yaml', '--server-dry-run', '-o', 'name']);
    assert.match(server.stdout, /^hello-[a-z0-9]{5}\n$/);
    assert.equal((await skiff(dir, ['list', '-o', 'name'])).stdout, '', 'no run was saved');
  });

  it('submits every Workflow of several files, and reads - from standard input', async () => {
    const dir = workspace({ 'hello.yaml': HELLO, 'other.yaml': OTHER });
    const both = await skiff(dir, ['submit', 'hello.yaml', 'other.yaml', '-w', '-o', 'name']);
    assert.equal(both.status, 0, both.stderr);
    assert.match(both.stdout, /^hello-[a-z0-9]{5}\nother-[a-z0-9]{5}\n$/);
    const piped = await skiff(dir, ['submit', '-', '-w', '-o', 'name'], { stdin: OTHER });
    assert.equal(piped.status, 0, piped.stderr);
    assert.match(piped.stdout, /^other-[a-z0-9]{5}\n$/);
    const names = (await skiff(dir, ['list', '-o', 'name'])).stdout.trim().split('\n');
    assert.equal(names.length, 3);
    const tooMany = await skiff(dir, ['submit', 'hello.yaml', 'other.yaml', '--watch']);
    assert.equal(tooMany.status, 2);
    assert.match(tooMany.stderr, /--watch follows one run, but 2 Workflows were given/);
  });

  it('--wait with several files starts every run at once, then follows each to its end', async () => {
    const dir = workspace({ 'hello.yaml': HELLO, 'other.yaml': OTHER });
    const both = await skiff(dir, ['submit', 'hello.yaml', 'other.yaml', '-w', '-o', 'name'], {
      env: { SKIFF_INSTANT_SCRIPT: '{"main": {"delayMs": 1500}}' },
    });
    assert.equal(both.status, 0, both.stderr);
    const [first, second] = both.stdout.trim().split('\n');
    const statusOf = async (name: string): Promise<{ startedAt: string; finishedAt: string; phase: string }> =>
      (JSON.parse((await skiff(dir, ['get', name, '-o', 'json'])).stdout) as { status: { startedAt: string; finishedAt: string; phase: string } }).status;
    const a = await statusOf(first!);
    const b = await statusOf(second!);
    assert.equal(a.phase, 'Succeeded');
    assert.equal(b.phase, 'Succeeded');
    assert.ok(Date.parse(b.startedAt) < Date.parse(a.finishedAt), `the second run started (${b.startedAt}) before the first ended (${a.finishedAt})`);
  });

  it('follows the run with --watch: its changes, then the result', async () => {
    const dir = workspace({ 'hello.yaml': HELLO });
    const result = await skiff(dir, ['submit', 'hello.yaml', '--watch']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^NODE\s+PHASE\s+DURATION\s+MESSAGE$/m);
    assert.match(result.stdout, /^hello-[a-z0-9]{5}\s+Succeeded/m);
    assert.match(result.stdout, /^Status:\s+Succeeded$/m);
  });

  it("prints the run's logs with --log", async () => {
    // The instant runtime writes no logs: the step's log is put where the run's pod writes it.
    const dir = workspace({ 'hello.yaml': HELLO, 'state/pods/default/logged/logged/logs/main.log': 'hello from the step\n' });
    const result = await skiff(dir, ['submit', 'hello.yaml', '--name', 'logged', '--log'], { env: { SKIFF_INSTANT_SCRIPT: '{"main": {"delayMs": 300}}' } });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'logged: hello from the step\n');
  });
});
