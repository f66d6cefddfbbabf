import type { KubeClient } from '../src/kube/kube-client.js';

/** Counts the client's calls: each is one API request (a watch once, when it starts). */
export function counting(client: KubeClient): { client: KubeClient; count: () => number } {
  let calls = 0;
  const counted = new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls++;
        return value.apply(target, args);
      };
    },
  });
  return { client: counted, count: () => calls };
}

/** The value below which `p` percent of the samples lie (nearest rank). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Samples this process's resident set size every 100 ms until stopped; `stop` returns the peak. */
export function peakRss(): { stop: () => number } {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  return {
    stop: () => {
      clearInterval(sampler);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}
