import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredRun } from '../../src/ports/run-store.js';
import type { NodeStatus } from '../../src/engine/workflow-status.js';
import { formatTree } from '../../src/cli/format-run.js';
import { formatBytes, formatTransfer } from '../../src/cli/format-transfer.js';
import { LiveTreeView } from '../../src/cli/live-tree-view.js';
import { ProgressLines } from '../../src/cli/progress-lines.js';

const running: NodeStatus = {
  id: 'wf-1',
  name: 'wf.upload',
  displayName: 'upload',
  type: 'Pod',
  phase: 'Running',
  startedAt: '2026-11-22T00:00:00Z',
  boundaryID: 'wf',
  templateName: 'upload',
};
const run = (): StoredRun =>
  ({
    id: 'wf',
    workflow: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name: 'wf' }, spec: { entrypoint: 'main', templates: [] } },
    status: {
      phase: 'Running',
      startedAt: '2026-11-22T00:00:00Z',
      nodes: {
        wf: { id: 'wf', name: 'wf', displayName: 'wf', type: 'Steps', phase: 'Running', startedAt: '2026-11-22T00:00:00Z', children: ['wf-1'] },
        'wf-1': running,
      },
    },
  }) as unknown as StoredRun;

describe('what a running step is doing, for people', () => {
  it('formats bytes in binary units with three significant digits', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(10_000_000), '9.54 MiB');
    assert.equal(formatBytes(300 * 2 ** 20), '300 MiB');
    assert.equal(formatBytes(2 ** 30), '1.00 GiB');
  });

  it('says which way, which artifact, how much and how fast', () => {
    assert.equal(
      formatTransfer({ direction: 'load', artifact: 'data', bytes: 3 * 2 ** 30, startedAt: 0, updatedAt: 12_000 }),
      'loading data: 3.00 GiB at 256 MiB/s',
    );
    assert.equal(formatTransfer({ direction: 'save', artifact: 'out', bytes: 0, startedAt: 5, updatedAt: 5 }), 'saving out: 0 B');
  });

  it("the live tree shows the transfer in the running step's message", () => {
    let text = '';
    const view = new LiveTreeView(
      { write: (t: string) => (text += t), columns: 200 },
      run(),
      () => Date.parse('2026-11-22T00:00:10Z'),
      (node) => (node.id === 'wf-1' ? 'saving out: 1.00 GiB at 256 MiB/s' : undefined),
    );
    view.close();
    assert.match(text, /upload\s+10s\s+saving out: 1\.00 GiB at 256 MiB\/s/);
  });

  it('the tree says where a ready daemon is reached', () => {
    const stored = run();
    stored.status.nodes['wf-1'] = { ...running, displayName: 'svc', daemoned: true, podIP: '127.83.4.17' };
    assert.match(formatTree(stored, Date.parse('2026-11-22T00:00:10Z'), 'normal'), /svc\s+upload\s+\S+\s+10s\s+daemon ready at 127\.83\.4\.17/);
    stored.status.nodes['wf-1'] = { ...running, displayName: 'svc', daemoned: undefined, podIP: '127.83.4.17' } as NodeStatus;
    assert.doesNotMatch(formatTree(stored, Date.parse('2026-11-22T00:00:10Z'), 'normal'), /daemon ready/);
  });

  it("plain progress lines repeat a running pod's transfer every interval, and stop when it ends", async () => {
    let text = '';
    let note: string | undefined = 'loading in: 10.0 MiB at 5.00 MiB/s';
    const lines = new ProgressLines({ write: (t: string) => (text += t) }, 'wf', Date.now, () => note, 20);
    lines.onChange({ node: running } as never);
    await new Promise((r) => setTimeout(r, 70));
    const repeated = text.split('\n').filter((l) => l.includes('loading in: 10.0 MiB')).length;
    assert.ok(repeated >= 2, `expected repeated progress lines, got:\n${text}`);
    note = undefined;
    lines.onChange({ node: { ...running, phase: 'Succeeded', finishedAt: '2026-11-22T00:00:11Z' } } as never);
    const before = text;
    await new Promise((r) => setTimeout(r, 60));
    lines.close();
    assert.equal(text, before, 'nothing more once the pod finished');
  });
});
