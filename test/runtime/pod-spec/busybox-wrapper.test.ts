// The wrapper for images without a shell: with a busybox, every tool the wrapper itself runs is
// that busybox's applet, and the user's command sees nothing of it. A stand-in busybox (a script
// that logs the applet and runs the host's program of that name) shows which tools went through it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { RUN_DIR } from '../../../src/runtime/pod-spec/executor-plan.js';
import { mainWrapper } from '../../../src/runtime/pod-spec/main-wrapper.js';

const run = promisify(execFile);

describe('main wrapper with a busybox', () => {
  let dir: string;
  let box: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-busybox-'));
    box = join(dir, 'busybox');
    await writeFile(box, `#!/bin/sh\necho "$1" >> ${JSON.stringify(join(dir, 'applets'))}\nexec "$@"\n`);
    await chmod(box, 0o755);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("runs the wrapper's own tools as the busybox's applets, keeps outputs and the exit code, and leaves the user's command its own programs", async () => {
    const runDir = join(dir, 'run');
    const wrapper = mainWrapper({ parameters: [{ name: 'p', path: join(dir, 'p') }], artifacts: [], result: true }, { busybox: box }).replaceAll(
      RUN_DIR,
      runDir,
    );
    const script = `echo v > ${JSON.stringify(join(dir, 'p'))}; command -v cp; exit 3`;
    const { stdout } = await run('/bin/sh', ['-c', wrapper, 'skiff-main', 'sh', '-c', script]).catch((e: { stdout: string }) => e);
    // The user's command found the image's own cp, not a function of the wrapper's.
    assert.match(stdout, /^\/.*\/cp$/m);
    assert.equal(await readFile(join(runDir, 'ctr', 'main', 'exitcode'), 'utf8'), '3\n');
    assert.equal(await readFile(join(runDir, 'outputs', 'parameters', 'p'), 'utf8'), 'v\n');
    const applets = new Set((await readFile(join(dir, 'applets'), 'utf8')).trim().split('\n'));
    for (const tool of ['mkdir', 'cp', 'tee', 'mv', 'rm', 'cat']) assert.ok(applets.has(tool), `${tool} went through the busybox: ${[...applets]}`);
  });

  it('without a busybox the wrapper is unchanged: no functions, the image tools', () => {
    assert.ok(!mainWrapper({ parameters: [], artifacts: [], result: false }).includes('"$t"'));
  });
});
