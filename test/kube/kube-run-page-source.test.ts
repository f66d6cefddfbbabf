import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kubeRunPageSource } from '../../src/kube/kube-run-page-source.js';
import type { StoredRun } from '../../src/ports/run-store.js';

const objects = { configMap: async () => undefined, secret: async () => undefined, get: async () => undefined };

describe("the run page's view of a cluster: what a run's data may make Skiff read", () => {
  it('never opens a local directory a cluster run names as its repository (a status is data, the directory is this machine)', async () => {
    const run = {
      key: 'ci/x',
      workflow: { metadata: { name: 'x', namespace: 'ci' }, spec: {} },
      status: { phase: 'Succeeded', nodes: {}, artifactRepositoryRef: { artifactRepository: { local: { root: '/etc' } } } },
    } as unknown as StoredRun;
    const source = kubeRunPageSource({ client: {} as never, runs: {} as never, objects });
    const access = await source.artifactAccess(run);
    try {
      assert.deepEqual(access.repository, { local: { root: '/etc' } });
      await assert.rejects(
        access.driver.openRead({ local: { root: '/etc', key: 'passwd' } }),
        /a local directory repository is not readable for a run on a cluster/,
      );
    } finally {
      access.close();
    }
  });

  it('streams a log from where the page stands, across a dropped connection, without repeating a byte', async () => {
    let calls = 0;
    const follows: boolean[] = [];
    const client = {
      async *podLog(_ns: string, _pod: string, _container: string, options: { follow?: boolean }) {
        calls++;
        follows.push(options.follow === true);
        yield Buffer.from('one\ntw');
        if (calls === 1) throw new Error('connection reset');
        yield Buffer.from('o\nthree\n');
      },
    };
    let finishedAsks = 0;
    const source = kubeRunPageSource({ client: client as never, runs: {} as never, objects, retryMs: 1 });
    const chunks: string[] = [];
    const ref = { key: 'ci/x', nodeId: 'x', pod: 'x', container: 'main' };
    const abort = new AbortController();
    // The step runs during the first two looks, then has finished: the third read is the last.
    for await (const chunk of source.streamLog(ref, { from: 2, follow: true, signal: abort.signal, finished: async () => ++finishedAsks > 2 }))
      chunks.push(chunk.toString());
    assert.equal(chunks.join(''), 'e\ntwo\nthree\n');
    assert.deepEqual(follows, [true, true, false], 'followed while the step runs, read whole once it has finished');
  });
});
