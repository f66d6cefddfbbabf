// runDataTemplate on a local artifact repository (a directory): the listing, the expressions, the
// limits, and what a workflow may not list (a directory of Skiff's machine outside the repository).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createArtifactDriver } from '../../../src/artifacts/index.js';
import type { PodRequest } from '../../../src/engine/engine-events.js';
import { clusterOnlyFeatures } from '../../../src/cli/cluster-only-features.js';
import { DATA_MAX_RESULT_BYTES, runDataTemplate } from '../../../src/runtime/cluster/run-data-template.js';
import type { Template, Workflow } from '../../../src/spec/model/workflow.js';

const request = (data: Template['data']): PodRequest => ({ nodeId: 'n1', template: { name: 'list', data } as Template }) as PodRequest;

describe('runDataTemplate', () => {
  let root: string;
  let outside: string;
  const driver = createArtifactDriver({ secrets: { get: async () => undefined } as never, namespace: 'ns' });
  const archive = async () => ({ local: { root, key: 'wf/pod' } });

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'skiff-data-'));
    outside = await mkdtemp(join(tmpdir(), 'skiff-data-outside-'));
    for (const key of ['in/a.csv', 'in/b.csv', 'in/notes.txt', 'other/c.csv']) {
      await mkdir(join(root, key, '..'), { recursive: true });
      await writeFile(join(root, key), key);
    }
    await writeFile(join(outside, 'secret.txt'), 'not yours');
  });

  after(async () => {
    driver.close();
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('lists the keys under the source key and applies each expression to the last result', async () => {
    const event = await runDataTemplate(
      request({
        source: { artifactPaths: { name: 'in', local: { key: 'in/' } } as never },
        transformation: [{ expression: 'filter(data, {# endsWith ".csv"})' }, { expression: 'map(data, {upper(#)})' }],
      }),
      { driver, archive },
    );
    assert.deepEqual(event, { type: 'pod-finished', nodeId: 'n1', exitCode: 0, outputs: { result: '["IN/A.CSV","IN/B.CSV"]' } });
  });

  it('without transformations the result is the listing; without a key, the whole repository', async () => {
    const event = await runDataTemplate(request({ source: { artifactPaths: { name: 'all', local: {} } as never }, transformation: [] }), { driver, archive });
    assert.deepEqual(JSON.parse(event.outputs?.result ?? ''), ['in/a.csv', 'in/b.csv', 'in/notes.txt', 'other/c.csv']);
  });

  it('refuses a local source naming a directory of its own: a workflow lists nothing outside the repository', async () => {
    const event = await runDataTemplate(request({ source: { artifactPaths: { name: 'x', local: { root: outside } } as never }, transformation: [] }), {
      driver,
      archive,
    });
    assert.equal(event.exitCode, 1);
    assert.match(event.message ?? '', /may not name its own root/);
    assert.equal(event.outputs, undefined);
    const climbing = await runDataTemplate(request({ source: { artifactPaths: { name: 'x', local: { key: '../' } } as never }, transformation: [] }), {
      driver,
      archive,
    });
    assert.equal(climbing.exitCode, 1);
    assert.doesNotMatch(JSON.stringify(climbing), /secret\.txt/);
  });

  it('fails with the reason: no source, a broken expression, a result too large', async () => {
    const none = await runDataTemplate(request({ source: {}, transformation: [] }), { driver, archive });
    assert.match(none.message ?? '', /data template "list": source.artifactPaths is missing/);
    const broken = await runDataTemplate(
      request({ source: { artifactPaths: { name: 'in', local: { key: 'in/' } } as never }, transformation: [{ expression: 'nosuchfunction(data)' }] }),
      { driver, archive },
    );
    assert.match(broken.message ?? '', /transformation\[0\] "nosuchfunction\(data\)": /);
    const huge = await runDataTemplate(
      request({
        source: { artifactPaths: { name: 'in', local: { key: 'in/' } } as never },
        transformation: [{ expression: `map(1..${DATA_MAX_RESULT_BYTES / 8}, {"padding-padding"})` }],
      }),
      { driver, archive },
    );
    assert.match(huge.message ?? '', /the result is \d+ bytes, more than 262144; narrow it with a transformation/);
  });

  it('is refused by local runs as cluster-only, before anything runs', () => {
    const wf = { metadata: { name: 'w' }, spec: { templates: [{ name: 'd', data: { source: {}, transformation: [] } }] } } as unknown as Workflow;
    assert.deepEqual(clusterOnlyFeatures(wf), [
      'template "d" is a data template: Skiff runs data templates on the cluster runtime only (submit it with --kubeconfig or --context)',
    ]);
  });
});
