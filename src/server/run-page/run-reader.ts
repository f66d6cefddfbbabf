import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readRun } from '../../cli/read-run.js';
import type { RunKey } from '../../ports/run-key.js';
import type { StoredRun } from '../../ports/run-store.js';
import type { StateLayout } from '../../state/state-layout.js';
import { buildRunGraph, type RunGraph } from './run-graph.js';

/** A run as read, with its graph built once. Shared between requests: never changed by its readers. */
export interface ReadRun {
  run: StoredRun;
  graph(): RunGraph;
}

/**
 * Reads runs for the run page, keeping the last read of each while its files are unchanged
 * (same sizes and times of its snapshot and journal), so a page's requests and its live streams
 * do not parse a 10,000-node run again for each step opened. Only the runs looked at lately are
 * kept (`keep`).
 */
export class RunReader {
  private readonly cache = new Map<RunKey, { stamp: string; read: ReadRun }>();

  constructor(
    private readonly layout: StateLayout,
    private readonly keep = 16,
  ) {}

  async read(key: RunKey): Promise<ReadRun | undefined> {
    const stamp = await this.stamp(key);
    const cached = this.cache.get(key);
    if (cached && stamp !== undefined && cached.stamp === stamp) return cached.read;
    const run = await readRun(this.layout, key).catch(() => undefined);
    if (!run) return undefined;
    let graph: RunGraph | undefined;
    const read = { run, graph: () => (graph ??= buildRunGraph(run.status, run.workflow.metadata.name ?? '')) };
    if (stamp !== undefined) {
      this.cache.delete(key);
      this.cache.set(key, { stamp, read });
      if (this.cache.size > this.keep) this.cache.delete(this.cache.keys().next().value!);
    }
    return read;
  }

  private async stamp(key: RunKey): Promise<string | undefined> {
    try {
      const dir = this.layout.runDir(key);
      const parts = await Promise.all(
        ['snapshot.json', 'journal.ndjson'].map((file) =>
          stat(join(dir, file)).then(
            (s) => `${s.size}:${s.mtimeMs}:${s.ino}`,
            () => '-',
          ),
        ),
      );
      return parts.join('/');
    } catch {
      return undefined;
    }
  }
}
