// A process for the kill-and-restart test: runs (or continues) one workflow against a state
// directory with a delaying instant runtime, logging every pod start and finish to a file.
//
//   node crash-child.js <state-dir> <log-file> start|resume
import { appendFileSync } from 'node:fs';
import { RunDriver } from '../../src/runs/run-driver.js';
import { InstantRuntime } from '../../src/runtime/instant-runtime.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import { LocalRunStore } from '../../src/state/local-run-store.js';

const [stateDir, logFile, mode] = process.argv.slice(2) as [string, string, string];

export const CRASH_WORKFLOW: Workflow = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata: { name: 'crash' },
  spec: {
    entrypoint: 'main',
    templates: [
      {
        name: 'main',
        steps: [
          [{ name: 'fan', template: 'work', withItems: [1, 2, 3, 4, 5, 6] }],
          [{ name: 'b', template: 'work' }],
          [
            { name: 'c', template: 'work' },
            { name: 'd', template: 'work' },
          ],
          [{ name: 'e', template: 'work' }],
          [{ name: 'f', template: 'work' }],
        ],
      },
      { name: 'work', container: { image: 'alpine', command: ['true'] } },
    ],
  },
};

if (mode === 'start' || mode === 'resume') {
  appendFileSync(logFile, `process ${mode} ${process.pid}\n`);
  const store = new LocalRunStore(stateDir);
  const runtime = new InstantRuntime({
    script: () => ({ delayMs: 60 }),
    onStart: (pod) => appendFileSync(logFile, `start ${pod.nodeId}\n`),
    onFinish: (pod) => appendFileSync(logFile, `finish ${pod.nodeId}\n`),
  });
  const driver = new RunDriver({ store, runtime });
  const ids = mode === 'start' ? [await driver.submit(CRASH_WORKFLOW)] : await driver.resumeAll();
  for (const id of ids) {
    const status = await driver.wait(id);
    appendFileSync(logFile, `done ${id} ${status.phase}\n`);
  }
  await store.closeAll();
}
