// The cluster runtime on the test environment's real node (kube-apiserver, kubelet, containerd,
// runc), against bare pods on the same node in the same run. Needs root.
//
//   npm run bench:kube-runtime      (or: node dist/bench/kube-runtime-node.bench.js [chain-runs] [long])
//
// Measured from one watch on the namespace's pods (times are when this process saw each event):
// - a bare busybox pod's life (create to its container's end) and a Skiff step pod's (seen to its
//   containers' end), a container step's and a script step's;
// - the step-to-step gap: a pod's containers seen ended to its successor's pod seen (p50, p99);
// - a 10-step chain (submit to Succeeded) against ten bare pods' lives (goal <= 1.2x);
// - pods created per second at the controller's default client limits (QPS 50, burst 100) and
//   with no client limit (the API server's own limit, max-requests-inflight at its default);
// - with `long` (the default): a 100-step chain and a 100-wide fan-out, with wall time, this
//   process's peak RSS (the driver, the runtime and this watch) and API requests per pod.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { DEFAULT_BURST, DEFAULT_QPS } from '../src/cli/commands/controller.js';
import type { KubeClient } from '../src/kube/kube-client.js';
import { KubeConnection } from '../src/kube/kube-connection.js';
import { KubeRunStore } from '../src/kube/kube-run-store.js';
import { serverSideApply } from '../src/kube/server-side-apply.js';
import { RunDriver } from '../src/runs/run-driver.js';
import { createKubeRuntime } from '../src/runtime/cluster/kube-runtime.js';
import type { KubernetesObject } from '../src/spec/model/kubernetes.js';
import type { Workflow } from '../src/spec/model/workflow.js';
import { REPO_ROOT, startKubeApiServer } from '../test/env/kube/index.js';
import { startKubeNode } from '../test/env/kube-node/index.js';
import { counting, percentile } from './kube-bench-helpers.js';
import { median } from './median.js';

const chainRuns = Number(process.argv[2] ?? 3);
const long = process.argv[3] !== 'short';
const NS = 'bench';

type Pod = KubernetesObject & {
  status?: { phase?: string; containerStatuses?: Array<{ state?: { terminated?: unknown } }> };
  metadata: { labels?: Record<string, string> };
};
interface Seen {
  added: number;
  /** When every container was seen terminated: the pod's work is done. */
  ended?: number;
  /** When the pod's phase was seen Succeeded or Failed: the kubelet reports it a moment after. */
  phaseEnded?: number;
  workflow?: string;
}

const kube = await startKubeApiServer({ realNode: true, crdPaths: [join(REPO_ROOT, 'charts', 'skiff', 'crds')] });
const node = await startKubeNode({ kube });
const connection = KubeConnection.load({ kubeconfigPath: kube.kubeconfigPath, env: {} }, { rateLimit: { qps: DEFAULT_QPS, burst: DEFAULT_BURST } });
const unlimited = KubeConnection.load({ kubeconfigPath: kube.kubeconfigPath, env: {} });
const { client, count } = counting(connection);
const runtime = createKubeRuntime({ client, executorImage: node.images.skiff, namespaces: [NS] });
const driver = new RunDriver({ store: new KubeRunStore(client, { namespaces: [NS] }), runtime });

