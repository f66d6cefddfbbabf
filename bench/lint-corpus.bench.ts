// Lints Argo's whole example corpus repeatedly and reports the median wall time, against a
// baseline measured in the same process: parsing the same files with the `yaml` package alone
// (what any linter must pay). Also times the slowest hostile inputs the linter refuses.
//
//   npm run bench          (or: node dist/bench/lint-corpus.bench.js [runs])
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { lintSources, type LintSource } from '../src/spec/lint-sources.js';
import { median } from './median.js';

const runs = Number(process.argv[2] ?? 15);
const root = resolve(fileURLToPath(import.meta.url), '../../..');
const corpus = resolve(root, '../shared/anchors/argo/examples');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.(ya?ml|json)$/.test(name) ? [path] : [];
  });
}

function time(work: () => void): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

const sources: LintSource[] = yamlFiles(corpus).map((path) => ({ file: relative(corpus, path), text: readFileSync(path, 'utf8') }));
const bytes = sources.reduce((sum, s) => sum + s.text.length, 0);

// Warm up both paths so the JIT has seen them before anything is measured.
for (let i = 0; i < 3; i++) {
  lintSources(sources);
  for (const s of sources) parseAllDocuments(s.text);
}

const lintTimes: number[] = [];
const parseTimes: number[] = [];
let report = lintSources(sources);
for (let i = 0; i < runs; i++) {
  // Alternate the two so that machine noise falls on both alike.
  parseTimes.push(
    time(() => {
      for (const s of sources) parseAllDocuments(s.text);
    }),
  );
  lintTimes.push(
    time(() => {
      report = lintSources(sources);
    }),
  );
}

const errors = report.diagnostics.filter((d) => d.severity === 'error').length;
const documents = Object.values(report.checked).reduce((a, b) => a + b, 0);
const lintMedian = median(lintTimes);
const parseMedian = median(parseTimes);
console.log(`corpus: ${sources.length} files, ${documents} documents checked, ${(bytes / 1024).toFixed(0)} KiB, ${errors} errors`);
console.log(`lint whole corpus:      median ${lintMedian.toFixed(1)} ms over ${runs} runs (${(lintMedian / sources.length).toFixed(2)} ms per file)`);
console.log(`baseline (yaml parse):  median ${parseMedian.toFixed(1)} ms`);
console.log(`ratio lint / parse:     ${(lintMedian / parseMedian).toFixed(2)}x`);

// Hostile inputs: each must be refused or checked in well under a second.
const laughs = (() => {
  let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  let previous = 'a';
  for (const name of 'bcdefghi') {
    text += `${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]\n`;
    previous = name;
  }
  return text;
})();
const hostile: Record<string, string> = {
  'billion laughs': laughs,
  'flow nesting 50k deep': `a: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`,
  'block nesting 500 deep': `${Array.from({ length: 500 }, (_, d) => `${'  '.repeat(d)}k${d}:`).join('\n')}\n`,
  '999 ConfigMaps in one file': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n---\n'.repeat(999),
  'DAG of 3000 chained tasks': [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Workflow',
    'metadata: {name: big}',
    'spec:',
    '  entrypoint: main',
    '  templates:',
    '  - name: w',
    '    container: {image: busybox}',
    '  - name: main',
    '    dag:',
    '      tasks:',
    ...Array.from({ length: 3000 }, (_, i) => `      - {name: t${i}, template: w${i > 0 ? `, depends: t${i - 1}` : ''}}`),
    '',
  ].join('\n'),
  '5 MiB string': `a: "${'x'.repeat(5 * 1024 * 1024 - 10)}"\n`,
};
for (const [name, text] of Object.entries(hostile)) {
  const samples = Array.from({ length: 5 }, () => time(() => lintSources([{ file: 'hostile.yaml', text }])));
  console.log(`hostile: ${name.padEnd(28)} median ${median(samples).toFixed(1)} ms`);
}
