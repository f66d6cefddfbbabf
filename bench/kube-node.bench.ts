// The test environment's real node: how long it takes to start and stop, and how long pods live on
// it from create to Succeeded (polled every 50 ms through the API): a bare one-container busybox pod
// (the baseline), a pod with an init and a main container, and a pod of Skiff's own image running
// `skiff version`. Needs root.
//
//   node dist/bench/kube-node.bench.js [runs]
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, KubeConfig, type V1PodSpec } from '@kubernetes/client-node';
import { startKubeApiServer } from '../test/env/kube/index.js';
import { startKubeNode } from '../test/env/kube-node/index.js';
import { median } from './median.js';

const runs = Number(process.argv[2] ?? 5);

const apiStarted = performance.now();
const kube = await startKubeApiServer({ realNode: true });
const apiMs = performance.now() - apiStarted;
const nodeStarted = performance.now();
const node = await startKubeNode({ kube });
const nodeMs = performance.now() - nodeStarted;
const kc = new KubeConfig();
kc.loadFromFile(node.kubeconfigPath);
const core = kc.makeApiClient(CoreV1Api);

let count = 0;
async function podLife(spec: Omit<V1PodSpec, 'nodeName' | 'restartPolicy'>): Promise<number> {
  const name = `bench-${++count}`;
  const started = performance.now();
  await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name }, spec: { ...spec, nodeName: node.nodeName, restartPolicy: 'Never' } } });
  for (;;) {
    const pod = await core.readNamespacedPod({ name, namespace: 'default' });
    if (pod.status?.phase === 'Succeeded') return performance.now() - started;
    if (pod.status?.phase === 'Failed') throw new Error(`pod ${name} failed: ${JSON.stringify(pod.status)}`);
    await sleep(50);
  }
}

const bare = { containers: [{ name: 'main', image: node.images.busybox, command: ['true'] }] };
const withInit = {
  volumes: [{ name: 'work', emptyDir: {} }],
  initContainers: [
    { name: 'init', image: node.images.busybox, command: ['sh', '-c', 'echo hi > /work/x'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
  ],
  containers: [{ name: 'main', image: node.images.busybox, command: ['cat', '/work/x'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
};
const skiff = { containers: [{ name: 'main', image: node.images.skiff, args: ['version'] }] };

try {
  await podLife(bare); // the first pod also makes the bridge's first veth and warms the page cache
  const samples = { bare: [] as number[], withInit: [] as number[], skiff: [] as number[] };
  for (let i = 0; i < runs; i++) {
    samples.bare.push(await podLife(bare));
    samples.withInit.push(await podLife(withInit));
    samples.skiff.push(await podLife(skiff));
  }
  const b = median(samples.bare);
  const line = (label: string, ms: number): string => `  ${label.padEnd(46)} ${ms.toFixed(0).padStart(6)} ms  (${(ms / b).toFixed(2)}x bare)`;
  console.log(`real node, median of ${runs} pods each`);
  console.log(`  API server start ${apiMs.toFixed(0)} ms; node start ${nodeMs.toFixed(0)} ms ${JSON.stringify(node.timings)}`);
  console.log(line('bare busybox pod, create to Succeeded', b));
  console.log(line('init + main sharing an emptyDir', median(samples.withInit)));
  console.log(line('Skiff image, `skiff version`', median(samples.skiff)));
} finally {
  const stopStarted = performance.now();
  await node.stop();
  console.log(`  node stop ${(performance.now() - stopStarted).toFixed(0)} ms`);
  await kube.stop();
}
