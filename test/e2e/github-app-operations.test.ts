// What an operator of skiff serve sees: Prometheus metrics after a pull request and a push (with
// a sync and a run on the local runtime), and JSON log lines that each carry the delivery's id.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { GitHubAppHarness } from '../helpers/github-app-harness.js';
import { StructuredLog } from '../../src/server/structured-log.js';

const CONFIG = 'paths: [workflows]\nnamespace: ci\non:\n  push: {branches: [main]}\n';
const GREET = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: greet-}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine, command: [echo, hello]}
`;
const TEMPLATE =
  'apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: shared}\nspec:\n  templates:\n  - name: main\n    container: {image: alpine, command: [echo, shared]}\n';

let h: GitHubAppHarness;
const lines: string[] = [];

before(async () => {
  const logger = new StructuredLog({ format: 'json', level: 'debug', write: (text) => lines.push(...text.split('\n').filter(Boolean)) });
  h = await GitHubAppHarness.start({ logger, log: undefined });
});
afterEach(() => h.github.assertNoViolations());
after(async () => h?.close());

/** The samples of a Prometheus text exposition: series (name and labels) → value; checks each line's shape. */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const match = /^([a-z_]+(?:\{[a-z_]+="(?:[^"\\]|\\.)*"(?:,[a-z_]+="(?:[^"\\]|\\.)*")*\})?) (-?[0-9.e+]+|\+Inf|NaN)$/.exec(line);
    assert.ok(match, `not a Prometheus sample: ${line}`);
    assert.ok(!samples.has(match[1]!), `series twice: ${match[1]}`);
    samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

/** The samples of one metric whose labels include every one of `labels`. */
function series(samples: Map<string, number>, name: string, labels: Record<string, string> = {}): number[] {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return [...samples].filter(([key]) => (key === name || key.startsWith(`${name}{`)) && wanted.every((label) => key.includes(label))).map(([, value]) => value);
}
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

test('after a pull request and a push, /metrics shows deliveries, queue wait, runs, API calls, the rate limit and the sync', async () => {
  const repo = await h.github.createRepo('acme/flows', { '.skiff.yml': CONFIG, 'workflows/greet.yaml': GREET, 'workflows/shared.yaml': TEMPLATE });
  await h.github.pushCommit('acme/flows', 'feature', { 'workflows/second.yaml': GREET.replace('greet-', 'second-') });
  const pr = await h.github.openPullRequest('acme/flows', { head: 'feature', user: 'alice' });
  assert.equal((await h.github.webhooks.pullRequest('opened', 'acme/flows', pr.number)).status, 202);
  assert.equal((await h.github.webhooks.push('acme/flows', { ref: 'refs/heads/main', before: '0'.repeat(40), after: repo.commit })).status, 202);
  await h.server.runsSettled();

  const response = await fetch(`${h.server.url}/metrics`);
  assert.equal(response.status, 200);
  const text = await response.text();
  const samples = parseMetrics(text);
  for (const [name, type] of [
    ['skiff_github_deliveries_total', 'counter'],
    ['skiff_github_queue_depth', 'gauge'],
    ['skiff_github_queue_wait_seconds', 'histogram'],
    ['skiff_runs_finished_total', 'counter'],
    ['skiff_runs_followed', 'gauge'],
    ['skiff_github_api_calls_total', 'counter'],
    ['skiff_github_rate_limit_remaining', 'gauge'],
    ['skiff_sync_total', 'counter'],
  ]) {
    assert.match(text, new RegExp(`^# TYPE ${name} ${type}$`, 'm'), `${name} is declared a ${type}`);
  }

  assert.deepEqual(series(samples, 'skiff_github_deliveries_total', { event: 'pull_request', outcome: 'accepted' }), [1]);
  assert.deepEqual(series(samples, 'skiff_github_deliveries_total', { event: 'pull_request', outcome: 'handled' }), [1]);
  assert.deepEqual(series(samples, 'skiff_github_deliveries_total', { event: 'push', outcome: 'handled' }), [1]);
  assert.deepEqual(series(samples, 'skiff_github_queue_depth'), [0]);

  // Two deliveries waited: the histogram's count, a sum of seconds that is small and not negative,
  // and cumulative buckets ending at +Inf with the count.
  assert.deepEqual(series(samples, 'skiff_github_queue_wait_seconds_count'), [2]);
  const waited = series(samples, 'skiff_github_queue_wait_seconds_sum')[0]!;
  assert.ok(waited >= 0 && waited < 60, `waited ${waited} s`);
  const buckets = series(samples, 'skiff_github_queue_wait_seconds_bucket');
  assert.ok(
    buckets.every((value, i) => i === 0 || value >= buckets[i - 1]!),
    `buckets are cumulative: ${buckets}`,
  );
  assert.equal(samples.get('skiff_github_queue_wait_seconds_bucket{le="+Inf"}'), 2);

  // The push ran greet, which succeeded; nothing is followed any more.
  assert.deepEqual(series(samples, 'skiff_runs_finished_total', { phase: 'Succeeded' }), [1]);
  assert.equal(sum(series(samples, 'skiff_runs_followed')), 0);

  // API calls: by method, route template (never a repository's own path) and status; as many as GitHub answered.
  const calls = sum(series(samples, 'skiff_github_api_calls_total'));
  assert.ok(calls > 0 && calls <= h.github.requests.length, `${calls} calls counted, ${h.github.requests.length} requests to the fake`);
  assert.ok(series(samples, 'skiff_github_api_calls_total', { method: 'POST', route: '/repos/{owner}/{repo}/check-runs', status: '201' })[0]! >= 3);
  assert.ok(
    series(samples, 'skiff_github_api_calls_total', { method: 'PATCH', route: '/repos/{owner}/{repo}/check-runs/{check_run_id}', status: '200' })[0]! >= 3,
  );
  assert.deepEqual(
    [...samples.keys()].filter((key) => key.includes('acme')),
    [],
    'no series names a repository',
  );
  // The fake answers every call with x-ratelimit-remaining: 4999 (resource core).
  assert.deepEqual(series(samples, 'skiff_github_rate_limit_remaining', { resource: 'core' }), [4999]);

  assert.deepEqual(series(samples, 'skiff_sync_total', { outcome: 'applied' }), [1]);
  assert.deepEqual(series(samples, 'skiff_sync_objects_total', { result: 'created' }), [1], 'the WorkflowTemplate was created');
});

