import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRunGraph, LOOP_FOLD_MIN } from '../../../src/server/run-page/run-graph.js';
import { SyntheticRun } from './synthetic-run.js';

describe('buildRunGraph', () => {
  it('folds a 1,000-item loop into one box that counts its phases, and keeps what follows it', () => {
    const run = new SyntheticRun('wf');
    const [first] = run.group([run.nodes.wf!], 0, [{ name: 'prepare' }]);
    const iterations = run.loop([first!], 1, 'work', 1000, (i) => (i < 990 ? 'Succeeded' : i < 995 ? 'Failed' : 'Running'));
    const [last] = run.group(iterations, 2, [{ name: 'report', phase: 'Pending' }]);
    const graph = buildRunGraph(run.status(), 'wf');
    const loop = graph.items.find((i) => i.kind === 'loop')!;
    assert.equal(loop.label, 'work');
    assert.equal(loop.members!.length, 1000);
    assert.deepEqual(loop.counts, { Succeeded: 990, Failed: 5, Running: 5 });
    assert.equal(loop.phase, 'Running');
    // wf, [0], prepare, [1], the loop, [2], report
    assert.deepEqual(
      graph.items.map((i) => i.label),
      ['wf', '[0]', 'prepare', '[1]', 'work', '[2]', 'report'],
    );
    assert.deepEqual(
      graph.items.map((i) => i.rank),
      [0, 1, 2, 3, 4, 5, 6],
    );
    for (const iteration of iterations) assert.equal(graph.itemOf.get(iteration.id), loop.id);
    assert.equal(graph.itemOf.get(last!.id), last!.id);
    // 1,000 iteration edges into the next group become one.
    assert.equal(graph.edges.filter(([from]) => from === loop.id).length, 1);
  });

  it('keeps a short loop as separate boxes', () => {
    const run = new SyntheticRun('wf');
    run.loop([run.nodes.wf!], 0, 'few', LOOP_FOLD_MIN - 1);
    const graph = buildRunGraph(run.status(), 'wf');
    assert.equal(graph.items.filter((i) => i.kind === 'loop').length, 0);
    assert.equal(graph.items.filter((i) => i.type === 'Pod').length, LOOP_FOLD_MIN - 1);
  });

  it('shows retries as attempts under their Retry node, numbered from 1; a looped retry folds whole', () => {
    const run = new SyntheticRun('wf');
    const [lastAttempt] = run.group([run.nodes.wf!], 0, [{ name: 'flaky', retries: 2 }]);
    run.group(
      [lastAttempt!],
      1,
      Array.from({ length: 8 }, (_, i) => ({ name: `try(${i}:${i})`, retries: 1 })),
    );
    const graph = buildRunGraph(run.status(), 'wf');
    const flaky = Object.values(run.nodes).find((n) => n.type === 'Retry' && n.displayName === 'flaky')!;
    const attempts = graph.items.filter((i) => i.attempt !== undefined && graph.edges.some(([from, to]) => from === flaky.id && to === i.id));
    assert.deepEqual(
      attempts.map((a) => [a.attempt, a.phase]),
      [
        [1, 'Failed'],
        [2, 'Failed'],
        [3, 'Succeeded'],
      ],
    );
    const loop = graph.items.find((i) => i.kind === 'loop')!;
    assert.equal(loop.members!.length, 8);
    for (const retry of Object.values(run.nodes).filter((n) => n.type === 'Retry' && n.displayName.startsWith('try(')))
      for (const attempt of retry.children!) assert.equal(graph.itemOf.get(attempt), loop.id);
  });

  it("lays out a DAG by its dependencies, a task's loop folded under its task group", () => {
    const run = new SyntheticRun('dag');
    const root = run.nodes.dag!;
    root.type = 'DAG';
    const a = run.add({ name: 'dag.a', displayName: 'a', type: 'Pod', phase: 'Succeeded', boundaryID: 'dag' });
    const b = run.add({ name: 'dag.b', displayName: 'b', type: 'TaskGroup', phase: 'Running', boundaryID: 'dag' });
    const c = run.add({ name: 'dag.c', displayName: 'c', type: 'Pod', phase: 'Pending', boundaryID: 'dag' });
    run.link(root, a);
    run.link(root, b);
    run.link(a, c);
    for (let i = 0; i < 8; i++) {
      const iteration = run.add({
        name: `dag.b(${i}:${i})`,
        displayName: `b(${i}:${i})`,
        type: 'Pod',
        phase: i < 7 ? 'Succeeded' : 'Running',
        boundaryID: 'dag',
      });
      run.link(b, iteration);
      run.link(iteration, c);
    }
    const graph = buildRunGraph(run.status(), 'dag');
    const rank = (label: string) => graph.items.find((i) => i.label === label)!.rank;
    assert.deepEqual(
      graph.items.map((i) => [i.label, i.kind, i.phase]),
      [
        ['dag', 'node', 'Running'],
        ['a', 'node', 'Succeeded'],
        ['b', 'node', 'Running'],
        ['b', 'loop', 'Running'],
        ['c', 'node', 'Pending'],
      ],
    );
    assert.deepEqual([rank('dag'), rank('a'), rank('c')], [0, 1, 3], 'c sits below the loop it waits for, not just below a');
    assert.deepEqual(graph.items.find((i) => i.kind === 'loop')!.counts, { Succeeded: 7, Running: 1 });
  });

  it('puts the exit handler below everything the run did, marked as such', () => {
    const run = new SyntheticRun('wf');
    run.group([run.nodes.wf!], 0, [{ name: 'a' }]);
    run.add({ id: 'wf-exit', name: 'wf.onExit', displayName: 'wf.onExit', type: 'Pod', phase: 'Succeeded', nodeFlag: { hooked: true } });
    const graph = buildRunGraph(run.status(), 'wf');
    const exit = graph.items.at(-1)!;
    assert.equal(exit.id, 'wf-exit');
    assert.equal(exit.hooked, true);
    assert.ok(exit.rank > Math.max(...graph.items.filter((i) => i !== exit).map((i) => i.rank)));
  });

  it('lays out 10,000 nodes in layers without quadratic work', () => {
    const run = new SyntheticRun('big');
    let previous = [run.nodes.big!];
    for (let g = 0; g < 100; g++)
      previous = run.group(
        previous,
        g,
        Array.from({ length: 99 }, (_, i) => ({ name: `t${g}-${i}` })),
      );
    const graph = buildRunGraph(run.status(), 'big');
    assert.equal(graph.items.length, Object.keys(run.nodes).length);
    assert.equal(Math.max(...graph.items.map((i) => i.rank)), 200);
  });
});
