#!/usr/bin/env node
// Fails when the compiled modules import each other in a cycle, except the one the design allows:
// the interpreter's recursion, where a template runs templates (execute-template starts steps,
// DAG and retry frames and lifecycle hooks, and each of those executes templates again).
//
// It reads the compiled JavaScript, not the TypeScript: imports used only as types are gone there,
// so what it checks is what Node loads. Dynamic `import()` is lazy and never part of a load cycle.
//
//   node scripts/check-import-cycles.mjs [DIR]      DIR defaults to dist/src
//
// Prints each forbidden cycle with its modules and the imports that close it; exits 1 if any.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Groups of modules (paths relative to DIR) allowed to import each other. */
export const ALLOWED_CYCLES = [
  ['engine/execute-template.js', 'engine/steps-frame.js', 'engine/dag-frame.js', 'engine/retry-frame.js', 'engine/lifecycle-hooks.js'],
];

/** Every `.js` file under `dir`, and the relative modules each imports statically. */
export function readImportGraph(dir) {
  const graph = new Map();
  const walk = (folder) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.js')) graph.set(relative(dir, path), importsOf(dir, path));
    }
  };
  walk(dir);
  return graph;
}

// `import x from './a.js'`, `import './a.js'`, `export { y } from './a.js'`, across lines.
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?:[^'";]*?\sfrom\s*)?['"](\.{1,2}\/[^'"]+)['"]/gm;

function importsOf(dir, file) {
  const text = readFileSync(file, 'utf8');
  const targets = new Set();
  for (const match of text.matchAll(STATIC_IMPORT)) targets.add(relative(dir, resolve(dirname(file), match[1])));
  return [...targets];
}

/** Strongly connected components of more than one module (Tarjan), each sorted. */
export function findCycles(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const cycles = [];
  const visit = (module) => {
    index.set(module, counter);
    low.set(module, counter);
    counter++;
    stack.push(module);
    onStack.add(module);
    for (const next of graph.get(module) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(module, Math.min(low.get(module), low.get(next)));
      } else if (onStack.has(next)) {
        low.set(module, Math.min(low.get(module), index.get(next)));
      }
    }
    if (low.get(module) !== index.get(module)) return;
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== module);
    const selfImport = (graph.get(module) ?? []).includes(module);
    if (component.length > 1 || selfImport) cycles.push(component.sort());
  };
  for (const module of graph.keys()) if (!index.has(module)) visit(module);
  return cycles;
}

/** The cycles not contained in one allowed group. */
export function forbiddenCycles(graph, allowed = ALLOWED_CYCLES) {
  return findCycles(graph).filter((cycle) => !allowed.some((group) => cycle.every((module) => group.includes(module))));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = resolve(process.argv[2] ?? 'dist/src');
  const graph = readImportGraph(dir);
  const forbidden = forbiddenCycles(graph);
  for (const cycle of forbidden) {
    console.error(`import cycle among ${cycle.length} modules of ${relative(process.cwd(), dir) || '.'}:`);
    for (const module of cycle) {
      const inCycle = (graph.get(module) ?? []).filter((target) => cycle.includes(target));
      console.error(`  ${module} imports ${inCycle.join(', ')}`);
    }
  }
  if (forbidden.length > 0) {
    console.error(`${forbidden.length} forbidden import cycle(s); break them (move the shared part into a module of its own, or pass the function in)`);
    process.exit(1);
  }
  console.log(`import cycles: none beyond the interpreter's recursion (${graph.size} modules)`);
}
