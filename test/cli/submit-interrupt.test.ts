import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inTerminal, SKIFF_BIN } from './in-terminal.js';
import { HELLO, skiff, workspace } from './run-cli.js';

const HANG = { SKIFF_INSTANT_SCRIPT: '{"main": {"hang": true}}' };

async function phaseOf(dir: string, name: string): Promise<string> {
  const get = await skiff(dir, ['get', name, '-o', 'json']);
  assert.equal(get.status, 0, get.stderr);
  return (JSON.parse(get.stdout) as { status: { phase: string } }).status.phase;
}

// --wait follows the run as --watch does (as in Argo): Ctrl-C never interrupts the run itself.
for (const flag of ['--watch', '--wait']) {
  describe(`Ctrl-C on skiff submit ${flag}`, () => {
    const envOf = (dir: string): NodeJS.ProcessEnv => ({ ...process.env, SKIFF_RUNTIME: 'instant', SKIFF_STATE_DIR: join(dir, 'state'), ...HANG });

    it('stops following and leaves the run going, and says so', async () => {
      const dir = workspace({ 'hello.yaml': HELLO });
      try {
        const { output, status } = await inTerminal([process.execPath, SKIFF_BIN, 'submit', 'hello.yaml', '--name', 'left-going', flag], {
          cwd: dir,
          env: envOf(dir),
          ready: /left-going/,
          interrupts: 1,
        });
        assert.equal(status, 130, output);
        assert.match(
          output,
          /stopped watching; run "left-going" in namespace "default" goes on \(skiff watch left-going follows it again, skiff stop left-going stops it\)/,
        );
        assert.doesNotMatch(output, /interrupted by SIGINT/);
        // Past the second Ctrl-C's window, the run still goes on in its background process.
        assert.equal(await phaseOf(dir, 'left-going'), 'Running');
        const listed = await skiff(dir, ['list', '--running', '-o', 'name']);
        assert.equal(listed.stdout, 'left-going\n');
      } finally {
        // Whatever failed above, the background driver must not outlive the test.
        const terminated = await skiff(dir, ['terminate', 'left-going'], { env: HANG });
        assert.equal(terminated.status, 0, terminated.stderr);
      }
    });

    it('stops the run on a second Ctrl-C within a few seconds', async () => {
      const dir = workspace({ 'hello.yaml': HELLO });
      const { output, status } = await inTerminal([process.execPath, SKIFF_BIN, 'submit', 'hello.yaml', '--name', 'stopped-twice', flag], {
        cwd: dir,
        env: envOf(dir),
        ready: /stopped-twice/,
        interrupts: 2,
      });
      assert.equal(status, 130, output);
      assert.match(output, /run "stopped-twice" in namespace "default" stopped/);
      const waited = await skiff(dir, ['wait', 'stopped-twice', '-o', 'json'], { env: HANG });
      assert.equal(waited.status, 1);
      assert.equal((JSON.parse(waited.stdout) as { status: { phase: string } }).status.phase, 'Failed');
    });
  });
}
