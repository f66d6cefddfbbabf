// GitHub API calls per completed run: fewer is better (updates batched, never one per node change).
//
//   npm run bench:github-runs    (or: node dist/bench/github-run-calls.bench.js)
//
// skiff serve in process, the fake GitHub and the real local runtime (GitHubAppHarness), with the
// production intervals (a run's check run read back every 2 s, a PR comment edited at most every
// 3 s; SKIFF_BENCH_RUN_UPDATE_MS and SKIFF_BENCH_COMMENT_MS change them). For a Workflow of a
// 5-step chain and one of a 20-wide fan-out, each on a push and on a pull request (a fresh
// repository each time, one Workflow run per delivery): every API call from the delivery until
// the run's check run is completed and, for a pull request, its comment is final. Prints the
// median over SKIFF_BENCH_SAMPLES deliveries, per route, beside the run's node count; asserts nothing.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { ApiRequestRecord } from '../test/env/github/api-request-handler.js';
import { GitHubAppHarness } from '../test/helpers/github-app-harness.js';
import { LocalRunStore } from '../src/state/local-run-store.js';
import { median } from './median.js';

const SAMPLES = Number(process.env.SKIFF_BENCH_SAMPLES ?? 3);
const RUN_UPDATE_MS = Number(process.env.SKIFF_BENCH_RUN_UPDATE_MS ?? 2000);
const COMMENT_MS = Number(process.env.SKIFF_BENCH_COMMENT_MS ?? 3000);

const ECHO = '  - name: echo\n    container: {image: alpine, command: [echo, hi]}\n';
const header = (name: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: ${name}-}\nspec:\n  entrypoint: main\n  templates:\n  - name: main\n    steps:\n`;
const SHAPES = {
  'chain of 5 steps': {
    name: 'chain',
    yaml: `${header('chain')}${Array.from({ length: 5 }, (_, i) => `    - [{name: s${i + 1}, template: echo}]\n`).join('')}${ECHO}`,
  },
  'fan-out of 20 steps': {
    name: 'fanout',
    yaml: `${header('fanout')}    - - {name: leaf, template: echo, withItems: [${Array.from({ length: 20 }, (_, i) => i + 1).join(', ')}]}\n${ECHO}`,
  },
};

interface Sample {
  calls: number;
  byRoute: Map<string, number>;
  seconds: number;
  nodes: number;
  pods: number;
  phase: string;
}

/** One delivery of `event` to a fresh repository holding only `workflow`, measured until its run's check run and comment are final. */
async function measure(h: GitHubAppHarness, repoName: string, workflow: { name: string; yaml: string }, event: 'push' | 'pull_request'): Promise<Sample> {
  const config = `paths: [workflows]\nnamespace: ci\non:\n  push: {branches: [main]}\n  pull_request: {workflows: [${workflow.name}]}\n`;
  await h.github.createRepo(repoName, { '.skiff.yml': config, [`workflows/${workflow.name}.yaml`]: workflow.yaml });
  const repo = h.github.state.repo(...(repoName.split('/') as [string, string]));
  const { runGit } = await import('../test/env/git/run-git.js');
  const before = await runGit(['rev-parse', 'refs/heads/main'], { cwd: repo.gitdir });
  const branch = event === 'push' ? 'main' : 'feature';
  const sha = await h.github.pushCommit(repoName, branch, { 'src/change.txt': `${repoName}\n` });
  const pull = event === 'pull_request' ? await h.github.openPullRequest(repoName, { head: 'feature' }) : undefined;

  const first = h.github.requests.length;
  const started = performance.now();
  const response = pull
    ? await h.github.webhooks.pullRequest('opened', repoName, pull.number)
    : await h.github.webhooks.push(repoName, { ref: 'refs/heads/main', before, after: sha });
  if (response.status !== 202) throw new Error(`${event} delivery answered ${response.status}`);
  await h.server.runsSettled();
  const seconds = (performance.now() - started) / 1000;

  const requests: ApiRequestRecord[] = h.github.requests.slice(first);
  const byRoute = new Map<string, number>();
  for (const request of requests) {
    const route = `${request.method} ${request.operationId ?? request.path}`;
    byRoute.set(route, (byRoute.get(route) ?? 0) + 1);
  }
  const store = new LocalRunStore(h.stateDir);
  const runs = [];
  for (const key of await store.list()) {
    const run = await store.peek(key);
    if (run?.workflow.metadata?.labels?.['skiff.dev/commit'] === sha) runs.push(run);
  }
  if (runs.length !== 1) throw new Error(`expected one run of ${workflow.name} for ${sha}, found ${runs.length}`);
  const nodes = Object.values(runs[0]!.status.nodes);
  return { calls: requests.length, byRoute, seconds, nodes: nodes.length, pods: nodes.filter((n) => n.type === 'Pod').length, phase: runs[0]!.status.phase };
}

const h = await GitHubAppHarness.start({ runUpdateIntervalMs: RUN_UPDATE_MS, commentIntervalMs: COMMENT_MS });
try {
  console.log(
    `GitHub API calls per completed run: check runs read back every ${RUN_UPDATE_MS} ms, comments edited at most every ${COMMENT_MS} ms; median of ${SAMPLES} deliveries`,
  );
  let count = 0;
  for (const [label, workflow] of Object.entries(SHAPES)) {
    for (const event of ['push', 'pull_request'] as const) {
      const samples: Sample[] = [];
      for (let i = 0; i < SAMPLES; i++) samples.push(await measure(h, `acme/calls-${count++}`, workflow, event));
      const routes = [...new Set(samples.flatMap((s) => [...s.byRoute.keys()]))].sort();
      const phases = [...new Set(samples.map((s) => s.phase))].join(', ');
      console.log(
        `- ${label}, ${event}: ${median(samples.map((s) => s.calls))} calls (min ${Math.min(...samples.map((s) => s.calls))}, max ${Math.max(...samples.map((s) => s.calls))}); ` +
          `run ${phases}, ${median(samples.map((s) => s.nodes))} nodes (${median(samples.map((s) => s.pods))} pods), ${median(samples.map((s) => s.seconds)).toFixed(1)} s from delivery to final (load ${loadavg()[0]!.toFixed(2)})`,
      );
      for (const route of routes) console.log(`    ${String(median(samples.map((s) => s.byRoute.get(route) ?? 0))).padStart(4)}  ${route}`);
    }
  }
} finally {
  await h.close();
}
