// Webhook deliveries in a burst against skiff serve and the fake GitHub.
//
//   npm run bench:github    (or: node dist/bench/github-webhooks.bench.js)
//
// 1. Acknowledgement: `skiff serve` runs as its own process (as deployed); 1,000 signed deliveries
//    (ping: nothing to handle, so the figure is the receiving path alone: signature, the inbox and
//    the delivery-id ledger on disk, queueing) are sent at once; time to acknowledge each, p50 and
//    p99, three rounds, each beside the same burst sent to a bare HTTP server (the floor).
// 2. 200 pull_request deliveries over 10 repositories at once to skiff serve in its own process:
//    each delivery's first check run (opened queued at once), p50 and p99, and all checks done.
// 3. The whole path, in process (the fake GitHub shares the event loop, so times are upper
//    bounds): 200 pull_request deliveries over 10 repositories at once; every one handled once
//    (lint and plan check runs counted), replays ignored, time to the first check run, and GitHub
//    API calls per delivery. Prints figures; asserts nothing.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { signWebhookBody } from '../test/env/github/webhook-sender.js';
import { startFakeGitHub } from '../test/env/github/start-fake-github.js';
import { GitHubAppHarness } from '../test/helpers/github-app-harness.js';
import { repoRoot } from '../test/helpers/paths.js';

const BURST = Number(process.env.SKIFF_BENCH_DELIVERIES ?? 1000);
const FULL = Number(process.env.SKIFF_BENCH_FULL_DELIVERIES ?? 200);
const REPOS = 10;
const WORKFLOW =
  'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: hello-}\nspec:\n  entrypoint: main\n  templates:\n  - name: main\n    container: {image: alpine, command: [echo, hi]}\n';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A Node.js HTTP server in a process of its own that reads each request's body and answers 202. */
