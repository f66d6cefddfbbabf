// The cluster runtime at scale on the node agent (the test environment's stand-in kubelet, which
// runs each container as a sandboxed process): a long step chain and a wide fan-out, where the
// runtime's own cost shows rather than a real node's container starts. The baseline, in the same
// run, is the node agent's own cost: as many bare one-container pods created directly, one after
// another (against the chain) and with as many in flight as the fan-out's parallelism (against
// the fan-out). The agent runs in a process of its own, so the RSS is the controller's: the run
// driver, the run store and the runtime with its pod informer, in this process, and so is the CPU
// time per pod (what the controller itself spends; the rest of a pod's wall time is the agent's
// sandboxes and the executor's own Node.js processes in them).
//
//   npm run bench:kube-runtime-agent     (or: node dist/bench/kube-runtime-agent.bench.js [pods] [runs] [parallelism] [chain,fanout])
//
// Defaults: 1,000 pods, 1 run of each (the median of more when asked), fan-out parallelism 100
// (a thousand sandboxes at once would measure this machine's memory, not the runtime).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_BURST, DEFAULT_QPS } from '../src/cli/commands/controller.js';
import { KubeConnection } from '../src/kube/kube-connection.js';
import { KubeRunStore } from '../src/kube/kube-run-store.js';
import { serverSideApply } from '../src/kube/server-side-apply.js';
import { WatchObjects } from '../src/kube/watch-objects.js';
import { RunDriver } from '../src/runs/run-driver.js';
import { createKubeRuntime } from '../src/runtime/cluster/kube-runtime.js';
import type { KubernetesObject } from '../src/spec/model/kubernetes.js';
import type { Workflow } from '../src/spec/model/workflow.js';
import { REPO_ROOT, startSkiffKube } from '../test/env/kube/index.js';
import { counting, peakRss } from './kube-bench-helpers.js';
import { median } from './median.js';

const total = Number(process.argv[2] ?? 1000);
const runs = Number(process.argv[3] ?? 1);
const parallelism = Number(process.argv[4] ?? 100);
const shapes = (process.argv[5] ?? 'chain,fanout').split(',');
const NS = 'bench';
const EXECUTOR = 'ghcr.io/skiff/skiff:bench';
const BARE_LABEL = 'bench/bare';

type Pod = KubernetesObject & { status?: { phase?: string } };

const { kube, client: unlimited } = await startSkiffKube();
let agent: ChildProcess | undefined;
const connection = KubeConnection.load({ kubeconfigPath: kube.kubeconfigPath, env: {} }, { rateLimit: { qps: DEFAULT_QPS, burst: DEFAULT_BURST } });
const { client, count } = counting(connection);
const runtime = createKubeRuntime({ client, executorImage: EXECUTOR, namespaces: [NS] });
const driver = new RunDriver({ store: new KubeRunStore(client, { namespaces: [NS] }), runtime });
let watch: { close(): void } | undefined;

/** Bare pods seen ended (phase Succeeded or Failed), and who waits for which. */
const ended = new Map<string, string>();
const waiting = new Map<string, () => void>();

