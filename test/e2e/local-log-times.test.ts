import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/paths.js';

const skiff = join(repoRoot, 'bin', 'skiff.js');

test('a real step: logs --timestamps prints when each line was written, and --since-time filters by it', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-log-times-'));
  writeFileSync(
    join(dir, 'wf.yaml'),
    `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: timed
spec:
  entrypoint: main
  templates:
  - name: main
    container:
      image: busybox
      command: [sh, -c]
      args: ["echo first; sleep 2; echo second; echo third >&2"]
`,
  );
  const env = { ...process.env, SKIFF_STATE_DIR: join(dir, 'state') };
  const run = (...args: string[]): string => execFileSync(process.execPath, [skiff, ...args], { cwd: dir, env, encoding: 'utf8' });
  run('submit', 'wf.yaml', '--wait');
  const stamped = run('logs', 'timed', '--timestamps')
    .trim()
    .split('\n')
    .map((line) => /^timed: (\S+) (\w+)$/.exec(line));
  // stdout and stderr are two pipes: which of the last two lines came first is up to the system.
  assert.deepEqual(stamped.map((m) => m?.[2]).sort(), ['first', 'second', 'third']);
  assert.equal(stamped[0]?.[2], 'first');
  for (const m of stamped) assert.match(m![1]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/);
  const time = (word: string): number => Date.parse(stamped.find((m) => m?.[2] === word)![1]!);
  assert.ok(time('second') - time('first') >= 1500, `the step slept 2 s between its lines, but they are ${time('second') - time('first')} ms apart`);
  assert.ok(time('third') - time('first') >= 1500);
  // Half way between the lines: only what was written after.
  const between = new Date(time('first') + 1000).toISOString();
  assert.deepEqual(run('logs', 'timed', '--since-time', between).split('\n').sort(), ['', 'timed: second', 'timed: third']);
  assert.equal(run('logs', 'timed', '--since', '1h').split('\n').length, 4);
});
