import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { ReferencedTemplate } from '../../src/engine/template-catalog.js';
import type { WorkflowStatus } from '../../src/engine/workflow-status.js';
import { type HttpClient, nodeHttpClient } from '../../src/runtime/local/http-client.js';
import type { ConfigMap, KubernetesObject } from '../../src/spec/model/kubernetes.js';
import type { Workflow, WorkflowSpec } from '../../src/spec/model/workflow.js';
import { parseSourceFile } from '../../src/spec/source/parse-source-file.js';
import { PINNED_HERE, SEMAPHORE_CONFIG_MAP } from './corpus-pins.js';
import { argoCorpusDir } from './paths.js';

/**
 * The one URL the corpus's http templates fetch (the lifecycle-hook examples). This machine has no
 * network, so the runtime's HTTP client port is given a client that answers exactly this URL from
 * a real HTTP server on 127.0.0.1 serving a JSON body, and refuses every other host.
 */
export const CORPUS_URL =
  'https://raw.githubusercontent.com/argoproj/argo-workflows/4e450e250168e6b4d51a126b784e90b11a0162bc/pkg/apis/workflow/v1alpha1/generated.swagger.json';

export interface Loopback {
  server: Server;
  client: HttpClient;
  requests: () => number;
  close: () => Promise<void>;
}

export async function loopbackFor(url: string): Promise<Loopback> {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ swagger: '2.0', info: { title: 'Argo Workflows API' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const local = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/generated.swagger.json`);
  const client: HttpClient = (request) =>
    request.url.href === url
      ? nodeHttpClient({ ...request, url: local })
      : Promise.reject(new Error(`no network in this test: ${request.url.href} is not served`));
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { server, client, requests: () => requests, close };
}

/** Corpus files that do not run on the local runtime, each with the reason (the cluster corpus skips them too). */
export const LOCAL_EXCLUDED: Record<string, string> = {
  'examples/synchronization-mutex-tmpl-level.yaml': 'takes over 250 s by design (five 50 s steps behind one mutex); the engine corpus runs it',
  'examples/synchronization-db-mutex-tmpl-level.yaml': 'takes over 250 s by design (five 50 s steps behind one mutex); the engine corpus runs it',
};

/**
 * Examples whose steps fail at random on purpose (a 2-in-3 chance per attempt, 10 retries): Argo's
 * expected Succeeded holds only about 98% of the time. For them the tests accept the other honest
 * outcome too: Failed after every one of the 11 attempts failed.
 */
export const RANDOM_BY_DESIGN = new Set(['examples/retry-script.yaml', 'examples/retry-container.yaml']);

/** One Workflow of the corpus that runs on this machine, with the phase it must end in. */
export interface CorpusCase {
  file: string;
  expected: string;
  workflow: Workflow;
}

export interface Corpus {
  cases: CorpusCase[];
  /** The corpus's WorkflowTemplates and ClusterWorkflowTemplates, as the engine takes them. */
  referenced: ReferencedTemplate[];
  /** The same templates as the objects the files hold (to create in a cluster). */
  templateObjects: KubernetesObject[];
  /** The ConfigMaps the corpus reads: its own files' and the semaphore limits. */
  configMaps: ConfigMap[];
}

/**
 * Reads MANIFEST.tsv: every Workflow of a file marked local_runnable=yes with a pinned phase of
 * Succeeded or Failed (Argo's, or Skiff's own for the examples Argo does not run: PINNED_HERE).
 */
export function readCorpus(): Corpus {
  const corpus: Corpus = { cases: [], referenced: [], templateObjects: [], configMaps: [SEMAPHORE_CONFIG_MAP] };
  const lines = readFileSync(resolve(argoCorpusDir, 'MANIFEST.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
  for (const line of lines) {
    const [file, kind, , , runnable, pinned] = line.split('\t') as [string, string, string, string, string, string];
    const expected = PINNED_HERE[file] ?? pinned;
    const docs = parseSourceFile(file, readFileSync(resolve(argoCorpusDir, file), 'utf8')).documents.map((d) => d.value) as Array<{
      kind?: string;
      metadata?: { name?: string };
      spec?: WorkflowSpec;
    }>;
    for (const doc of docs) {
      if (doc?.kind === 'WorkflowTemplate' || doc?.kind === 'ClusterWorkflowTemplate') {
        corpus.referenced.push({ name: doc.metadata?.name ?? '', clusterScope: doc.kind === 'ClusterWorkflowTemplate', spec: doc.spec ?? {} });
        corpus.templateObjects.push(doc as unknown as KubernetesObject);
      }
      if (doc?.kind === 'ConfigMap') corpus.configMaps.push(doc as unknown as ConfigMap);
      if (doc?.kind === 'Workflow' && kind.includes('Workflow') && runnable === 'yes' && (expected === 'Succeeded' || expected === 'Failed')) {
        corpus.cases.push({ file, expected, workflow: doc as unknown as Workflow });
      }
    }
  }
  return corpus;
}

/** The outcome of one corpus run that the tests check. */
export interface CorpusOutcome {
  phase: string;
  detail: string;
  /** Every one of 11 pod attempts failed (the honest other outcome of RANDOM_BY_DESIGN). */
  exhausted: boolean;
  /** The lifecycle-hook nodes, as `<name after the root's>:<type>:<phase>`, sorted. */
  hooks: string[];
  /** The S3 keys of the nodes' output artifacts (a cluster run's, in its repository). */
  s3Keys: string[];
}

export function outcomeOf(status: WorkflowStatus): CorpusOutcome {
  const nodes = Object.values(status.nodes);
  const pods = nodes.filter((n) => n.type === 'Pod');
  const bad = pods.filter((n) => n.phase !== 'Succeeded').map((n) => `${n.displayName}: ${n.phase} ${n.message ?? ''}`);
  const exhausted = pods.length === 11 && pods.every((n) => n.phase === 'Failed');
  const root = nodes.find((n) => !n.boundaryID && !n.nodeFlag)?.name ?? '';
  const hooks = nodes
    .filter((n) => n.nodeFlag?.hooked)
    .map((n) => `${n.name.slice(root.length)}:${n.type}:${n.phase}`)
    .sort();
  const s3Keys = nodes.flatMap((n) => (n.outputs?.artifacts ?? []).flatMap((a) => (a.s3?.key ? [a.s3.key] : [])));
  return { phase: status.phase, detail: `${status.message ?? ''} ${bad.join('; ')}`, exhausted, hooks, s3Keys };
}

/** Starts `run` for every case at once, at most `concurrency` running at a time; each promise is its own case's. */
export function runPooled<T>(cases: CorpusCase[], concurrency: number, run: (c: CorpusCase) => Promise<T>): Map<string, Promise<T>> {
  const waiting: Array<() => void> = [];
  let running = 0;
  const acquire = (): Promise<void> => (running < concurrency ? (running++, Promise.resolve()) : new Promise((r) => waiting.push(r)));
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  const outcomes = new Map<string, Promise<T>>();
  for (const c of cases) {
    const outcome = (async () => {
      await acquire();
      try {
        return await run(c);
      } finally {
        release();
      }
    })();
    outcome.catch(() => {}); // Its test reports it; an unawaited rejection must not end the process first.
    outcomes.set(c.file, outcome);
  }
  return outcomes;
}
