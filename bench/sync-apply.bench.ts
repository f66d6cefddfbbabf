// Planning and applying 500 objects against the real kube-apiserver of the test environment:
// wall time and API requests of a first sync (500 creates), a no-change plan, and a no-change sync.
//
//   npm run bench:sync-apply    (or: node dist/bench/sync-apply.bench.js; SKIFF_BENCH_RUNS=3)
//
// Each run uses a namespace of its own, so every first sync creates all 500. Prints medians and the
// requests made per object; asserts nothing. The API server's own client limits are not in play
// (KubeConnection sends requests one at a time, as the sync does).
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { KubeClient } from '../src/kube/kube-client.js';
import { KubeConnection } from '../src/kube/kube-connection.js';
import type { KubernetesObject } from '../src/spec/model/kubernetes.js';
import { applySync } from '../src/sync/apply/apply-sync.js';
import type { DesiredSet } from '../src/sync/desired-set.js';
import { planSync } from '../src/sync/plan/plan-sync.js';
import { parseRepositoryConfig } from '../src/sync/repository-config.js';
import { REPO_ROOT, startKubeApiServer } from '../test/env/kube/index.js';
import { median } from './median.js';

const runs = Number(process.env.SKIFF_BENCH_RUNS ?? 3);
const OBJECTS = 500;

function desiredIn(namespace: string): DesiredSet {
  const parsed = parseRepositoryConfig('.skiff.yml', `paths: [manifests]\nnamespace: ${namespace}\nprune: true\n`);
  if (!parsed.ok) throw new Error('bad config');
  const apply = Array.from({ length: OBJECTS }, (_, i) => {
    const kind = i % 2 === 0 ? 'ConfigMap' : 'WorkflowTemplate';
    const name = `object-${i}`;
    const object =
      kind === 'ConfigMap'
        ? { apiVersion: 'v1', kind, metadata: { name, namespace }, data: { value: String(i) } }
        : {
            apiVersion: 'argoproj.io/v1alpha1',
            kind,
            metadata: { name, namespace },
            spec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'alpine', command: ['echo', String(i)] } }] },
          };
    return {
      identity: { apiVersion: object.apiVersion, kind: kind as 'ConfigMap', namespace, name },
      source: { file: `manifests/${name}.yaml`, line: 1, document: 0 },
      object,
    };
  });
  return { config: parsed.config, apply, run: [], warnings: [] };
}

/** Counts the requests the sync makes, by method. */
function counted(client: KubeClient): { client: KubeClient; requests: () => number; reset: () => void } {
  let count = 0;
  const wrapped = new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        count++;
        return value.apply(target, args);
      };
    },
  });
  return { client: wrapped, requests: () => count, reset: () => (count = 0) };
}

const kube = await startKubeApiServer({ crdPaths: [join(REPO_ROOT, 'charts', 'skiff', 'crds')] });
try {
  const connection = KubeConnection.load({ kubeconfigPath: kube.kubeconfigPath, env: {} });
  const rows: Record<string, { ms: number[]; requests: number[] }> = {};
  const record = (label: string, ms: number, requests: number) => {
    rows[label] ??= { ms: [], requests: [] };
    rows[label].ms.push(ms);
    rows[label].requests.push(requests);
  };
  for (let run = 0; run < runs; run++) {
    const namespace = `bench-${run}`;
    await connection.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } } as KubernetesObject);
    const desired = desiredIn(namespace);
    const { client, requests, reset } = counted(connection);
    const input = { desired, client, repository: 'bench/sync', commit: `c${run}` };
    for (const [label, step] of [
      ['first sync (500 created)', () => applySync(input)],
      ['plan, nothing changed', () => planSync(input)],
      ['sync, nothing changed', () => applySync(input)],
    ] as const) {
      reset();
      const started = performance.now();
      await step();
      record(label, performance.now() - started, requests());
    }
  }
  console.log(
    `sync of ${OBJECTS} objects (ConfigMaps and WorkflowTemplates) against kube-apiserver, medians of ${runs}; load average ${loadavg()[0]!.toFixed(1)}`,
  );
  for (const [label, { ms, requests }] of Object.entries(rows)) {
    const m = median(ms);
    console.log(
      `${label}: median ${m.toFixed(0)} ms, ${(m / OBJECTS).toFixed(1)} ms per object, ${median(requests)} requests (${(median(requests) / OBJECTS).toFixed(1)} per object)`,
    );
  }
} finally {
  await kube.stop();
}
