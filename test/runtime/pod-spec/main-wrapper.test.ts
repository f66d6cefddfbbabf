import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createArtifactDriver } from '../../../src/artifacts/index.js';
import { executorWait } from '../../../src/executor/executor-wait.js';
import { RUN_DIR, SCRIPT_ENV } from '../../../src/runtime/pod-spec/executor-plan.js';
import { mainWrapper, type WrapperOutputs } from '../../../src/runtime/pod-spec/main-wrapper.js';

const run = promisify(execFile);

/** How the wrapper's shell and tools are run: the image supplies them on a cluster. */
interface Shell {
  name: string;
  /** argv before `-c SCRIPT`. */
  argv: string[];
}

const shells: Shell[] = [{ name: "/bin/sh with this machine's cp", argv: ['/bin/sh'] }];
// BusyBox (alpine and busybox images) when a test machine has it: SKIFF_TEST_BUSYBOX=/path/to/busybox.
const busybox = process.env.SKIFF_TEST_BUSYBOX;
if (busybox) shells.push({ name: 'BusyBox', argv: [busybox, 'sh'] });

for (const shell of shells) describeWrapper(shell);

/**
 * The real wrapper, run by a real shell, its run volume moved from /argo/run to a temporary
 * directory: what a step's outputs become before the wait container reads them.
 */
