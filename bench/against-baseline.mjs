#!/usr/bin/env node
// Runs one benchmark in this checkout and in a baseline checkout (another commit, built with
// `npm ci`), alternating, and prints each figure's median per checkout and their ratio. Alternating
// spreads the machine's other load over both sides alike.
//
//   node bench/against-baseline.mjs BASELINE_DIR BENCH [ROUNDS] [-- ARGS...]
//   node bench/against-baseline.mjs ../skiff-main engine-run 3 -- 3
//
// BENCH is a file of bench/ without its suffix; it is run compiled (dist/bench/BENCH.bench.js), so
// build both checkouts first (`npx tsc -p tsconfig.json`). A figure is any line of the form
// `<label>: median <number> <unit>` (or `<label>: <number> ms`), as the benchmarks print them.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [baselineDir, bench, roundsText, ...rest] = process.argv.slice(2);
if (!baselineDir || !bench) {
  console.error('usage: node bench/against-baseline.mjs BASELINE_DIR BENCH [ROUNDS] [-- ARGS...]');
  process.exit(2);
}
const rounds = Number(roundsText ?? 3);
const args = rest[0] === '--' ? rest.slice(1) : rest;
const trees = { baseline: resolve(baselineDir), current: resolve('.') };
for (const [name, dir] of Object.entries(trees)) {
  if (!existsSync(join(dir, 'dist/bench', `${bench}.bench.js`))) {
    console.error(`${name} (${dir}) has no dist/bench/${bench}.bench.js: build it first`);
    process.exit(2);
  }
}

const FIGURE = /^(.+?):\s+(?:median\s+)?([\d.]+)\s*(ms|s)\b/;
/** label → tree → values (milliseconds) */
const figures = new Map();
for (let round = 1; round <= rounds; round++) {
  for (const [name, dir] of Object.entries(trees)) {
    const output = execFileSync(process.execPath, [join(dir, 'dist/bench', `${bench}.bench.js`), ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
    for (const line of output.split('\n')) {
      const match = FIGURE.exec(line.trim());
      if (!match) continue;
      const ms = Number(match[2]) * (match[3] === 's' ? 1000 : 1);
      const byTree = figures.get(match[1]) ?? new Map();
      figures.set(match[1], byTree);
      byTree.set(name, [...(byTree.get(name) ?? []), ms]);
    }
    console.error(`round ${round}/${rounds}: ${name} done`);
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
console.log(`${bench}: medians over ${rounds} alternating rounds; ratio = current / baseline`);
for (const [label, byTree] of figures) {
  const base = byTree.get('baseline');
  const now = byTree.get('current');
  if (!base || !now) continue;
  const [b, c] = [median(base), median(now)];
  console.log(`${label}: baseline ${b.toFixed(0)} ms, current ${c.toFixed(0)} ms, ratio ${(c / b).toFixed(2)}`);
}
