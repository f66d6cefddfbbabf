import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RUN_DIR } from '../../../src/runtime/pod-spec/executor-plan.js';
import { mainWrapper } from '../../../src/runtime/pod-spec/main-wrapper.js';
import { startSandboxed } from '../../../src/runtime/local/sandbox.js';

/** Runs the wrapper in the sandbox with the pod's shared volume at its place. */
async function wrapped(script: string, outputs: Parameters<typeof mainWrapper>[0], runDir: string) {
  let stdout = '';
  const process = startSandboxed({
    argv: ['/bin/sh', '-c', mainWrapper(outputs), 'skiff-main', 'sh', '-c', script],
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
    const run = await wrapped("echo out; echo 'v' > /tmp/p; mkdir /tmp/d; echo f > /tmp/d/f; exit 4", { parameters: [{ name: 'p', path: '/tmp/p' }], artifacts: [{ name: 'd', path: '/tmp/d' }, { name: 'gone', path: '/tmp/nothing' }], result: true }, dir);
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
});
