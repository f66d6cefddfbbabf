import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import type { JournalRecord } from '../../src/ports/run-store.js';
import { encodeJournalHeader, encodeRecord, encodeSnapshot } from '../../src/state/journal-format.js';
import { LocalRunStore } from '../../src/state/local-run-store.js';
import { StateLayout } from '../../src/state/state-layout.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A run as the version before namespaces wrote it: `runs/<name>/`, the snapshot's run named by `id`, its pods under `pods/<name>/`. */
function writeLegacyRun(root: string, name: string, namespace: string | undefined): void {
  const dir = join(root, 'runs', name);
  mkdirSync(dir, { recursive: true });
  const run = {
    id: name,
    workflow: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name, ...(namespace ? { namespace } : {}) }, spec: {} },
    status: { phase: 'Running', nodes: {} },
  };
  writeFileSync(join(dir, 'snapshot.json'), encodeSnapshot(1, run as never, 'replacement'));
  const record: JournalRecord = { nodes: [{ id: 'a', name: 'a', displayName: 'a', type: 'Pod', phase: 'Succeeded' }], run: { phase: 'Running' } };
  writeFileSync(join(dir, 'journal.ndjson'), encodeJournalHeader(1, 'replacement') + encodeRecord(2, record));
  writeFileSync(join(dir, 'driver.log'), 'driven\n');
  mkdirSync(join(root, 'pods', name, `${name}-pod`, 'logs'), { recursive: true });
  writeFileSync(join(root, 'pods', name, `${name}-pod`, 'logs', 'main.log'), `log of ${name}\n`);
  mkdirSync(join(root, 'claims', name, namespace ?? 'default', 'work'), { recursive: true });
}

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-migrate-'));
  dirs.push(dir);
  return dir;
}

describe('a state directory of the layout before namespaces', () => {
  it('has its runs moved to runs/<namespace>/<name> when the store lists them, with their pods, claims and files', async () => {
    const root = stateDir();
    writeLegacyRun(root, 'old', 'team-a');
    writeLegacyRun(root, 'plain', undefined);
    // A run of the new layout beside them is left as it is.
    const store = new LocalRunStore(root);
    await store.save({
      key: 'team-b/new',
      workflow: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name: 'new', namespace: 'team-b' }, spec: {} },
      status: { phase: 'Pending', nodes: {} },
    });
    await store.closeAll();

    assert.deepEqual(await new LocalRunStore(root).list(), ['default/plain', 'team-a/old', 'team-b/new']);
    const layout = new StateLayout(root);
    assert.equal(existsSync(join(root, 'runs', 'old')), false);
    assert.equal(readFileSync(join(layout.runDir('team-a/old'), 'driver.log'), 'utf8'), 'driven\n');
    assert.equal(readFileSync(layout.containerLog('team-a/old', 'old-pod', 'main'), 'utf8'), 'log of old\n');
    assert.equal(readFileSync(layout.containerLog('default/plain', 'plain-pod', 'main'), 'utf8'), 'log of plain\n');
    assert.ok(existsSync(join(layout.claimsDir('team-a/old'), 'team-a', 'work')));
    assert.equal(existsSync(join(root, 'pods', 'old')), false);

    const loaded = (await store.load('team-a/old'))!;
    assert.equal(loaded.key, 'team-a/old');
    assert.equal((loaded as { id?: string }).id, undefined);
    assert.equal(loaded.status.nodes.a?.phase, 'Succeeded', 'the journal is replayed');
    await store.append('team-a/old', { nodes: [], run: { phase: 'Succeeded' } });
    await store.closeAll();
    assert.equal((await new LocalRunStore(root).peek('team-a/old'))!.status.phase, 'Succeeded');
  });

  it('has a run moved when it is loaded by its key, before any listing', async () => {
    const root = stateDir();
    writeLegacyRun(root, 'old', 'team-a');
    const store = new LocalRunStore(root);
    assert.equal((await store.peek('team-a/old'))?.key, 'team-a/old');
    assert.ok(existsSync(join(root, 'runs', 'team-a', 'old', 'snapshot.json')));
    // Loaded in another namespace it is not that run: it moves to its own and is not found there.
    writeLegacyRun(root, 'other', 'team-c');
    assert.equal(await store.load('team-a/other'), undefined);
    assert.deepEqual(await store.list(), ['team-a/old', 'team-c/other']);
  });

  it('moves a run named like its namespace, and finishes a move cut short', async () => {
    const root = stateDir();
    writeLegacyRun(root, 'default', undefined);
    writeLegacyRun(root, 'cut', 'team-a');
    // A crash between the two renames of a move leaves the run under .moving-<name>.
    renameSync(join(root, 'runs', 'cut'), join(root, 'runs', '.moving-cut'));
    assert.deepEqual(await new LocalRunStore(root).list(), ['default/default', 'team-a/cut']);
    assert.ok(existsSync(join(root, 'runs', 'default', 'default', 'snapshot.json')));
    assert.ok(existsSync(join(root, 'runs', 'team-a', 'cut', 'snapshot.json')));
    assert.equal(existsSync(join(root, 'runs', '.moving-cut')), false);
    assert.equal(readFileSync(new StateLayout(root).containerLog('default/default', 'default-pod', 'main'), 'utf8'), 'log of default\n');
  });
});
