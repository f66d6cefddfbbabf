// Engine benchmarks on the instant runtime, through the real driver and the journal store
// format (in memory, so the figures are the engine's and the driver's, not the disk's), plus
// the saved size of a 10,000-node run on a real state directory and its load time.
//
//   node dist/bench/engine-run.bench.js [runs]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { RunDriver } from '../src/runs/run-driver.js';
import type { RunStore } from '../src/ports/run-store.js';
import { InstantRuntime } from '../src/runtime/instant-runtime.js';
import type { Workflow } from '../src/spec/model/workflow.js';
import { LocalRunStore } from '../src/state/local-run-store.js';
import { MemoryRunStore } from '../src/state/memory-run-store.js';
import { median } from './median.js';

const runs = Number(process.argv[2] ?? 5);

const work = { container: { image: 'alpine', command: ['echo', '{{inputs.parameters.n}}'] }, inputs: { parameters: [{ name: 'n' }] } };

export function fanOut(items: number, name = 'fan'): Workflow {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name },
    spec: {
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          steps: [
            [{ name: 'fan', template: 'work', arguments: { parameters: [{ name: 'n', value: '{{item}}' }] }, withSequence: { count: String(items) } }],
            [{ name: 'fan-in', template: 'work', arguments: { parameters: [{ name: 'n', value: 'done' }] } }],
          ],
        },
        { name: 'work', ...work },
      ],
    },
  };
}

export function chain(length: number, name = 'chain'): Workflow {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name },
    spec: {
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          steps: Array.from({ length }, (_, i) => [{ name: `s${i}`, template: 'work', arguments: { parameters: [{ name: 'n', value: String(i) }] } }]),
        },
        { name: 'work', ...work },
      ],
    },
  };
}

async function runOnce(workflow: Workflow, store: RunStore = new MemoryRunStore()): Promise<{ ms: number; phase: string; nodes: number }> {
  const driver = new RunDriver({ store, runtime: new InstantRuntime() });
  const started = performance.now();
  const id = await driver.submit(workflow);
  const status = await driver.wait(id);
  return { ms: performance.now() - started, phase: status.phase, nodes: Object.keys(status.nodes).length };
}

async function measure(label: string, make: () => Workflow, count: number): Promise<number> {
  const times: number[] = [];
  let last = { phase: '', nodes: 0 };
  for (let i = 0; i < count; i++) {
    const result = await runOnce(make());
    times.push(result.ms);
    last = result;
  }
  const m = median(times);
  console.log(
    `${label}: median ${m.toFixed(0)} ms over ${count} runs (${last.nodes} nodes, ${last.phase}); peak RSS so far ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`,
  );
  return m;
}

await measure('1,000-step sequential chain', () => chain(1000), runs);
const tenK = await measure('10,000-item withItems fan-out + fan-in', () => fanOut(10_000), runs);
const hundredK = await measure('100,000-item withItems fan-out + fan-in', () => fanOut(100_000), Math.max(1, Math.min(runs, 3)));
console.log(`100k/10k time ratio: ${(hundredK / tenK).toFixed(1)} (linear would be 10)`);

const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
try {
  const store = new LocalRunStore(dir);
  const result = await runOnce(fanOut(10_000, 'saved'), store);
  await store.closeAll();
  const bytes = await store.sizeOf('saved');
  const loads: number[] = [];
  for (let i = 0; i < runs; i++) {
    const fresh = new LocalRunStore(dir);
    const started = performance.now();
    const loaded = await fresh.load('saved');
    loads.push(performance.now() - started);
    await fresh.closeAll();
    if (Object.keys(loaded!.status.nodes).length !== result.nodes) throw new Error('saved run lost nodes');
  }
  console.log(
    `10,000-item run on a state directory (fsync per batch): ${result.ms.toFixed(0)} ms; saved ${(bytes / 1e6).toFixed(1)} MB for ${result.nodes} nodes; load median ${median(loads).toFixed(0)} ms`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
