// How fast the run page opens a big run in Chromium: a 10,000-node run written to a state
// directory (100 step groups of 99 steps, no loop to fold, so every node is a box) and a
// 10,000-iteration loop (folded into one box), against a 100-node run in the same process.
// Each figure is the median over `runs` page loads of the time from navigation start to the
// graph's last box in the page; "responsive" is a click on a box until its step view shows.
// Target: the 10,000-node run under 2 s.
//
//   node dist/bench/run-page.bench.js [runs]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalTarget } from '../src/cli/local-target.js';
import { localRunPageSource } from '../src/cli/local-run-page-source.js';
import { createRunPageHandler } from '../src/server/run-page/run-page-handler.js';
import { loadRunPageSecret, RunLinkSigner } from '../src/server/run-page/run-link-signer.js';
import { buildRunGraph } from '../src/server/run-page/run-graph.js';
import { startRunPageServer } from '../src/server/run-page/run-page-server.js';
import { launchChromium } from '../test/e2e/run-page-browser.js';
import { SyntheticRun } from '../test/server/run-page/synthetic-run.js';
import { median } from './median.js';

const runs = Number(process.argv[2] ?? 5);

/** A run of `groups` step groups of `width` steps each. */
function layered(name: string, groups: number, width: number): SyntheticRun {
  const run = new SyntheticRun(name);
  let previous = [run.nodes[name]!];
  for (let g = 0; g < groups; g++)
    previous = run.group(
      previous,
      g,
      Array.from({ length: width }, (_, i) => ({ name: `step-${g}-${i}` })),
    );
  return run;
}

function looped(name: string, items: number): SyntheticRun {
  const run = new SyntheticRun(name);
  const [first] = run.group([run.nodes[name]!], 0, [{ name: 'prepare' }]);
  const iterations = run.loop([first!], 1, 'work', items);
  run.group(iterations, 2, [{ name: 'report' }]);
  return run;
}

const root = mkdtempSync(join(tmpdir(), 'skiff-bench-run-page-'));
const target = openLocalTarget({ stdout: { write: () => true }, stderr: { write: () => true }, cwd: root }, { stateDir: root });
const cases = [
  { label: 'baseline, 100 nodes', run: layered('small', 9, 10) },
  { label: '10,000 nodes', run: layered('big', 100, 99) },
  { label: '10,000-iteration loop', run: looped('loop', 10_000) },
];
for (const { run } of cases) {
  await target.runs.create({
    key: `default/${run.name}`,
    workflow: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { name: run.name, namespace: 'default' },
      spec: { entrypoint: 'main', templates: [] },
    },
    status: run.status('Succeeded'),
  });
}
await target.runs.closeAll();

const signer = new RunLinkSigner(await loadRunPageSecret(root));
const server = await startRunPageServer(createRunPageHandler({ source: localRunPageSource(target, process.env), signer }), '127.0.0.1', 0);
const browser = await launchChromium();
try {
  const results = new Map<string, { render: number; click: number; nodes: number; boxes: number }>();
  for (const { label, run } of cases) {
    const boxes = buildRunGraph(run.status(), run.name).items.length;
    const link = `${server.url}/runs/default/${run.name}?${signer.query('default', run.name, { expiresAt: Date.now() + 3_600_000 })}`;
    const render: number[] = [];
    const click: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      await page.goto(link, { waitUntil: 'commit' });
      // Time from navigation start until the graph (rendered by the server, so whole once the
      // document is parsed) has been laid out and painted: the frame after DOMContentLoaded.
      const rendered = await page.evaluate(async () => {
        const g = globalThis as unknown as {
          document: { readyState: string; addEventListener(e: string, f: () => void): void };
          requestAnimationFrame(f: () => void): void;
          performance: { now(): number };
        };
        if (g.document.readyState === 'loading') await new Promise<void>((r) => g.document.addEventListener('DOMContentLoaded', () => r()));
        await new Promise<void>((r) => g.requestAnimationFrame(() => g.requestAnimationFrame(() => r())));
        return g.performance.now();
      });
      if ((await page.locator('.graph .box').count()) !== boxes) throw new Error(`${label}: the page does not show ${boxes} boxes`);
      const clicked = Date.now();
      await page
        .locator('.graph .box')
        .nth(Math.floor(boxes / 2))
        .click();
      await page.locator('#panel h2').waitFor();
      const clickMs = Date.now() - clicked;
      await page.close();
      if (i === 0) continue; // the first load warms the server's and the browser's caches
      render.push(rendered);
      click.push(clickMs);
    }
    results.set(label, { render: median(render), click: median(click), nodes: Object.keys(run.nodes).length, boxes });
  }
  const baseline = results.get(cases[0]!.label)!;
  for (const [label, r] of results) {
    console.log(
      `${label} (${r.nodes} nodes, ${r.boxes} boxes): median ${r.render.toFixed(0)} ms to the whole graph, ${(r.render / baseline.render).toFixed(2)}x the baseline`,
    );
    console.log(`${label}, a click to the step view: median ${r.click.toFixed(0)} ms`);
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(root, { recursive: true, force: true });
}
