// A `skiff`-like process for the exactly-once test: drives one workflow with the real local
// runtime against a state directory and, in `start` mode, SIGKILLs itself at a known point of the
// step named by KILL_STEP: `ended` when the runtime reports the step's end (the pod's report is
// on disk, the driver has not journaled it), `started` when it reports the step's start.
//
//   node pod-end-kill-child.js <state-dir> start|resume <ended|started>
import { RunDriver } from '../../../src/runs/run-driver.js';
import type { Runtime } from '../../../src/ports/runtime.js';
import { createLocalRuntime } from '../../../src/runtime/local/create-local-runtime.js';
import type { Workflow } from '../../../src/spec/model/workflow.js';
import { LocalRunStore } from '../../../src/state/local-run-store.js';
import { StateLayout } from '../../../src/state/state-layout.js';
import { MemoryObjects } from './local-run-harness.js';

const [stateDir, mode, killAt] = process.argv.slice(2) as [string, 'start' | 'resume', 'ended' | 'started'];

/**
 * `count` appends a line to a file of the run's claim (kept across a restart of the driver) each
 * time it runs, and outputs how many there are; `use` takes that output.
 */
export function countingWorkflow(): Workflow {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name: 'once', namespace: 'default' },
    spec: {
      entrypoint: 'main',
      volumeClaimTemplates: [{ metadata: { name: 'work' }, spec: {} }],
      templates: [
        {
          name: 'main',
          steps: [
            [{ name: 'count', template: 'count' }],
            [{ name: 'use', template: 'use', arguments: { parameters: [{ name: 'n', value: '{{steps.count.outputs.parameters.n}}' }] } }],
          ],
        },
        {
          name: 'count',
          container: {
            image: 'alpine',
            command: ['sh', '-c', 'echo ran >> /work/runs.log; wc -l < /work/runs.log | tr -d " " > /tmp/n'],
            volumeMounts: [{ name: 'work', mountPath: '/work' }],
          },
          outputs: { parameters: [{ name: 'n', valueFrom: { path: '/tmp/n' } }] },
        },
        {
          name: 'use',
          inputs: { parameters: [{ name: 'n' }] },
          container: {
            image: 'alpine',
            command: ['sh', '-c', 'echo "{{inputs.parameters.n}}" > /work/used.log'],
            volumeMounts: [{ name: 'work', mountPath: '/work' }],
          },
        },
      ],
    },
  };
}

if (mode === 'start' || mode === 'resume') {
  const layout = new StateLayout(stateDir);
  const store = new LocalRunStore(stateDir);
  const local = createLocalRuntime({ layout, objects: new MemoryObjects(), runOf: async (id) => (await new LocalRunStore(stateDir).peek(id))?.workflow });
  const killed = mode === 'start' ? (killAt === 'ended' ? 'pod-finished' : 'pod-started') : undefined;
  const runtime: Runtime = {
    run: (pod, report) =>
      local.run(pod, (event) => {
        if (event.type === killed && pod.template.name === 'count') process.kill(process.pid, 'SIGKILL');
        report(event);
      }),
    kill: (key, podName) => local.kill(key, podName),
    runFinished: (runId) => local.runFinished?.(runId),
  };
  const driver = new RunDriver({ store, runtime });
  const ids = mode === 'start' ? [await driver.submit(countingWorkflow())] : await driver.resumeAll();
  for (const id of ids) await driver.wait(id);
  await local.close();
  await store.closeAll();
}
