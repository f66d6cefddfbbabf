import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRIVATE_FILE_MODE } from '../state/private-files.js';
import type { LocalTarget } from './local-target.js';
import { acquireLease, leaseOwner, transferLease } from './run-lease.js';
import { describeRun } from './describe-run.js';
import type { RunKey } from '../ports/run-key.js';

/** The package's `skiff` command, relative to this file compiled into dist/src/cli/. */
const SKIFF_BIN = fileURLToPath(new URL('../../../bin/skiff.js', import.meta.url));

/**
 * Starts a detached `skiff __drive NAMESPACE/NAME` process that drives a saved run to its end, so
 * `skiff submit` (and retry, resubmit, resume) can return at once as `argo submit` does. The
 * lease passes from this process to the child, so no other process can start driving the run
 * in between. Its output goes to `runs/<namespace>/<name>/driver.log`. Returns the child's pid.
 */
export async function startBackgroundDriver(target: LocalTarget, runId: RunKey, env: NodeJS.ProcessEnv): Promise<number> {
  if (!existsSync(SKIFF_BIN)) throw new Error(`cannot start a background run: ${SKIFF_BIN} is missing`);
  const lease = await acquireLease(target.layout, runId);
  if (!lease) throw new Error(`${describeRun(runId)} is being run by another skiff process (pid ${(await leaseOwner(target.layout, runId)) ?? '?'})`);
  const log = openSync(join(target.layout.runDir(runId), 'driver.log'), 'a', PRIVATE_FILE_MODE);
  try {
    const child = spawn(process.execPath, [SKIFF_BIN, '__drive', runId, '--state-dir', target.layout.root], {
      detached: true,
      stdio: ['ignore', log, log],
      env,
      cwd: target.layout.root,
    });
    if (child.pid === undefined) {
      await lease.release();
      throw new Error('could not start a background skiff process');
    }
    await transferLease(target.layout, runId, child.pid);
    child.unref();
    return child.pid;
  } finally {
    closeSync(log);
  }
}
