import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from '../helpers/paths.js';

const SKIFF = join(repoRoot, 'bin', 'skiff.js');

/** One step that sleeps, prints a line and writes an output parameter and an artifact, each naming its namespace. */
const TWIN = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: twin
spec:
  entrypoint: main
  templates:
  - name: main
    container:
      image: busybox
      command: [sh, -c]
      args:
      - |
        sleep 2
        echo "line from {{workflow.namespace}}"
        echo -n "param of {{workflow.namespace}}" > /tmp/param.txt
        echo -n "artifact of {{workflow.namespace}}" > /tmp/art.txt
    outputs:
      parameters:
      - name: who
        valueFrom:
          path: /tmp/param.txt
      artifacts:
      - name: art
        path: /tmp/art.txt
        archive:
          none: {}
`;

/** A step that runs until stopped. */
const SLEEPER = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: sleeper
spec:
  entrypoint: main
  templates:
  - name: main
    container:
      image: busybox
      command: [sh, -c, "sleep 120"]
`;

interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

describe('two runs of the same name in two namespaces', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-namespaces-'));
  writeFileSync(join(dir, 'twin.yaml'), TWIN);
  writeFileSync(join(dir, 'sleeper.yaml'), SLEEPER);
  const env = { ...process.env, SKIFF_STATE_DIR: join(dir, 'state') };
  const skiff = (...args: string[]): Promise<Result> =>
    new Promise((resolve) => {
      execFile(process.execPath, [SKIFF, ...args], { cwd: dir, env, timeout: 120_000 }, (error, stdout, stderr) => {
        const code = error ? ((error as { code?: unknown }).code as number | undefined) : 0;
        resolve({ status: typeof code === 'number' ? code : 1, stdout, stderr });
      });
    });
  const json = async (...args: string[]): Promise<{ status: { phase: string; nodes: Record<string, Node> } }> => {
    const got = await skiff('get', ...args, '-o', 'json');
    assert.equal(got.status, 0, got.stderr);
    return JSON.parse(got.stdout) as { status: { phase: string; nodes: Record<string, Node> } };
  };
  type Node = { type: string; startedAt?: string; finishedAt?: string; phase: string; outputs?: { parameters?: Array<{ name: string; value?: string }> } };

  after(async () => {
    for (const ns of ['team-a', 'team-b']) await skiff('terminate', '-n', ns, 'sleeper');
    rmSync(dir, { recursive: true, force: true });
  });

  it('run side by side, each with its own outputs, artifacts and logs', async () => {
    const [a, b] = await Promise.all([skiff('submit', 'twin.yaml', '-n', 'team-a'), skiff('submit', 'twin.yaml', '-n', 'team-b')]);
    assert.equal(a.status, 0, a.stderr);
    assert.equal(b.status, 0, b.stderr);
    for (const ns of ['team-a', 'team-b']) {
      const waited = await skiff('wait', '-n', ns, 'twin');
      assert.equal(waited.status, 0, `${ns}: ${waited.stdout}${waited.stderr}`);
    }

    const pods: Record<string, Node> = {};
    for (const ns of ['team-a', 'team-b']) {
      const run = await json('-n', ns, 'twin');
      assert.equal(run.status.phase, 'Succeeded');
      const pod = Object.values(run.status.nodes).find((n) => n.type === 'Pod')!;
      assert.deepEqual(pod.outputs?.parameters, [{ name: 'who', value: `param of ${ns}` }]);
      pods[ns] = pod;
    }
    // Both steps ran at the same time: each started before the other finished.
    const [pa, pb] = [pods['team-a']!, pods['team-b']!];
    assert.ok(Date.parse(pa.startedAt!) < Date.parse(pb.finishedAt!) && Date.parse(pb.startedAt!) < Date.parse(pa.finishedAt!), 'the runs overlapped');

    for (const ns of ['team-a', 'team-b']) {
      const logs = await skiff('logs', '-n', ns, 'twin');
      assert.equal(logs.status, 0, logs.stderr);
      assert.match(logs.stdout, new RegExp(`line from ${ns}`));
      assert.doesNotMatch(logs.stdout, new RegExp(`line from ${ns === 'team-a' ? 'team-b' : 'team-a'}`));
      const out = join(dir, `out-${ns}`);
      const copied = await skiff('cp', '-n', ns, 'twin', out);
      assert.equal(copied.status, 0, copied.stderr);
      assert.deepEqual(
        filesUnder(out).map((f) => readFileSync(f, 'utf8')),
        [`artifact of ${ns}`],
      );
    }

    const ambiguous = await skiff('get', 'twin');
    assert.equal(ambiguous.status, 1);
    assert.match(ambiguous.stderr, /run "twin" exists in namespaces "team-a", "team-b": name one with -n/);

    const all = await skiff('list', '-A');
    assert.equal(all.status, 0, all.stderr);
    assert.match(all.stdout, /^NAMESPACE\s+NAME\s+STATUS/);
    assert.match(all.stdout, /^team-a\s+twin\s+Succeeded/m);
    assert.match(all.stdout, /^team-b\s+twin\s+Succeeded/m);
    const one = await skiff('list', '-n', 'team-b');
    assert.match(one.stdout, /^twin\s+Succeeded/m);
    assert.doesNotMatch(one.stdout, /team-a/);

    // Deleting one leaves the other whole: its status, its logs, its artifacts.
    const deleted = await skiff('delete', '-n', 'team-a', 'twin');
    assert.equal(deleted.status, 0, deleted.stderr);
    assert.equal((await skiff('get', '-n', 'team-a', 'twin')).status, 1);
    assert.equal((await json('twin')).status.phase, 'Succeeded', 'the one left is found without -n');
    assert.match((await skiff('logs', 'twin')).stdout, /line from team-b/);
    const again = join(dir, 'again');
    assert.equal((await skiff('cp', 'twin', again)).status, 0);
    assert.deepEqual(
      filesUnder(again).map((f) => readFileSync(f, 'utf8')),
      ['artifact of team-b'],
    );
  });

  it('stopping one leaves the other running', async () => {
    for (const ns of ['team-a', 'team-b']) assert.equal((await skiff('submit', 'sleeper.yaml', '-n', ns)).status, 0);
    for (let i = 0; ; i++) {
      const phases = await Promise.all(
        ['team-a', 'team-b'].map(async (ns) => Object.values((await json('-n', ns, 'sleeper')).status.nodes).find((n) => n.type === 'Pod')?.phase),
      );
      if (phases.every((p) => p === 'Running')) break;
      assert.ok(i < 200, `the steps never both ran: ${phases.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const stopped = await skiff('stop', '-n', 'team-a', 'sleeper');
    assert.equal(stopped.status, 0, stopped.stderr);
    const waited = await skiff('wait', '-n', 'team-a', 'sleeper');
    assert.equal(waited.status, 1);
    assert.match(waited.stdout, /Status:\s+Failed/);
    // The other's step goes on: still running a while later, its pod directory in place.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const other = await json('-n', 'team-b', 'sleeper');
    assert.equal(other.status.phase, 'Running');
    assert.equal(Object.values(other.status.nodes).find((n) => n.type === 'Pod')?.phase, 'Running');
    assert.ok(existsSync(join(dir, 'state', 'pods', 'team-b', 'sleeper', 'sleeper')));
    const terminated = await skiff('terminate', '-n', 'team-b', 'sleeper');
    assert.equal(terminated.status, 0, terminated.stderr);
  });
});

function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true })
    .map((entry) => join(root, String(entry)))
    .filter((path) => statSync(path).isFile())
    .sort();
}
