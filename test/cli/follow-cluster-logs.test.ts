// followClusterLogs against a scripted pods/log API: the follow's own logic (streams asked for
// again without repeated lines, containers that have not started, pods that are gone, steps that
// join while the run goes on). The real API server and pods: test/e2e/cli-cluster-flags.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ClusterLogFeed, followClusterLogs, nanosOf } from '../../src/cli/follow-cluster-logs.js';
import type { NodeStatus, WorkflowStatus } from '../../src/engine/workflow-status.js';
import { KubeError, KubeNotFoundError } from '../../src/kube/kube-errors.js';
import type { PodLogOptions } from '../../src/kube/pod-logs.js';
import type { StoredRun } from '../../src/ports/run-store.js';
import { podNameOfNode } from '../../src/report/node-tree.js';

const KEY = 'ci/talk';

function pod(id: string, phase: NodeStatus['phase'], startedAt: string): NodeStatus {
  return { id, name: `talk.${id}`, displayName: id, type: 'Pod', phase, startedAt, templateName: 'main' } as NodeStatus;
}

/** The pod a node of the run `talk` has (its log's label). */
const P = (id: string): string => podNameOfNode('talk', pod(id, 'Running', ''))!;

function runOf(phase: WorkflowStatus['phase'], nodes: NodeStatus[]): StoredRun {
  return {
    key: KEY,
    workflow: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { name: 'talk', namespace: 'ci' },
      spec: { entrypoint: 'main', templates: [] },
    },
    status: { phase, nodes: Object.fromEntries(nodes.map((n) => [n.id, n])) } as WorkflowStatus,
  } as StoredRun;
}

const notFound = () => new KubeNotFoundError('not found', { status: 404, reason: 'NotFound', object: undefined, serverMessage: '' });
const waiting = () =>
  new KubeError('bad request', { status: 400, reason: 'BadRequest', object: undefined, serverMessage: 'container "main" is waiting to start' });
const dropped = () => new KubeError('connection reset', { status: undefined, reason: 'ECONNRESET', object: undefined, serverMessage: '' });

/** A feed whose runs and log answers are scripted in turn; records what each log request asked. */
function scripted(runs: StoredRun[], answers: Record<string, Array<{ lines?: string[]; fail?: () => Error }>>, archived?: Buffer) {
  const asked: Array<{ pod: string; options: PodLogOptions }> = [];
  let read = 0;
  const feed: ClusterLogFeed = {
    readRun: async () => runs[Math.min(read++, runs.length - 1)]!,
    podLogs: {
      async *podLog(_namespace, podName, _container, options = {}) {
        asked.push({ pod: podName, options });
        const answer = answers[Object.keys(answers).find((id) => P(id) === podName) ?? '']?.shift() ?? { fail: notFound };
        for (const line of answer.lines ?? []) yield Buffer.from(`${line}\n`);
        if (answer.fail) throw answer.fail();
      },
    },
    archived: async () => archived,
  };
  return { feed, asked };
}

async function follow(feed: ClusterLogFeed, options: Parameters<typeof followClusterLogs>[3] = {}) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, cwd: '/', env: {} };
  const status = await followClusterLogs(feed, io as never, KEY, { pollMs: 1, retryMs: 1, ...options });
  return { status, stdout, stderr };
}

