import type { RunKey } from '../../ports/run-key.js';
import type { RunPageSource } from '../../ports/run-page-source.js';
import type { StoredRun } from '../../ports/run-store.js';
import { buildRunGraph, type RunGraph } from './run-graph.js';

/** A run as read, with its graph built once. Shared between requests: never changed by its readers. */
export interface ReadRun {
  run: StoredRun;
  graph(): RunGraph;
}

/**
 * Reads runs for the run page, keeping the last read of each while its source says it is
 * unchanged (runVersion), so a page's requests and its live streams do not parse a 10,000-node
 * run again for each step opened. Only the runs looked at lately are kept (`keep`).
 */
export class RunReader {
  private readonly cache = new Map<RunKey, { stamp: string; read: ReadRun }>();

  constructor(
    private readonly source: RunPageSource,
    private readonly keep = 16,
  ) {}

  async read(key: RunKey): Promise<ReadRun | undefined> {
    const stamp = await this.source.runVersion(key).catch(() => undefined);
    const cached = this.cache.get(key);
    if (cached && stamp !== undefined && cached.stamp === stamp) return cached.read;
    const run = await this.source.readRun(key).catch(() => undefined);
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
}
