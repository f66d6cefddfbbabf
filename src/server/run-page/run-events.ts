import type { ServerResponse } from 'node:http';
import type { LogFollower } from './node-log.js';
import { type GraphItem, graphShape } from './run-graph.js';
import { loopSummary } from './run-page-html.js';
import type { ReadRun } from './run-reader.js';
import type { SecretRedactor } from './secret-redactor.js';

/** What the page is told when its run changes. */
export interface RunChange {
  run: { phase: string; message: string; startedAt: string; finishedAt: string; progress: string };
  /** Boxes whose phase or counts changed (all of them in the first event). */
  items: Array<{ id: string; phase: string; detail?: string }>;
  /** The set of boxes changed (a step started, a loop grew): the page fetches the graph again. */
  structure: boolean;
}

/** Starts a server-sent event stream on `res`: no buffering by proxies, a comment every 15 s to keep it open. */
export function openEventStream(res: ServerResponse, onClose: () => void): { send(event: string, data: unknown): void; close(): void } {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
  res.write(': open\n\n');
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  heartbeat.unref();
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    onClose();
    res.end();
  };
  res.on('close', close);
  return {
    // JSON never holds a raw newline, so one `data:` line carries it.
    send: (event, data) => {
      if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close,
  };
}

/**
 * Streams a run's changes to its page: the run's phase and times, and each box whose phase
 * changed, read again whenever `watch` says the run changed (its journal grew, its Workflow was
 * updated, by whichever process drives it). Only differences are sent, so a 10,000-node run
 * costs a few bytes per finished step. `shownShape` is the graph the page drew (graphShape). Returns a function that stops it.
 */
export function streamRunChanges(
  res: ServerResponse,
  watch: (onChange: () => void) => { close(): void },
  load: () => Promise<ReadRun | undefined>,
  redactor: SecretRedactor,
  options: { shownShape?: string },
): () => void {
  let last = new Map<string, string>();
  let first = true;
  let lastRun = '';
  let busy = false;
  let again = false;
  let watching: { close(): void } | undefined;
  const stream = openEventStream(res, () => watching?.close());
  const look = async (): Promise<void> => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        const read = await load().catch(() => undefined);
        if (!read) continue;
        const run = read.run;
        const graph = read.graph();
        const now = new Map(graph.items.map((item) => [item.id, stateOf(item)]));
        // The first look compares with the graph the page shows (it may have been drawn before the
        // run's latest steps started); later ones with the last look.
        const structure = first
          ? options.shownShape !== undefined && options.shownShape !== graphShape(graph)
          : now.size !== last.size || [...now.keys()].some((id) => !last.has(id));
        first = false;
        const items = graph.items.filter((item) => last.get(item.id) !== now.get(item.id)).map(changeOf);
        const s = run.status;
        const runState = {
          phase: s.phase,
          message: redactor.redact(s.message ?? ''),
          startedAt: s.startedAt ?? '',
          finishedAt: s.finishedAt ?? '',
          progress: s.progress ?? '',
        };
        const runText = JSON.stringify(runState);
        if (items.length > 0 || structure || runText !== lastRun) stream.send('change', { run: runState, items, structure } satisfies RunChange);
        last = now;
        lastRun = runText;
      } while (again);
    } finally {
      busy = false;
    }
  };
  watching = watch(() => void look());
  void look();
  return stream.close;
}

function stateOf(item: GraphItem): string {
  return item.kind === 'loop' ? `${item.phase} ${loopSummary(item)}` : item.phase;
}

function changeOf(item: GraphItem): RunChange['items'][number] {
  return item.kind === 'loop' ? { id: item.id, phase: item.phase, detail: loopSummary(item) } : { id: item.id, phase: item.phase };
}

/**
 * Streams what a step appends to its log (`lines` events of rendered HTML) as `chunks` brings it,
 * until they end: the step has finished and everything it wrote was sent (`end`). Returns a
 * function that stops it (and aborts `chunks` through `abort`).
 */
export function streamLogLines(res: ServerResponse, follower: LogFollower, chunks: AsyncIterable<Buffer>, abort: AbortController): () => void {
  const stream = openEventStream(res, () => abort.abort());
  void (async () => {
    try {
      for await (const chunk of chunks) {
        const html = follower.push(chunk, false);
        if (html !== undefined) stream.send('lines', { html, offset: follower.offset });
      }
      const rest = follower.push(Buffer.alloc(0), true);
      if (rest !== undefined) stream.send('lines', { html: rest, offset: follower.offset });
      if (!abort.signal.aborted) stream.send('end', { offset: follower.offset });
    } catch (error) {
      // The page keeps what it has and says why the log stopped; it may reconnect from `offset`.
      if (!abort.signal.aborted) stream.send('failed', { message: (error as Error).message, offset: follower.offset });
    } finally {
      stream.close();
    }
  })();
  return stream.close;
}
