import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from './http-server.js';

export type Labels = Record<string, string>;

/** Upper bounds (seconds) of a histogram's buckets when none are given: 5 ms to 5 min. */
export const DEFAULT_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

interface Histogram {
  help: string;
  bounds: number[];
  /** Per label set: a count per bucket (not cumulative; summed when rendered), the sum and the count. */
  values: Map<string, { buckets: number[]; sum: number; count: number }>;
}

/**
 * Counters, gauges and histograms in Prometheus's text format, served at `/metrics`. Small on
 * purpose: the few series an operator watches (deliveries, queue depth and wait, runs, GitHub API
 * calls and rate limit, sync results), without a client library.
 *
 * @example
 *   metrics.count('skiff_github_deliveries_total', { event: 'push', outcome: 'accepted' });
 *   metrics.observe('skiff_github_queue_wait_seconds', 0.012);
 *   http.mount('/metrics', metrics.handler());
 */
export class Metrics {
  private readonly counters = new Map<string, { help: string; values: Map<string, number> }>();
  private readonly gauges = new Map<string, { help: string; read: () => Iterable<[Labels, number]> }>();
  private readonly histograms = new Map<string, Histogram>();

  constructor(help: Record<string, string> = {}) {
    for (const [name, text] of Object.entries(help)) this.counters.set(name, { help: text, values: new Map() });
  }

  count(name: string, labels: Labels = {}, by = 1): void {
    let counter = this.counters.get(name);
    if (!counter) {
      counter = { help: name, values: new Map() };
      this.counters.set(name, counter);
    }
    const key = labelText(labels);
    counter.values.set(key, (counter.values.get(key) ?? 0) + by);
  }

  /** A value read when metrics are scraped (a queue's depth). */
  gauge(name: string, help: string, read: () => number): void {
    this.gauges.set(name, { help, read: () => [[{}, read()]] });
  }

  /** Values by labels read when metrics are scraped (runs followed, by phase); absent label sets are not shown. */
  labelledGauge(name: string, help: string, read: () => Iterable<[Labels, number]>): void {
    this.gauges.set(name, { help, read });
  }

  /** Declares a histogram (its help and bucket bounds); observing an undeclared one uses the default seconds buckets. */
  histogram(name: string, help: string, bounds: readonly number[] = DEFAULT_SECONDS_BUCKETS): void {
    this.histograms.set(name, { help, bounds: [...bounds].sort((a, b) => a - b), values: new Map() });
  }

  observe(name: string, value: number, labels: Labels = {}): void {
    let histogram = this.histograms.get(name);
    if (!histogram) {
      this.histogram(name, name);
      histogram = this.histograms.get(name)!;
    }
    const key = labelText(labels);
    let entry = histogram.values.get(key);
    if (!entry) {
      entry = { buckets: histogram.bounds.map(() => 0), sum: 0, count: 0 };
      histogram.values.set(key, entry);
    }
    const index = histogram.bounds.findIndex((bound) => value <= bound);
    if (index >= 0) entry.buckets[index]!++;
    entry.sum += value;
    entry.count++;
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, { help, values }] of this.counters) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [labels, value] of values) lines.push(`${name}${labels} ${value}`);
    }
    for (const [name, { help, read }] of this.gauges) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
      for (const [labels, value] of read()) lines.push(`${name}${labelText(labels)} ${value}`);
    }
    for (const [name, { help, bounds, values }] of this.histograms) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
      for (const [labels, entry] of values) {
        let cumulative = 0;
        bounds.forEach((bound, i) => {
          cumulative += entry.buckets[i]!;
          lines.push(`${name}_bucket${withLabel(labels, 'le', String(bound))} ${cumulative}`);
        });
        lines.push(`${name}_bucket${withLabel(labels, 'le', '+Inf')} ${entry.count}`);
        lines.push(`${name}_sum${labels} ${entry.sum}`, `${name}_count${labels} ${entry.count}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  handler(): RequestHandler {
    return (_req: IncomingMessage, res: ServerResponse) => {
      const text = this.render();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
  }
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  // Prometheus's escaping: backslash, double quote and newline.
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}

/** A rendered label set with one more label (a histogram bucket's `le`). */
function withLabel(rendered: string, name: string, value: string): string {
  return rendered === '' ? `{${name}="${value}"}` : `${rendered.slice(0, -1)},${name}="${value}"}`;
}
