import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from './http-server.js';

type Labels = Record<string, string>;

/**
 * Counters and gauges in Prometheus's text format, served at `/metrics`. Small on purpose: the
 * few series an operator watches (deliveries by event and outcome, queue depth, runs, check-run
 * updates), without a client library.
 *
 * @example
 *   metrics.count('skiff_github_deliveries_total', { event: 'push', outcome: 'accepted' });
 *   http.mount('/metrics', metrics.handler());
 */
export class Metrics {
  private readonly counters = new Map<string, { help: string; values: Map<string, number> }>();
  private readonly gauges = new Map<string, { help: string; read: () => number }>();

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
    this.gauges.set(name, { help, read });
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, { help, values }] of this.counters) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [labels, value] of values) lines.push(`${name}${labels} ${value}`);
    }
    for (const [name, { help, read }] of this.gauges) lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${read()}`);
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
