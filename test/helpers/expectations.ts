/**
 * Expected diagnostics written into a fixture, right under the line they are about:
 *
 *       template: whalesay
 *   #             ^ error unknown-template
 *
 * The caret's column is the expected column; the line is the nearest line above that is not an
 * expectation. Where a caret cannot be placed (column 1), `# expect LINE:COLUMN severity rule`.
 */
export interface Expectation {
  line: number;
  column: number;
  severity: string;
  rule: string;
}

const CARET = /^(\s*#\s*)\^\s+(error|warning|notice)\s+([a-z][a-z-]*)\s*$/;
const EXPLICIT = /^\s*#\s*expect\s+(\d+):(\d+)\s+(error|warning|notice)\s+([a-z][a-z-]*)\s*$/;

export function readExpectations(text: string): Expectation[] {
  const expectations: Expectation[] = [];
  let subject = 0;
  text.split('\n').forEach((line, index) => {
    const caret = CARET.exec(line);
    const explicit = EXPLICIT.exec(line);
    if (caret) {
      expectations.push({ line: subject, column: caret[1]!.length + 1, severity: caret[2]!, rule: caret[3]! });
    } else if (explicit) {
      expectations.push({ line: Number(explicit[1]), column: Number(explicit[2]), severity: explicit[3]!, rule: explicit[4]! });
    } else {
      subject = index + 1;
    }
  });
  return expectations;
}

export function formatExpectation(e: Expectation): string {
  return `${e.line}:${e.column} ${e.severity} ${e.rule}`;
}