try {
  agent = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'bench', 'node-agent-process.js'), kube.kubeconfigPath, EXECUTOR], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await Promise.race([once(agent.stdout!, 'data'), once(agent, 'exit')])) as [Buffer | number];
  if (!Buffer.isBuffer(line) || !line.toString().includes('ready')) throw new Error(`the node agent did not start (${String(line)})`);
  await serverSideApply(unlimited, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await unlimited.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: NS } } as KubernetesObject);
  // The API server ends a watch after half an hour or so: this one starts again by itself.
  const bareWatch = new WatchObjects<Pod>(unlimited, {
    apiVersion: 'v1',
    kind: 'Pod',
    namespace: NS,
    labelSelector: BARE_LABEL,
    onEvent: ({ object }) => {
      const phase = object.status?.phase;
      const name = object.metadata.name!;
      if ((phase === 'Succeeded' || phase === 'Failed') && !ended.has(name)) {
        ended.set(name, phase);
        waiting.get(name)?.();
      }
    },
    onError: (error) => console.error(`bare pod watch: ${error.message}`),
  });
  watch = bareWatch;
  await bareWatch.start();

  let bareCount = 0;
  /** One bare pod, created directly, until the node agent reports it ended. */
  async function barePod(): Promise<void> {
    const name = `bare-${++bareCount}`;
    const done = new Promise<void>((resolve) => waiting.set(name, resolve));
    await unlimited.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NS, labels: { [BARE_LABEL]: 'true' } },
      spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'alpine', command: ['echo', 'hi'] }] },
    } as KubernetesObject);
    if (!ended.has(name)) await done;
    waiting.delete(name);
    if (ended.get(name) !== 'Succeeded') throw new Error(`bare pod ${name} ended ${ended.get(name)}`);
  }

  /** `count` bare pods with at most `inFlight` at once; wall time in ms. */
  async function barePods(pods: number, inFlight: number): Promise<number> {
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(inFlight, pods) }, async () => {
        while (next < pods) {
          next++;
          await barePod();
        }
      }),
    );
    return performance.now() - started;
  }

  let runCount = 0;
  async function skiffRun(shape: 'chain' | 'fanout', width: number): Promise<{ wallMs: number; rss: number; requests: number; cpuMs: number }> {
    const name = `${shape}-${width}-${++runCount}`;
    const steps =
      shape === 'chain'
        ? Array.from({ length: width }, (_, i) => [{ name: `s${i}`, template: 'echo' }])
        : [[{ name: 'fan', template: 'echo', withSequence: { count: String(width) } }]];
    const workflow = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { name, namespace: NS, labels: { 'workflows.argoproj.io/controller-instanceid': 'skiff' } },
      spec: {
        entrypoint: 'main',
        ...(shape === 'fanout' ? { parallelism } : {}),
        templates: [
          { name: 'main', steps },
          { name: 'echo', container: { image: 'alpine', command: ['echo', 'hi'] } },
        ],
      },
    } as unknown as Workflow;
    const rss = peakRss();
    const requestsBefore = count();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const status = await driver.wait(await driver.submit(workflow));
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const peak = rss.stop();
    if (status.phase !== 'Succeeded') {
      const failed = Object.values(status.nodes).filter((n) => n.type === 'Pod' && n.phase !== 'Succeeded');
      throw new Error(
        `${name} ended ${status.phase}: ${status.message ?? ''}; e.g. ${JSON.stringify(failed.slice(0, 3).map((n) => [n.displayName, n.phase, n.message]))}`,
      );
    }
    return { wallMs, rss: peak, requests: count() - requestsBefore, cpuMs: (cpu.user + cpu.system) / 1000 };
  }

  /** Deletes the namespace's pods (the agent confirms each deletion) so the next measure starts from an empty node. */
  async function clearPods(): Promise<void> {
    const { items } = await unlimited.list<Pod>('v1', 'Pod', NS);
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < items.length) {
          const pod = items[next++]!;
          await unlimited.delete({ apiVersion: 'v1', kind: 'Pod', namespace: NS, name: pod.metadata.name! }).catch(() => undefined);
        }
      }),
    );
    while ((await unlimited.list<Pod>('v1', 'Pod', NS)).items.length > 0) await sleep(200);
  }

  const s = (ms: number): string => `${(ms / 1000).toFixed(1).padStart(7)} s`;
  const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  await barePods(1, 1); // warms the sandbox and the page cache
  await skiffRun('chain', 1);
  await clearPods();
  const idleRss = process.memoryUsage().rss;
  console.log(`node agent (sandboxed processes, no real containers); ${total} pods each, ${runs === 1 ? '1 run' : `median of ${runs} runs`}`);
  console.log(`  controller RSS before the runs ${mib(idleRss)} (driver, run store and runtime in this process; the agent in its own)`);
  for (const [shape, inFlight] of (
    [
      ['chain', 1],
      ['fanout', parallelism],
    ] as const
  ).filter(([shape]) => shapes.includes(shape))) {
    const bare: number[] = [];
    const skiff: Array<{ wallMs: number; rss: number; requests: number; cpuMs: number }> = [];
    for (let r = 0; r < runs; r++) {
      bare.push(await barePods(total, inFlight));
      await clearPods();
      skiff.push(await skiffRun(shape, total));
      await clearPods();
    }
    const bareMs = median(bare);
    const skiffMs = median(skiff.map((x) => x.wallMs));
    const label = shape === 'chain' ? `${total}-step chain` : `${total}-wide fan-out (parallelism ${parallelism})`;
    const baseline = shape === 'chain' ? `${total} bare pods one after another` : `${total} bare pods, ${inFlight} in flight`;
    console.log(
      `  ${label}: wall ${s(skiffMs)} (${(skiffMs / total).toFixed(0)} ms a pod); ${baseline} ${s(bareMs)} (${(bareMs / total).toFixed(0)} ms a pod); ` +
        `${(skiffMs / bareMs).toFixed(2)}x; controller peak RSS ${mib(median(skiff.map((x) => x.rss)))}; ` +
        `${(median(skiff.map((x) => x.requests)) / total).toFixed(1)} API requests and ${(median(skiff.map((x) => x.cpuMs)) / total).toFixed(0)} ms of controller CPU per pod`,
    );
  }
} finally {
  watch?.close();
  await runtime.close();
  if (agent && agent.exitCode === null) {
    agent.kill('SIGTERM');
    await once(agent, 'exit');
  }
  await kube.stop();
}
