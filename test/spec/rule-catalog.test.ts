import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RULES } from '../../src/spec/rule-catalog.js';
import { readExpectations } from '../helpers/expectations.js';
import { fixturesDir, repoRoot } from '../helpers/paths.js';

/** Rule ids reported by code anywhere under the given source folders. */
function rulesInSource(dir: string): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    for (const match of text.matchAll(/\brule: '([a-z-]+)'/g)) found.add(match[1]!);
    for (const match of text.matchAll(/(?:fileError|problem)\('([a-z-]+)'/g)) found.add(match[1]!);
  }
  return found;
}

describe('rule catalog', () => {
  const used = new Set([...rulesInSource(join(repoRoot, 'src/spec')), ...rulesInSource(join(repoRoot, 'src/cli'))]);

  it('documents every rule the code reports, and no rule the code never reports', () => {
    assert.deepEqual([...used].sort(), Object.keys(RULES).sort());
  });

  it("is the README's rule table, row for row, with the same severities and summaries", () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    // The README may set code in backticks; the words are the catalog's.
    const rows = [...readme.matchAll(/^\| `([a-z-]+)` \| (error|warning|notice) \| (.*) \|$/gm)].map((m) => [m[1], m[2], m[3]!.replaceAll('`', '')]);
    const catalog = Object.entries(RULES).map(([rule, { severity, summary }]) => [rule, severity, summary]);
    assert.deepEqual(rows, catalog);
  });

  it('has a failing fixture or a hostile-input test for every rule', () => {
    const fixtures = join(fixturesDir, 'lint');
    const covered = new Set(readdirSync(fixtures).flatMap((file) => readExpectations(readFileSync(join(fixtures, file), 'utf8')).map((e) => e.rule)));
    // These need files no fixture can be (binary, huge, unreadable) and are tested in
    // test/spec/hostile-input.test.ts and test/cli/lint-command.test.ts.
    for (const rule of [
      'yaml-syntax',
      'yaml-aliases',
      'too-deep',
      'too-many-documents',
      'file-too-large',
      'binary-file',
      'unreadable',
      'duplicate-key',
      'no-templates',
    ])
      covered.add(rule);
    // `internal` only reports a bug in a rule; nothing should trigger it.
    covered.add('internal');
    assert.deepEqual(
      Object.keys(RULES).filter((rule) => !covered.has(rule)),
      [],
    );
  });
});
