import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { JournalRecord, StoredRun } from '../../src/ports/run-store.js';
import { encodeRecord, encodeSnapshot } from '../../src/state/journal-format.js';
import { HELLO, runName, skiff, workspace } from './run-cli.js';

/** Ways a finished run's files get damaged, each with what `get` must then say about where. */
const DAMAGES: Array<{ what: string; file: 'journal.ndjson' | 'snapshot.json'; at: RegExp; damage: (text: string) => string }> = [
  {
    what: 'a garbled line in the middle of the journal',
    file: 'journal.ndjson',
    at: /journal\.ndjson, line 2: it is neither a checksummed record nor JSON, and valid records follow it/,
    damage: (t) => withLine(t, 1, (l) => `\u0000\u0000${l.slice(40)}`),
  },
  {
    what: 'a line cut short in the middle of the journal',
    file: 'journal.ndjson',
    at: /journal\.ndjson, line 2: its checksum does not match its content, and valid records follow it/,
    damage: (t) => withLine(t, 1, (l) => l.slice(0, 60)),
  },
  {
    what: 'a bad checksum in the middle of the journal',
    file: 'journal.ndjson',
    at: /journal\.ndjson, line 2: its checksum does not match its content/,
    damage: (t) => withLine(t, 1, (l) => l.replace('"Running"', '"Failed"')),
  },
  {
    // A number where the phase goes once made `skiff list` fail for every run ("cell is not iterable").
    what: 'a journal record of the wrong shape',
    file: 'journal.ndjson',
    at: /journal\.ndjson, line 2 \(seq 2\): the record is of the wrong shape: its "run" has no string "phase"/,
    damage: (t) => withLine(t, 1, () => encodeRecord(2, { nodes: [], run: { phase: 3 } } as unknown as JournalRecord).trimEnd()),
  },
  {
    what: 'a truncated snapshot',
    file: 'snapshot.json',
    at: /snapshot\.json: its checksum does not match its content, and the previous snapshot cannot stand in/,
    damage: (t) => t.slice(0, 100),
  },
  { what: 'an empty snapshot', file: 'snapshot.json', at: /snapshot\.json: it is empty/, damage: () => '' },
  {
    what: 'a snapshot of the wrong shape',
    file: 'snapshot.json',
    at: /snapshot\.json: node "x" has no string "phase"/,
    damage: (t) => {
      const run = JSON.parse(t.slice(9)) as { seq: number; run: StoredRun };
      return encodeSnapshot(
        run.seq,
        { ...run.run, status: { ...run.run.status, nodes: { x: { id: 'x', name: 'x', displayName: 'x', type: 'Pod' } } } } as unknown as StoredRun,
        'replacement',
      );
    },
  },
];

function withLine(text: string, index: number, change: (line: string) => string): string {
  const lines = text.split('\n');
  lines[index] = change(lines[index]!);
  return lines.join('\n');
}

describe('a damaged run', () => {
  for (const { what, file, at, damage } of DAMAGES) {
    it(`with ${what}: listed as Damaged, get and logs name the file and record, submit leaves it alone, delete removes it`, async () => {
      const dir = workspace({ 'hello.yaml': HELLO });
      const damaged = runName((await skiff(dir, ['submit', 'hello.yaml', '--wait'])).stdout);
      const healthy = runName((await skiff(dir, ['submit', 'hello.yaml', '--wait'])).stdout);
      const path = join(dir, 'state/runs/default', damaged, file);
      writeFileSync(path, damage(readFileSync(path, 'utf8')));
      const files = (): string =>
        readdirSync(join(dir, 'state/runs/default', damaged))
          .filter((n) => /^(snapshot|journal)/.test(n))
          .sort()
          .map((name) => `${name}:${readFileSync(join(dir, 'state/runs/default', damaged, name), 'utf8')}`)
          .join('\n');
      const before = files();

      const list = await skiff(dir, ['list']);
      assert.equal(list.status, 1, list.stderr);
      assert.match(list.stdout, new RegExp(`^${damaged}\\s+Damaged\\s+runs/default/${damaged}/.*${at.source}`, 'm'));
      assert.match(list.stdout, new RegExp(`^${healthy}\\s+Succeeded\\s+\\d+s\\s+\\d+s$`, 'm'));
      assert.match(list.stderr, /a run is damaged and left as it is; skiff delete NAME removes one/);

      for (const command of ['get', 'logs']) {
        const shown = await skiff(dir, [command, damaged]);
        assert.equal(shown.status, 1, command);
        assert.match(
          shown.stderr,
          new RegExp(`^skiff ${command}: run "${damaged}" in namespace "default" is damaged: ${dir}/state/runs/default/${damaged}/${at.source}`),
          command,
        );
        assert.match(shown.stderr, new RegExp(`"skiff delete ${damaged}" removes it\\n$`));
        assert.doesNotMatch(shown.stderr, /Unexpected token|in JSON at position|is not iterable|\n\s+at /, command);
      }
      assert.equal((await skiff(dir, ['get', healthy])).status, 0);

      // Other runs still start; the damaged one is named, not continued nor rewritten.
      const next = await skiff(dir, ['submit', 'hello.yaml', '--wait']);
      assert.equal(next.status, 0, next.stderr);
      assert.equal(files(), before, 'the damaged run was changed');
      const resumed = await skiff(dir, ['resume', damaged]);
      assert.equal(resumed.status, 1);
      assert.equal(files(), before, 'the damaged run was changed by resume');

      const deleted = await skiff(dir, ['delete', damaged]);
      assert.equal(deleted.status, 0, deleted.stderr);
      assert.equal(deleted.stdout, `workflow ${damaged} deleted\n`);
      assert.ok(!existsSync(join(dir, 'state/runs/default', damaged)));
      const after = await skiff(dir, ['list']);
      assert.equal(after.status, 0, after.stderr);
      assert.doesNotMatch(after.stdout, /Damaged/);
    });
  }

  it('is named, not continued, when it was left unfinished: the next submit does not run its steps again', async () => {
    const dir = workspace({ 'hello.yaml': HELLO });
    const name = runName((await skiff(dir, ['submit', 'hello.yaml', '--wait'])).stdout);
    const path = join(dir, 'state/runs/default', name, 'journal.ndjson');
    const lines = readFileSync(path, 'utf8').split('\n');
    // Before the fix this read as a torn tail: the run showed Running and was driven again.
    lines[1] = '{"q":2,"nodes":[';
    writeFileSync(path, lines.join('\n'));
    const before = readFileSync(path, 'utf8');
    const next = await skiff(dir, ['submit', 'hello.yaml', '--wait']);
    assert.equal(next.status, 0, next.stderr);
    assert.match(
      next.stderr,
      new RegExp(
        `^skiff: run "${name}" in namespace "default" is damaged: .*journal\\.ndjson, line 2: .*\\nskiff: it is left as it is \\(nothing of it runs again\\); "skiff delete ${name}" removes it$`,
        'm',
      ),
    );
    assert.equal(readFileSync(path, 'utf8'), before);
  });
});