async function startBareServer(): Promise<{ url: string; stop: () => void }> {
  const code =
    "const s = require('node:http').createServer((q, r) => { q.resume(); q.on('end', () => { r.writeHead(202); r.end('accepted\\n'); }); });" +
    "s.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + s.address().port));";
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the bare server exited with ${code}`)));
  });
  return { url, stop: () => child.kill() };
}

async function acknowledgement(): Promise<void> {
  const github = await startFakeGitHub();
  const dir = await mkdtemp(join(tmpdir(), 'skiff-bench-serve-'));
  let serve: ChildProcess | undefined;
  try {
    await writeFile(join(dir, 'app.pem'), github.app.privateKey);
    serve = spawn(process.execPath, [join(repoRoot, 'bin/skiff.js'), 'serve', '--host', '127.0.0.1', '--port', '0', '--state-dir', join(dir, 'state')], {
      env: {
        ...process.env,
        APP_ID: String(github.app.id),
        PRIVATE_KEY_PATH: join(dir, 'app.pem'),
        WEBHOOK_SECRET: github.app.webhookSecret,
        GITHUB_API_URL: github.baseUrl,
        // Writes not spaced a second apart per installation (as GitHub.com asks; all the bench's
        // repositories share one installation, so 400 check runs would take 400 s and more).
        SKIFF_GITHUB_THROTTLE: 'off',
      },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      serve!.stdout!.on('data', (chunk: Buffer) => {
        out += chunk;
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match) resolve(`${match[1]}/api/github/webhooks`);
      });
      serve!.once('exit', (code) => reject(new Error(`skiff serve exited with ${code}`)));
    });
    const body = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
    const signature = signWebhookBody(github.app.webhookSecret, body);
    const send = async (id: string) => {
      const sent = performance.now();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': id, 'x-hub-signature-256': signature },
        body,
      });
      await response.text();
      return { ms: performance.now() - sent, status: response.status };
    };
    await Promise.all(Array.from({ length: 20 }, () => send(randomUUID()))); // warm up connections and JIT
    // The floor: a bare Node.js HTTP server in its own process that reads the body and answers 202,
    // sent the same burst by the same client in the same run. On two cores the client's own work
    // and the connections' setup are most of a burst's time, so the ratio says what Skiff adds.
    const floor = await startBareServer();
    const sendBare = async () => {
      const sent = performance.now();
      const response = await fetch(floor.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await response.text();
      return performance.now() - sent;
    };
    await Promise.all(Array.from({ length: 20 }, sendBare));
    const rounds: Array<{ skiff: number[]; bare: number[]; all: number; accepted: number }> = [];
    let replays: Array<{ status: number }> = [];
    try {
      for (let round = 0; round < 3; round++) {
        const bare = await Promise.all(Array.from({ length: BURST }, sendBare));
        const ids = Array.from({ length: BURST }, () => randomUUID());
        const started = performance.now();
        const acks = await Promise.all(ids.map(send));
        const all = performance.now() - started;
        rounds.push({ skiff: acks.map((a) => a.ms), bare, all, accepted: acks.filter((a) => a.status === 202).length });
        if (round === 0) replays = await Promise.all(ids.slice(0, 100).map(send));
      }
    } finally {
      floor.stop();
    }
    const med = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
    const p = (side: 'skiff' | 'bare', q: number) => med(rounds.map((r) => percentile(r[side], q)));
    console.log(`1. ${BURST} deliveries at once to skiff serve in its own process, 3 rounds (load ${loadavg()[0]!.toFixed(2)}, 2 cores):`);
    console.log(
      `   ${rounds.map((r) => r.accepted).join(', ')} acknowledged with 202 in ${rounds.map((r) => r.all.toFixed(0)).join(', ')} ms (median ${((med(rounds.map((r) => r.all)) / BURST) * 1000).toFixed(0)} µs per delivery)`,
    );
    console.log(
      `   time to acknowledge, medians of the rounds: p50 ${p('skiff', 50).toFixed(0)} ms, p99 ${p('skiff', 99).toFixed(0)} ms (all sent at the same instant: queueing included; goal p99 < 100)`,
    );
    console.log(
      `   a bare HTTP server answering 202, same client, same rounds: p50 ${p('bare', 50).toFixed(0)} ms, p99 ${p('bare', 99).toFixed(0)} ms; skiff serve ${(p('skiff', 99) / p('bare', 99)).toFixed(2)}x its p99`,
    );
    console.log(`   100 of them sent again: ${replays.filter((r) => r.status === 200).length} ignored as seen before`);
    const one: number[] = [];
    for (let i = 0; i < 200; i++) one.push((await send(randomUUID())).ms);
    console.log(`   one at a time: p50 ${percentile(one, 50).toFixed(1)} ms, p99 ${percentile(one, 99).toFixed(1)} ms`);
    await firstCheckRuns(github, url);
  } finally {
    if (serve && serve.exitCode === null) {
      const exited = new Promise((resolve) => serve!.once('exit', resolve));
      serve.kill('SIGTERM');
      await exited;
    }
    await github.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * 200 pull-request deliveries over 10 repositories at once to `skiff serve` in its own process
 * (the fake GitHub in this one): how soon each delivery's first check run exists (by the delivery
 * id in its external_id), and when every lint and plan check run is completed.
 */
async function firstCheckRuns(github: Awaited<ReturnType<typeof startFakeGitHub>>, url: string): Promise<void> {
  const payloads: Array<Record<string, unknown>> = [];
  for (let r = 0; r < REPOS; r++) {
    const name = `acme/burst-${r}`;
    await github.createRepo(name, { '.skiff.yml': 'paths: [workflows]\nnamespace: ci\n', 'workflows/hello.yaml': WORKFLOW });
    await github.pushCommit(name, 'feature', { 'workflows/second.yaml': WORKFLOW.replace('hello-', 'second-') });
    const pull = await github.openPullRequest(name, { head: 'feature' });
    const repo = github.state.repo('acme', `burst-${r}`);
    payloads.push(github.webhooks.payloads.pullRequest('synchronize', repo, github.state.pull(repo, pull.number), [], 1));
  }
  const ids = Array.from({ length: FULL }, () => randomUUID());
  const firstOf = new Map<string, number>();
  const completed = new Set<string>();
  let scanned = 0;
  const started = performance.now();
  const watch = setInterval(() => {
    const runs = [...github.state.checkRuns.values()];
    for (const run of runs.slice(scanned)) {
      const id = ids.find((candidate) => run.externalId?.endsWith(`:${candidate}`));
      if (id && !firstOf.has(id)) firstOf.set(id, performance.now() - started);
    }
    scanned = runs.length;
    for (const run of runs)
      if (run.status === 'completed' && run.externalId && ids.some((id) => run.externalId!.endsWith(`:${id}`))) completed.add(run.externalId);
  }, 5);
  const acks = await Promise.all(
    ids.map(async (id, i) => {
      const body = JSON.stringify(payloads[i % REPOS]);
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'pull_request',
          'x-github-delivery': id,
          'x-hub-signature-256': signWebhookBody(github.app.webhookSecret, body),
        },
        body,
      });
      await response.text();
      return response.status;
    }),
  );
  while (completed.size < 2 * FULL && performance.now() - started < 600_000) await new Promise((resolve) => setTimeout(resolve, 100));
  const done = performance.now() - started;
  clearInterval(watch);
  const firsts = [...firstOf.values()];
  console.log(
    `2. ${FULL} pull_request deliveries over ${REPOS} repositories at once to skiff serve in its own process, writes not spaced (SKIFF_GITHUB_THROTTLE=off; load ${loadavg()[0]!.toFixed(2)}):`,
  );
  console.log(
    `   ${acks.filter((s) => s === 202).length} acknowledged; each delivery's first check run (${firsts.length} of ${FULL}), opened queued: p50 ${percentile(firsts, 50).toFixed(0)} ms, p99 ${percentile(firsts, 99).toFixed(0)} ms after the burst began (goal p99 < 1 s)`,
  );
  console.log(`   every lint and plan check run completed (${completed.size} of ${2 * FULL}) after ${(done / 1000).toFixed(1)} s`);
}

