import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { lintSources } from '../../src/spec/lint-sources.js';
import { formatExpectation, readExpectations } from '../helpers/expectations.js';
import { fixturesDir } from '../helpers/paths.js';

// Each fixture under test/fixtures/lint breaks rules on purpose and says, under each broken line,
// which diagnostic must appear at which column. Every diagnostic must be expected, and every
// expectation met: nothing missing, nothing extra.
const dir = join(fixturesDir, 'lint');

describe('lint fixtures: every rule reports at the exact line and column', () => {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  it('has fixtures to check', () => assert.ok(files.length >= 8, `only ${files.length} fixtures`));
  for (const file of files) {
    it(file, () => {
      const text = readFileSync(join(dir, file), 'utf8');
      const expected = readExpectations(text).map(formatExpectation).sort();
      assert.ok(expected.length > 0, `${file} expects nothing`);
      const report = lintSources([{ file, text }]);
      const actual = report.diagnostics.map(formatExpectation).sort();
      const messages = report.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} [${d.rule}] ${d.message}`).join('\n');
      assert.deepEqual(actual, expected, `diagnostics of ${file}:\n${messages}`);
    });
  }
});
