import assert from 'node:assert/strict';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sandboxUnavailableReason, startSandboxed, type SandboxSpec } from '../../../src/runtime/local/sandbox.js';
import { sandboxIdentity } from '../../../src/runtime/local/sandbox-identity.js';

async function run(spec: Partial<SandboxSpec> & { argv: string[] }): Promise<{ exitCode: number; signal?: string; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const process = startSandboxed({ env: {}, mounts: [], onStdout: (c) => (stdout += c), onStderr: (c) => (stderr += c), ...spec });
  const exit = await process.exited;
  return { ...exit, stdout, stderr };
}

describe('bubblewrap sandbox (real processes)', () => {
  it('is available on this machine (scripts/setup.sh installs it)', () => {
    assert.equal(sandboxUnavailableReason(), undefined);
  });

  it('runs the command with its environment and working directory, and returns its exit code', async () => {
    const result = await run({
      argv: ['sh', '-c', 'echo "$GREETING from $(pwd)"; echo oops >&2; exit 7'],
      env: { GREETING: 'hello' },
      workingDir: '/work/dir',
    });
    assert.equal(result.exitCode, 7);
    assert.equal(result.stdout, 'hello from /work/dir\n');
    assert.equal(result.stderr, 'oops\n');
  });

  it('shows the mounts, hides the host home and work trees, and gives a private /tmp', async () => {
    const host = mkdtempSync(join(tmpdir(), 'skiff-sandbox-'));
    mkdirSync(join(host, 'out'));
    // As the runtime does for a pod's volumes: the step's user owns what it writes to.
    const identity = sandboxIdentity();
    chownSync(join(host, 'out'), identity.uid, identity.gid);
    mkdirSync(join(host, 'cfg'));
    writeFileSync(join(host, 'cfg', 'setting'), 'on');
    writeFileSync(join(tmpdir(), 'skiff-host-secret'), 'host /tmp file');
    const result = await run({
      argv: [
        'sh',
        '-c',
        'cat /etc/config/setting > /mnt/out/copy; echo x > /etc/config/w 2>/dev/null && echo writable; ls -A /root /home 2>&1 | grep -v -e ":$" -e "^$" | wc -l; ls /tmp | wc -l; test -e /tmp/skiff-host-secret || echo private-tmp',
      ],
      mounts: [
        { hostPath: join(host, 'out'), containerPath: '/mnt/out' },
        { hostPath: join(host, 'cfg'), containerPath: '/etc/config', readOnly: true },
      ],
    });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(readFileSync(join(host, 'out', 'copy'), 'utf8'), 'on');
    assert.doesNotMatch(result.stdout, /writable/);
    assert.match(result.stdout, /private-tmp/);
    assert.equal(result.stdout.split('\n')[0], '0'); // /root and /home exist, as in an image, but empty
  });

  it('runs the step as process 1 of its own PID namespace, with its own hostname', async () => {
    const result = await run({ argv: ['sh', '-c', 'echo $$; hostname'], hostname: 'wf-step-1234' });
    assert.deepEqual(result.stdout.trim().split('\n'), ['2', 'wf-step-1234']);
  });

  it('reports a killed step as 128 + the signal number', async () => {
    const process = startSandboxed({ argv: ['sleep', '30'], env: {}, mounts: [], onStdout: () => {}, onStderr: () => {} });
    setTimeout(() => process.kill('SIGKILL'), 100);
    const exit = await process.exited;
    assert.equal(exit.exitCode, 137);
    assert.equal(exit.signal, 'SIGKILL');
  });

  it('says clearly when the command does not exist', async () => {
    const result = await run({ argv: ['no-such-program-here'] });
    assert.notEqual(result.exitCode, 0);
    assert.match(result.stderr, /no-such-program-here/);
  });
});