test('every log line of the work for a delivery is JSON and carries that delivery id and event', async () => {
  const pr = await h.github.openPullRequest('acme/flows', { head: 'feature', user: 'alice' });
  const repo = h.github.state.repo('acme', 'flows');
  const payload = h.github.webhooks.payloads.pullRequest('reopened', repo, h.github.state.pull(repo, pr.number), [], 1);
  await h.server.idle();
  const from = lines.length;
  const id = randomUUID();
  assert.equal((await h.sendRaw('pull_request', payload, id)).status, 202);
  await h.server.idle();
  const emitted = lines.slice(from).map((line) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      assert.fail(`not JSON: ${line}`);
    }
  });
  // At debug, Octokit logs each request it makes for the delivery, and Skiff how the delivery went.
  assert.ok(emitted.length >= 5, `lines: ${lines.slice(from).join('\n')}`);
  for (const line of emitted) {
    assert.equal(line.delivery, id, JSON.stringify(line));
    assert.equal(line.event, 'pull_request.reopened');
    assert.match(String(line.time), /^\d{4}-\d\d-\d\dT/);
    assert.ok(['trace', 'debug', 'info', 'warn', 'error', 'fatal'].includes(String(line.level)));
  }
  assert.ok(emitted.some((line) => /GitHub request: POST .*check-runs - 201/.test(String(line.msg))));
  assert.ok(emitted.some((line) => line.msg === 'delivery handled' && typeof line.ms === 'number'));
  assert.ok(!lines.slice(from).some((line) => line.includes('"pull_request":{')), 'no payload is logged');

  // A replay is refused, and that line names the delivery too.
  const replayFrom = lines.length;
  assert.equal((await h.sendRaw('pull_request', payload, id)).status, 200);
  const refused = lines.slice(replayFrom).map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.ok(
    refused.some((line) => line.delivery === id && /seen before/.test(String(line.msg))),
    lines.slice(replayFrom).join('\n'),
  );
});