function describeWrapper(shell: Shell): void {
  describe(`main wrapper: outputs resolved in the step’s own filesystem (${shell.name})`, () => {
    let dir: string;
    let pods = 0;
    const driver = createArtifactDriver({ secrets: { get: async () => undefined }, namespace: 'default' });
    let env: NodeJS.ProcessEnv = process.env;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'skiff-wrapper-'));
      if (shell.argv[0] === busybox) {
        // Only BusyBox's applets on the PATH, as in a busybox image.
        const bin = join(dir, 'bin');
        await mkdir(bin);
        for (const applet of ['sh', 'cp', 'mkdir', 'rm', 'ln', 'mv', 'cat', 'tee', 'echo', 'printf', 'sleep', 'true', 'chmod'])
          await symlink(busybox!, join(bin, applet));
        env = { ...process.env, PATH: bin };
      }
    });
    after(async () => {
      driver.close();
      await rm(dir, { recursive: true, force: true });
    });

    /** Runs `script` (sh) under the wrapper; `$S` (in output paths too) is the step's own directory, `$RUN` the run volume. */
    const wrap = async (outputs: WrapperOutputs, script: string) => {
      const pod = join(dir, `pod-${++pods}`);
      const runDir = join(pod, 'run');
      const step = join(pod, 'step');
      await mkdir(step, { recursive: true });
      const resolved = {
        ...outputs,
        parameters: outputs.parameters.map((p) => ({ ...p, path: p.path.replace('$S', step) })),
        artifacts: outputs.artifacts.map((a) => ({ ...a, path: a.path.replace('$S', step) })),
      };
      const command = mainWrapper(resolved).replaceAll(RUN_DIR, runDir);
      const { stderr } = await run(shell.argv[0]!, [...shell.argv.slice(1), '-c', command, 'skiff-main', 'sh', '-c', script], {
        env: { ...env, S: step, RUN: runDir },
      });
      const paths = {
        mainDir: join(runDir, 'ctr', 'main'),
        outputsDir: join(runDir, 'outputs'),
        reportPath: join(runDir, 'report.json'),
        secretsDir: join(pod, 'secrets'),
      };
      const wait = () =>
        executorWait(
          {
            namespace: 'default',
            inputs: [],
            parameters: outputs.parameters,
            artifacts: outputs.artifacts,
            result: outputs.result,
            archiveLocation: { local: { root: join(pod, 'repo'), key: 'wf/pod' } },
          },
          { paths, driver, pollMs: 5 },
        );
      return { outputs: paths.outputsDir, stderr, wait };
    };

    it("copies the file a top-level link names in the step's filesystem, as Argo reads it", async () => {
      const { outputs, wait } = await wrap(
        { parameters: [{ name: 'p', path: '$S/link' }], artifacts: [{ name: 'a', path: '$S/dirlink' }], result: false },
        'mkdir -p "$S/data/d" && printf "mine\\n" > "$S/data/x" && ln -s data/x "$S/link" && echo in > "$S/data/d/f" && ln -s f "$S/data/d/alias" && ln -s "$S/data/d" "$S/dirlink"',
      );
      assert.ok((await lstat(join(outputs, 'parameters', 'p'))).isFile());
      assert.equal(await readFile(join(outputs, 'parameters', 'p'), 'utf8'), 'mine\n');
      assert.ok((await lstat(join(outputs, 'artifacts', 'a'))).isDirectory());
      // A link inside the directory stays a link: `cp -H` follows only the path it is given.
      assert.equal(await readlink(join(outputs, 'artifacts', 'a', 'alias')), 'f');
      const report = await wait();
      assert.equal(report.error, undefined);
      assert.deepEqual(report.parameters, [{ name: 'p', value: 'mine' }]);
      assert.equal(report.artifacts?.length, 1);
    });

    it('keeps a link the step cannot resolve, and one that leaves a directory, for the wait container to refuse', async () => {
      const { outputs, wait } = await wrap(
        { parameters: [{ name: 'gone', path: '$S/gone' }], artifacts: [{ name: 'out', path: '$S/out' }], result: false },
        'ln -s /skiff/not/in/this/step "$S/gone" && mkdir "$S/out" && ln -s /etc/passwd "$S/out/passwd"',
      );
      assert.equal(await readlink(join(outputs, 'parameters', 'gone')), '/skiff/not/in/this/step');
      assert.equal(await readlink(join(outputs, 'artifacts', 'out', 'passwd')), '/etc/passwd');
      const report = await wait();
      assert.match(report.error ?? '', /output parameter "gone": ".*\/gone" is a link to "\/skiff\/not\/in\/this\/step"/);
    });

    it('copies into directories made afresh, whatever the command planted in the run volume', async () => {
      const { outputs, wait } = await wrap(
        { parameters: [{ name: 'p', path: '$S/p' }], artifacts: [], result: false },
        'echo ok > "$S/p" && mkdir -p "$S/elsewhere" && rm -rf "$RUN/outputs/parameters" && ln -s "$S/elsewhere" "$RUN/outputs/parameters"',
      );
      assert.ok((await lstat(join(outputs, 'parameters'))).isDirectory());
      assert.deepEqual((await wait()).parameters, [{ name: 'p', value: 'ok' }]);
    });

    it('copies nothing for an output that does not exist, so its default applies', async () => {
      const { outputs, stderr, wait } = await wrap({ parameters: [{ name: 'none', path: '$S/none' }], artifacts: [], result: false }, 'true');
      await assert.rejects(lstat(join(outputs, 'parameters', 'none')), /ENOENT/);
      assert.equal(stderr, '');
      assert.equal((await wait()).parameters, undefined);
    });

    it('writes a script passed in its environment byte for byte, executable, and runs the command without the variable', async () => {
      const pod = join(dir, `pod-${++pods}`);
      const runDir = join(pod, 'run');
      const scriptPath = join(runDir, 'staging', 'script');
      const source = '#!/bin/sh\n-n \\n \\t %s %% $HOME `id` \'q\' "d"\nif [ -n "$SKIFF_SCRIPT" ]; then echo set; else echo unset; fi > "$RUN/seen"\n\n\n';
      const command = mainWrapper({ parameters: [], artifacts: [], result: false }, { script: scriptPath }).replaceAll(RUN_DIR, runDir);
      await run(shell.argv[0]!, [...shell.argv.slice(1), '-c', command, 'skiff-main', 'sh', scriptPath], {
        env: { ...env, RUN: runDir, [SCRIPT_ENV]: source },
      }).catch((error: { stderr: string }) => assert.fail(error.stderr));
      assert.equal(await readFile(scriptPath, 'utf8'), source);
      assert.equal((await lstat(scriptPath)).mode & 0o777, 0o755);
      assert.equal(await readFile(join(runDir, 'seen'), 'utf8'), 'unset\n', 'the command does not inherit the variable');
      assert.equal((await readFile(join(runDir, 'ctr', 'main', 'exitcode'), 'utf8')).trim(), '0');
    });
  });
}
