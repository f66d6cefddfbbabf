import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { repoRoot } from '../helpers/paths.js';
import { halfwayWorkflow } from '../helpers/halfway-workflow.js';

const SKIFF = join(repoRoot, 'bin', 'skiff.js');

interface Node {
  displayName: string;
  message?: string;
  type: string;
  phase: string;
  startedAt?: string;
}

const dir = mkdtempSync(join(tmpdir(), 'skiff-resubmit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const skiff = (...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [SKIFF, ...args],
      { cwd: dir, env: { ...process.env, SKIFF_STATE_DIR: join(dir, 'state') }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (error as { code?: unknown }).code : 0;
        resolve({ status: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
  });

const podsOf = async (name: string): Promise<Record<string, Node>> => {
  const got = await skiff('get', name, '-o', 'json');
  assert.equal(got.status, 0, got.stderr);
  const nodes = Object.values((JSON.parse(got.stdout) as { status: { nodes: Record<string, Node> } }).status.nodes);
  return Object.fromEntries(nodes.filter((n) => n.type === 'Pod' || n.type === 'Skipped').map((n) => [n.displayName, n]));
};

it('skiff resubmit --memoized keeps the steps that succeeded and runs the failed one again', async () => {
  writeFileSync(join(dir, 'halfway.yaml'), halfwayWorkflow());
  const submitted = await skiff('submit', 'halfway.yaml', '--wait', '-o', 'name');
  assert.equal(submitted.status, 1, 'the run fails at its second step');
  const original = submitted.stdout.trim().split('\n').at(-1)!;
  const before = await podsOf(original);
  assert.equal(before.first?.phase, 'Succeeded');
  assert.equal(before.second?.phase, 'Failed');

  const resubmitted = await skiff('resubmit', original, '--memoized', '--wait', '-o', 'name');
  assert.equal(resubmitted.status, 1, `${resubmitted.stdout}${resubmitted.stderr}`);
  const again = resubmitted.stdout.trim().split('\n').at(-1)!;
  assert.notEqual(again, original);
  assert.match(again, /^halfway-/);
  const resubmittedPods = await podsOf(again);
  // As Argo's resubmit --memoized: the succeeded pod is kept as a Skipped node that names the original pod.
  assert.equal(resubmittedPods.first?.type, 'Skipped');
  assert.equal(resubmittedPods.first?.startedAt, before.first?.startedAt, 'the succeeded step was kept, not run again');
  assert.match(resubmittedPods.first?.message ?? '', /original pod/);
  assert.equal(resubmittedPods.second?.type, 'Pod');
  assert.equal(resubmittedPods.second?.phase, 'Failed');
});
