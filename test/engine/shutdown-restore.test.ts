import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunDriver } from '../../src/runs/run-driver.js';
import { InstantRuntime } from '../../src/runtime/instant-runtime.js';
import { MemoryRunStore } from '../../src/state/memory-run-store.js';
import { echo, workflowOf } from './simulate-run.js';

// Stop and terminate are recorded in the workflow (spec.shutdown) so that they survive a restart;
// the engine then picks the run up again with the shutdown under way. The pods it still runs must
// be killed, and the run must end, for both strategies.
const workflow = workflowOf(
  {
    entrypoint: 'main',
    onExit: 'bye',
    templates: [
      { name: 'main', ...echo },
      { name: 'bye', ...echo },
    ],
  },
  'shut',
);

for (const strategy of ['terminate', 'stop'] as const) {
  test(`${strategy} of a run whose pod hangs kills the pod and ends the run`, async () => {
    const killed: string[] = [];
    const runtime = new InstantRuntime({ script: (pod) => (pod.template.name === 'main' ? { hang: true } : undefined) });
    const kill = runtime.kill.bind(runtime);
    runtime.kill = (key: string, podName: string) => {
      killed.push(podName);
      kill(key, podName);
    };
    const driver = new RunDriver({ store: new MemoryRunStore(), runtime });
    const id = await driver.submit(workflow);
    setTimeout(() => void driver[strategy](id), 20);
    const status = await driver.wait(id);
    assert.equal(status.phase, 'Failed');
    assert.equal(status.message, `Stopped with strategy '${strategy === 'stop' ? 'Stop' : 'Terminate'}'`);
    assert.equal(killed.length, 1, 'the hanging pod was killed');
    const exitHandler = Object.values(status.nodes).find((n) => n.name === 'shut.onExit');
    if (strategy === 'stop') assert.equal(exitHandler?.phase, 'Succeeded');
    else assert.equal(exitHandler, undefined);
  });
}
