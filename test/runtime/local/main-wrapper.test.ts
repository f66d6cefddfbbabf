import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RUN_DIR } from '../../../src/runtime/pod-spec/executor-plan.js';
import { mainWrapper, type WrapperOptions } from '../../../src/runtime/pod-spec/main-wrapper.js';
import { startSandboxed } from '../../../src/runtime/local/sandbox.js';
import { handTreeToSandbox, sandboxIdentity } from '../../../src/runtime/local/sandbox-identity.js';

/** Runs the wrapper in the sandbox with the pod's shared volume at its place. */
async function wrapped(script: string, outputs: Parameters<typeof mainWrapper>[0], runDir: string, options?: WrapperOptions) {
  let stdout = '';
  // As the runtime does with a pod's run volume: the step's user owns it.
  await handTreeToSandbox(runDir, sandboxIdentity());
  const process = startSandboxed({
    argv: ['/bin/sh', '-c', mainWrapper(outputs, options), 'skiff-main', 'sh', '-c', script],
    env: {},
    mounts: [{ hostPath: runDir, containerPath: RUN_DIR }],
    onStdout: (chunk) => (stdout += chunk.toString()),
    onStderr: () => undefined,
  });
  return { ...(await process.exited), stdout };
}

describe('main wrapper (real sh in the sandbox)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-wrapper-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it("keeps stdout, the exit code and the declared outputs from the container's private /tmp", async () => {
    const run = await wrapped(
      "echo out; echo 'v' > /tmp/p; mkdir /tmp/d; echo f > /tmp/d/f; exit 4",
      {
        parameters: [{ name: 'p', path: '/tmp/p' }],
        artifacts: [
          { name: 'd', path: '/tmp/d' },
          { name: 'gone', path: '/tmp/nothing' },
        ],
        result: true,
      },
      dir,
    );
    assert.equal(run.exitCode, 4);
    assert.equal(run.stdout, 'out\n');
    assert.equal(await readFile(join(dir, 'ctr/main/stdout'), 'utf8'), 'out\n');
    assert.equal(await readFile(join(dir, 'ctr/main/exitcode'), 'utf8'), '4\n');
    assert.equal(await readFile(join(dir, 'outputs/parameters/p'), 'utf8'), 'v\n');
    assert.equal(await readFile(join(dir, 'outputs/artifacts/d/f'), 'utf8'), 'f\n');
  });

  it('passes the command through untouched and reports a missing one as 127', async () => {
    const quoted = await mkdtemp(join(tmpdir(), 'skiff-wrapper-'));
    const run = await wrapped(`printf '%s' "it's \\$HOME"`, { parameters: [], artifacts: [], result: false }, quoted);
    assert.equal(run.stdout, "it's $HOME");
    const missing = await wrapped('exec no-such-command', { parameters: [], artifacts: [], result: true }, quoted);
    assert.equal(missing.exitCode, 127);
    await rm(quoted, { recursive: true, force: true });
  });

  describe('as a containerSet member', () => {
    const none = { parameters: [], artifacts: [], result: false };

    it('runs its command only once its dependencies have exited 0, and records its own exit code', async () => {
      const run = await mkdtemp(join(tmpdir(), 'skiff-wrapper-'));
      const started = Date.now();
      const member = wrapped('echo ran', none, run, { container: 'b', dependencies: ['a'] });
      await new Promise((r) => setTimeout(r, 300));
      await mkdir(join(run, 'ctr/a'), { recursive: true });
      await writeFile(join(run, 'ctr/a/exitcode'), '0\n');
      const result = await member;
      assert.equal(result.exitCode, 0);
      assert.equal(result.stdout, 'ran\n');
      assert.ok(Date.now() - started >= 300, 'it waited for a');
      assert.equal(await readFile(join(run, 'ctr/b/exitcode'), 'utf8'), '0\n');
      await rm(run, { recursive: true, force: true });
    });

    it('does not run its command when a dependency failed, and passes the failure on', async () => {
      const run = await mkdtemp(join(tmpdir(), 'skiff-wrapper-'));
      await mkdir(join(run, 'ctr/a'), { recursive: true });
      await mkdir(join(run, 'ctr/b'), { recursive: true });
      await writeFile(join(run, 'ctr/a/exitcode'), '0\n');
      await writeFile(join(run, 'ctr/b/exitcode'), '3\n');
      const result = await wrapped('echo ran', none, run, { container: 'main', dependencies: ['a', 'b'] });
      assert.equal(result.exitCode, 3);
      assert.equal(result.stdout, '', 'the command never ran');
      assert.equal(await readFile(join(run, 'ctr/main/blocked-by'), 'utf8'), 'b\n');
      assert.equal(await readFile(join(run, 'ctr/main/exitcode'), 'utf8'), '3\n');
      await rm(run, { recursive: true, force: true });
    });

    it('retries a failing command in place, keeping the stdout of the last attempt', async () => {
      const run = await mkdtemp(join(tmpdir(), 'skiff-wrapper-'));
      await mkdir(join(run, 'count'));
      // Fails twice, then succeeds: the attempts are counted in a file of the shared volume.
      const script = `n=$(ls ${RUN_DIR}/count | wc -l); touch ${RUN_DIR}/count/$n; echo "attempt $n"; [ "$n" -ge 2 ]`;
      const result = await wrapped(script, { ...none, result: true }, run, { container: 'main', retries: { limit: 3, delaySeconds: 0.1 } });
      assert.equal(result.exitCode, 0);
      assert.equal(await readFile(join(run, 'ctr/main/stdout'), 'utf8'), 'attempt 2\n');
      const exhausted = await wrapped('exit 5', none, run, { container: 'x', retries: { limit: 1, delaySeconds: 0 } });
      assert.equal(exhausted.exitCode, 5);
      const missing = await wrapped('exec no-such-command', none, run, { container: 'y', retries: { limit: 50, delaySeconds: 1 } });
      assert.equal(missing.exitCode, 127, 'a command that cannot be found is not retried');
      await rm(run, { recursive: true, force: true });
    });
  });
});