describe('following a cluster run’s logs', () => {
  it('asks again after a broken stream from its last line’s second, and prints no line twice', async () => {
    const done = runOf('Succeeded', [pod('talk', 'Succeeded', '2026-12-05T00:00:00Z')]);
    const { feed, asked } = scripted([done], {
      talk: [
        { lines: ['2026-12-05T00:00:01.100000000Z one', '2026-12-05T00:00:01.2Z two', '2026-12-05T00:00:01.2Z two again'], fail: dropped },
        // From the second of the last line: the lines printed come again, then the rest.
        {
          lines: [
            '2026-12-05T00:00:01.1Z one',
            '2026-12-05T00:00:01.2Z two',
            '2026-12-05T00:00:01.2Z two again',
            '2026-12-05T00:00:01.2Z two thrice',
            '2026-12-05T00:00:02Z three',
          ],
        },
      ],
    });
    const result = await follow(feed);
    assert.equal(result.status, 0);
    assert.equal(result.stdout, ['one', 'two', 'two again', 'two thrice', 'three'].map((line) => `${P('talk')}: ${line}\n`).join(''));
    assert.deepEqual(
      asked.map((a) => a.options.sinceTime),
      [undefined, '2026-12-05T00:00:01Z'],
    );
    assert.ok(asked.every((a) => a.options.follow && a.options.timestamps));
  });

  it('waits for a container that has not started, and follows steps that start later while the run goes on', async () => {
    const running = runOf('Running', [pod('a', 'Running', '2026-12-05T00:00:00Z')]);
    const later = runOf('Running', [pod('a', 'Succeeded', '2026-12-05T00:00:00Z'), pod('b', 'Running', '2026-12-05T00:00:05Z')]);
    const done = runOf('Succeeded', [pod('a', 'Succeeded', '2026-12-05T00:00:00Z'), pod('b', 'Succeeded', '2026-12-05T00:00:05Z')]);
    const { feed } = scripted([running, running, later, done], {
      a: [{ fail: waiting }, { fail: waiting }, { lines: ['2026-12-05T00:00:01Z from a'] }],
      b: [{ fail: notFound }, { lines: ['2026-12-05T00:00:06Z from b'] }],
    });
    const result = await follow(feed, { tail: 5 });
    assert.equal(result.stderr, '');
    assert.equal(result.stdout, `${P('a')}: from a\n${P('b')}: from b\n`);
  });

  it('prints what archiveLogs kept of a finished step whose pod is gone, after the lines already printed', async () => {
    const done = runOf('Succeeded', [pod('talk', 'Succeeded', '2026-12-05T00:00:00Z')]);
    const { feed } = scripted([done], { talk: [{ lines: ['2026-12-05T00:00:01Z first'], fail: notFound }] }, Buffer.from('first\nsecond\n'));
    const result = await follow(feed);
    assert.equal(result.stdout, `${P('talk')}: first\n${P('talk')}: second\n`);
  });

  it('gives a container up, with a note, after failing again and again', async () => {
    const done = runOf('Succeeded', [pod('talk', 'Succeeded', '2026-12-05T00:00:00Z')]);
    const { feed, asked } = scripted([done], { talk: [{ fail: dropped }, { fail: dropped }, { fail: dropped }] });
    const result = await follow(feed, { attempts: 3 });
    assert.equal(asked.length, 3);
    assert.equal(result.stderr, `skiff logs: stopped following pod ${P('talk')} (main): connection reset\n`);
    assert.equal(result.status, 0);
  });

  it('applies --grep and --timestamps to the lines, and says when --node names no step', async () => {
    const done = runOf('Succeeded', [pod('talk', 'Succeeded', '2026-12-05T00:00:00Z')]);
    const { feed } = scripted([done], { talk: [{ lines: ['2026-12-05T00:00:01Z keep me', '2026-12-05T00:00:02Z drop me'] }] });
    assert.equal((await follow(feed, { grep: /^keep/, timestamps: true })).stdout, `${P('talk')}: 2026-12-05T00:00:01Z keep me\n`);
    const none = await follow(scripted([done], {}).feed, { node: 'nope' });
    assert.equal(none.status, 1);
    assert.match(none.stderr, /has no step "nope"/);
  });

  it('reads a kubelet’s times to the nanosecond', () => {
    assert.equal(nanosOf('2026-12-05T00:00:01.000000001Z')! - nanosOf('2026-12-05T00:00:01Z')!, 1n);
    assert.equal(nanosOf('2026-12-05T00:00:01.5Z'), nanosOf('2026-12-05T00:00:01.500000000Z'));
    assert.equal(nanosOf('yesterday'), undefined);
  });
});
