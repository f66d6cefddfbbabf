// Overhead of the local runtime: a one-step hello world submitted through RunDriver +
// LocalRunStore (fsync on, as `skiff submit` runs it) + the local runtime (init/main/wait pod in
// the sandbox), against the same command run once in the sandbox directly. Target: under 1 s.
//
//   node dist/bench/local-runtime.bench.js [runs]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { RunDriver } from '../src/runs/run-driver.js';
import { createLocalRuntime } from '../src/runtime/local/create-local-runtime.js';
import { startSandboxed } from '../src/runtime/local/sandbox.js';
import type { Workflow } from '../src/spec/model/workflow.js';
import { LocalRunStore } from '../src/state/local-run-store.js';
import { StateLayout } from '../src/state/state-layout.js';
import { median } from './median.js';

const runs = Number(process.argv[2] ?? 7);

const hello = (template: Workflow['spec']['templates']): Workflow => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata: { generateName: 'hello-world-' },
  spec: { entrypoint: 'main', templates: template },
});
const container = hello([{ name: 'main', container: { image: 'busybox', command: ['echo'], args: ['hello world'] } }]);
const script = hello([
  {
    name: 'main',
    script: { image: 'python:3', command: ['python3'], source: 'print("hello world")' },
    outputs: { parameters: [{ name: 'p', valueFrom: { path: '/tmp/p', default: 'x' } }] },
  },
]);

async function direct(): Promise<number> {
  const started = performance.now();
  const process = startSandboxed({ argv: ['echo', 'hello world'], env: {}, mounts: [], onStdout: () => undefined, onStderr: () => undefined });
  await process.exited;
  return performance.now() - started;
}

const root = mkdtempSync(join(tmpdir(), 'skiff-bench-local-'));
const layout = new StateLayout(root);
const store = new LocalRunStore(root);
const workflows = new Map<string, Workflow>();
const none = async () => undefined;
const runtime = createLocalRuntime({ layout, objects: { get: none, configMap: none, secret: none } as never, runOf: (id) => workflows.get(id) });
const driver = new RunDriver({ store, runtime });

async function submitted(workflow: Workflow): Promise<number> {
  const started = performance.now();
  const id = await driver.submit(workflow);
  workflows.set(id, { ...workflow, metadata: { name: id } });
  const status = await driver.wait(id);
  if (status.phase !== 'Succeeded') throw new Error(`run ${id} ended ${status.phase}: ${JSON.stringify(status.nodes)}`);
  return performance.now() - started;
}

try {
  await direct();
  await submitted(container); // warm caches (Node modules, page cache)
  const bare: number[] = [];
  const full: number[] = [];
  const scripted: number[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push(await direct());
    full.push(await submitted(container));
    scripted.push(await submitted(script));
  }
  const b = median(bare);
  const f = median(full);
  const s = median(scripted);
  console.log(`local runtime, median of ${runs} runs`);
  console.log(`  echo in the sandbox directly:                         ${b.toFixed(0)} ms`);
  console.log(`  hello world (container) through driver + runtime:     ${f.toFixed(0)} ms  (overhead ${(f - b).toFixed(0)} ms)`);
  console.log(`  hello world (script + output parameter, with init):   ${s.toFixed(0)} ms  (overhead ${(s - b).toFixed(0)} ms)`);
  console.log(`  target: overhead under 1000 ms: ${f - b < 1000 && s - b < 1000 ? 'met' : 'NOT met'}`);
} finally {
  await runtime.close();
  await store.closeAll();
  rmSync(root, { recursive: true, force: true });
}