async function wholePath(): Promise<void> {
  const h = await GitHubAppHarness.start();
  try {
    const payloads: Array<Record<string, unknown>> = [];
    for (let r = 0; r < REPOS; r++) {
      const name = `acme/flows-${r}`;
      await h.github.createRepo(name, { '.skiff.yml': 'paths: [workflows]\nnamespace: ci\n', 'workflows/hello.yaml': WORKFLOW });
      await h.github.pushCommit(name, 'feature', { 'workflows/second.yaml': WORKFLOW.replace('hello-', 'second-') });
      const pull = await h.github.openPullRequest(name, { head: 'feature' });
      const repo = h.github.state.repo('acme', `flows-${r}`);
      payloads.push(h.github.webhooks.payloads.pullRequest('synchronize', repo, h.github.state.pull(repo, pull.number), [], 1));
    }
    const requestsBefore = h.github.requests.length;
    const checksBefore = h.github.state.checkRuns.size;
    const started = performance.now();
    let firstCheck: number | undefined;
    // Each delivery's first check run, found by the delivery id its external_id carries.
    const ids = Array.from({ length: FULL }, () => randomUUID());
    const firstOf = new Map<string, number>();
    let scanned = 0;
    const watch = setInterval(() => {
      if (firstCheck === undefined && h.github.state.checkRuns.size > checksBefore) firstCheck = performance.now() - started;
      const runs = [...h.github.state.checkRuns.values()];
      for (const run of runs.slice(scanned)) {
        const id = ids.find((candidate) => run.externalId?.endsWith(`:${candidate}`));
        if (id && !firstOf.has(id)) firstOf.set(id, performance.now() - started);
      }
      scanned = runs.length;
    }, 5);
    const acks = await Promise.all(ids.map(async (id, i) => (await h.sendRaw('pull_request', payloads[i % REPOS]!, id)).status));
    await h.server.idle();
    clearInterval(watch);
    const handled = performance.now() - started;
    await Promise.all(ids.slice(0, 50).map((id, i) => h.sendRaw('pull_request', payloads[i % REPOS]!, id)));
    await h.server.idle();
    const checks = h.github.state.checkRuns.size - checksBefore;
    const calls = h.github.requests.length - requestsBefore;
    console.log(`3. ${FULL} pull_request deliveries over ${REPOS} repositories at once, in process (load ${loadavg()[0]!.toFixed(2)}):`);
    console.log(
      `   ${acks.filter((s) => s === 202).length} acknowledged; first check run after ${firstCheck?.toFixed(0) ?? '?'} ms; all handled after ${(handled / 1000).toFixed(1)} s`,
    );
    const firsts = [...firstOf.values()];
    console.log(
      `   each delivery's first check run (${firsts.length} of ${FULL}): p50 ${percentile(firsts, 50).toFixed(0)} ms, p99 ${percentile(firsts, 99).toFixed(0)} ms after the burst began (goal p99 < 1 s)`,
    );
    console.log(`   check runs: ${checks} for ${2 * FULL} expected (lint and plan per delivery: fewer = lost, more = duplicated; 50 replays included)`);
    console.log(
      `   GitHub API calls: ${(calls / FULL).toFixed(1)} per delivery (2 lookups of an open check run, 2 creates, 2 updates; the installation token is cached)`,
    );
  } finally {
    await h.close();
  }
}

await acknowledgement();
await wholePath();