const pods = new Map<string, Seen>();
let watch: { close(): void } | undefined;
try {
  await serverSideApply(unlimited, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await unlimited.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: NS } } as KubernetesObject);
  const list = await unlimited.list<Pod>('v1', 'Pod', NS);
  watch = await unlimited.watch<Pod>(
    'v1',
    'Pod',
    NS,
    { resourceVersion: list.resourceVersion },
    (event) => {
      const name = event.object.metadata.name!;
      const now = performance.now();
      let seen = pods.get(name);
      if (!seen) pods.set(name, (seen = { added: now, workflow: event.object.metadata.labels?.['workflows.argoproj.io/workflow'] }));
      // A pod has done its work when its containers have ended: the kubelet sets the pod's phase a
      // moment later, and Skiff, which reads the outputs from the containers' statuses, need not wait for it.
      const status = event.object.status;
      const containersEnded = (status?.containerStatuses?.length ?? 0) > 0 && status!.containerStatuses!.every((c) => c.state?.terminated);
      const phaseEnded = status?.phase === 'Succeeded' || status?.phase === 'Failed';
      if ((phaseEnded || containersEnded) && seen.ended === undefined) seen.ended = now;
      if (phaseEnded && seen.phaseEnded === undefined) seen.phaseEnded = now;
    },
    (error) => {
      if (error) console.error(`pod watch ended: ${error.message}`);
    },
  );

  let bareCount = 0;
  async function barePodLife(): Promise<{ ended: number; phaseEnded: number }> {
    const name = `bare-${++bareCount}`;
    const started = performance.now();
    await unlimited.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NS },
      spec: { nodeName: node.nodeName, restartPolicy: 'Never', containers: [{ name: 'main', image: node.images.busybox, command: ['echo', 'hi'] }] },
    } as KubernetesObject);
    for (;;) {
      const seen = pods.get(name);
      if (seen?.phaseEnded !== undefined) return { ended: seen.ended! - started, phaseEnded: seen.phaseEnded - started };
      await sleep(5);
    }
  }

  let runCount = 0;
  async function run(
    shape: 'chain' | 'fanout',
    width: number,
    step: 'container' | 'script' = 'container',
  ): Promise<{ wallMs: number; rss: number; requests: number; pods: Seen[] }> {
    const name = `${shape}-${width}-${step}-${++runCount}`;
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
        // No scheduler runs in the test environment: the pods name their node.
        podSpecPatch: JSON.stringify({ nodeName: node.nodeName }),
        templates: [
          { name: 'main', steps },
          step === 'container'
            ? { name: 'echo', container: { image: node.images.busybox, command: ['echo', 'hi'] } }
            : { name: 'echo', script: { image: node.images.busybox, command: ['sh'], source: 'echo hi' } },
        ],
      },
    } as unknown as Workflow;
    let rss = process.memoryUsage().rss;
    const sampler = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 100);
    const requestsBefore = count();
    const started = performance.now();
    const status = await driver.wait(await driver.submit(workflow));
    const wallMs = performance.now() - started;
    clearInterval(sampler);
    if (status.phase !== 'Succeeded') {
      const failed = Object.values(status.nodes).filter((n) => n.type === 'Pod' && n.phase !== 'Succeeded');
      const podList = await unlimited.list<Pod>('v1', 'Pod', NS, { labelSelector: `workflows.argoproj.io/workflow=${name}` });
      const bad = podList.items.find((pod) => pod.status?.phase !== 'Succeeded');
      if (bad) console.error(JSON.stringify(bad.status, null, 1));
      throw new Error(
        `${name} ended ${status.phase}: ${status.message ?? ''}; ${failed.length} pods not Succeeded, e.g. ${JSON.stringify(failed.slice(0, 3).map((n) => [n.displayName, n.phase, n.message]))}`,
      );
    }
    const own = () => [...pods.values()].filter((seen) => seen.workflow === name).sort((a, b) => a.added - b.added);
    for (let waited = 0; own().some((seen) => seen.phaseEnded === undefined) && waited < 10_000; waited += 10) await sleep(10);
    return { wallMs, rss, requests: count() - requestsBefore, pods: own() };
  }

  function gaps(own: Seen[], from: 'ended' | 'phaseEnded' = 'ended'): number[] {
    return own.slice(1).map((next, i) => next.added - own[i]![from]!);
  }

  async function podsPerSecond(target: KubeClient, total: number): Promise<number> {
    const prefix = `flood-${Math.random().toString(36).slice(2, 7)}`;
    const started = performance.now();
    // As many in flight as a controller's workers would have; the client's limit does the pacing.
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < total) {
          const i = next++;
          await target.create({
            apiVersion: 'v1',
            kind: 'Pod',
            // Not bound to a node and no scheduler: the pod stays Pending and runs nothing.
            metadata: { name: `${prefix}-${i}`, namespace: 'default' },
            spec: { containers: [{ name: 'main', image: node.images.busybox }] },
          } as KubernetesObject);
        }
      }),
    );
    const perSecond = total / ((performance.now() - started) / 1000);
    for (let i = 0; i < total; i++) await unlimited.delete({ apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: `${prefix}-${i}` });
    return perSecond;
  }

  await barePodLife(); // the first pod makes the bridge's first veth and warms the page cache
  await run('chain', 1);
  const bare: Array<{ ended: number; phaseEnded: number }> = [];
  for (let i = 0; i < 10; i++) bare.push(await barePodLife());
  const skiffLives: Array<{ ended: number; phaseEnded: number }> = [];
  const scriptLives: Array<{ ended: number; phaseEnded: number }> = [];
  const chainGaps: number[] = [];
  const phaseGaps: number[] = [];
  const chains: number[] = [];
  for (let r = 0; r < chainRuns; r++) {
    const single = (await run('chain', 1)).pods[0]!;
    skiffLives.push({ ended: single.ended! - single.added, phaseEnded: single.phaseEnded! - single.added });
    const script = (await run('chain', 1, 'script')).pods[0]!;
    scriptLives.push({ ended: script.ended! - script.added, phaseEnded: script.phaseEnded! - script.added });
    const chain = await run('chain', 10);
    chains.push(chain.wallMs);
    chainGaps.push(...gaps(chain.pods));
    phaseGaps.push(...gaps(chain.pods, 'phaseEnded'));
  }
  const bareEnded = median(bare.map((b) => b.ended));
  const barePhase = median(bare.map((b) => b.phaseEnded));
  const skiffEnded = median(skiffLives.map((b) => b.ended));
  const skiffPhase = median(skiffLives.map((b) => b.phaseEnded));
  const scriptEnded = median(scriptLives.map((b) => b.ended));
  const scriptPhase = median(scriptLives.map((b) => b.phaseEnded));
  const tenBare = bare.reduce((sum, b) => sum + b.phaseEnded, 0);
  const tenBareEnded = bare.reduce((sum, b) => sum + b.ended, 0);
  const limited = await podsPerSecond(connection, 300);
  const open = await podsPerSecond(unlimited, 300);

  const ms = (value: number): string => `${value.toFixed(0).padStart(6)} ms`;
  console.log(`real node; medians of ${chainRuns} runs (bare pods: of 10); times as seen by one pod watch`);
  console.log(
    `  pod life, to phase Succeeded:   bare busybox ${ms(barePhase)}   Skiff step (wait, main) ${ms(skiffPhase)}   +${(skiffPhase - barePhase).toFixed(0)} ms (goal +500)`,
  );
  console.log(
    `  pod life, to containers ended:  bare busybox ${ms(bareEnded)}   Skiff step (wait, main) ${ms(skiffEnded)}   +${(skiffEnded - bareEnded).toFixed(0)} ms`,
  );
  console.log(
    `  a script step (its source in main's environment), to Succeeded ${ms(scriptPhase)} (+${(scriptPhase - barePhase).toFixed(0)} ms), to containers ended ${ms(scriptEnded)} (+${(scriptEnded - bareEnded).toFixed(0)} ms)`,
  );
  console.log(
    `  10-step chain, submit to Succeeded ${ms(median(chains))}: ${(median(chains) / tenBare).toFixed(2)}x ten bare pods' lives to Succeeded (${tenBare.toFixed(0)} ms; goal 1.2x), ${(median(chains) / tenBareEnded).toFixed(2)}x to containers ended (${tenBareEnded.toFixed(0)} ms)`,
  );
  console.log(
    `  step-to-step gap, containers ended to next pod (${chainGaps.length}): p50 ${percentile(chainGaps, 50).toFixed(0)} ms, p99 ${percentile(chainGaps, 99).toFixed(0)} ms (goals 100, 500); from phase Succeeded: p50 ${percentile(phaseGaps, 50).toFixed(0)} ms`,
  );
  console.log(
    `  pods created per second: QPS ${DEFAULT_QPS}/burst ${DEFAULT_BURST} ${limited.toFixed(0).padStart(5)}/s; no client limit ${open.toFixed(0).padStart(5)}/s (300 pods, 32 in flight)`,
  );
  if (long) {
    for (const [shape, width] of [
      ['chain', 100],
      ['fanout', 100],
    ] as const) {
      const result = await run(shape, width);
      const shapeGaps = shape === 'chain' ? gaps(result.pods) : [];
      console.log(
        `  ${`${width}-${shape === 'chain' ? 'step chain' : 'wide fan-out'}`.padEnd(18)} wall ${(result.wallMs / 1000).toFixed(1).padStart(6)} s; peak RSS ${(result.rss / 2 ** 20).toFixed(0)} MiB; ${(result.requests / width).toFixed(1)} API requests per pod` +
          (shapeGaps.length ? `; gap p50 ${percentile(shapeGaps, 50).toFixed(0)} ms, p99 ${percentile(shapeGaps, 99).toFixed(0)} ms` : ''),
      );
    }
  }
} finally {
  watch?.close();
  await runtime.close();
  await node.stop();
  await kube.stop();
}
