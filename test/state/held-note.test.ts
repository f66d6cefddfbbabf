import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatRunDetails } from '../../src/cli/format-run.js';
import { newRunStatus } from '../../src/engine/run-session.js';
import { LocalRunStore } from '../../src/state/local-run-store.js';
import { workflowOf } from '../engine/simulate-run.js';

test('a held run is shown as held by every reader of the state directory, and no longer once it is saved again', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-held-'));
  try {
    const store = new LocalRunStore(dir, { sync: false });
    await store.save({ key: 'default/held-run', workflow: workflowOf({ entrypoint: 'main', templates: [] }, 'held-run'), status: newRunStatus() });
    await store.noteHeld('default/held-run', 'ENOSPC: no space left on device');

    const reader = new LocalRunStore(dir);
    const seen = await reader.peek('default/held-run');
    assert.equal(seen?.held?.problem, 'ENOSPC: no space left on device');
    assert.match(seen!.held!.since, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(formatRunDetails(seen!, Date.now()), /Held: +since .*: its state cannot be saved \(ENOSPC: no space left on device\)/);

    // The note lives beside the run: saving the run does not carry it into the snapshot.
    const loaded = await store.load('default/held-run');
    await store.save(loaded!, { compaction: true });
    assert.doesNotMatch(await readFile(join(dir, 'runs', 'default', 'held-run', 'snapshot.json'), 'utf8'), /ENOSPC/);

    await store.noteHeld('default/held-run', undefined);
    const after = await reader.peek('default/held-run');
    assert.equal(after?.held, undefined);
    assert.doesNotMatch(formatRunDetails(after!, Date.now()), /Held/);
    await store.closeAll();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
