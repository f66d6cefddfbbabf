import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseReportMessage,
  pointerMessage,
  pointerTo,
  reportMessage,
  TERMINATION_MESSAGE_LIMIT,
  verifiedPointedReport,
} from '../../../src/runtime/pod-spec/report-message.js';

describe('report messages', () => {
  it('carries a report that fits, and reads it back', () => {
    const report = { exitCode: 0, parameters: [{ name: 'p', value: 'v' }], result: 'hi' };
    const message = reportMessage(report)!;
    assert.ok(Buffer.byteLength(message) <= TERMINATION_MESSAGE_LIMIT);
    assert.deepEqual(parseReportMessage(message), { report });
  });

  it('refuses to carry a report over the limit (counted in bytes, not characters)', () => {
    assert.equal(reportMessage({ result: 'é'.repeat(2100) }), undefined);
    assert.ok(reportMessage({ result: 'e'.repeat(2100) }));
  });

  it('reads anything else as no report: empty, cut short, plain words, a wrong pointer', () => {
    for (const text of [
      undefined,
      '',
      '{"skiffReport":{"exit',
      'OOMKilled',
      '[1]',
      '{"skiffReportPointer":{"key":"k","sha256":"xyz","size":1}}',
      '{"other":1}',
    ])
      assert.equal(parseReportMessage(text), undefined, String(text));
  });

  it('a pointer round-trips and its report is believed only with the right size and digest', () => {
    const bytes = Buffer.from(JSON.stringify({ exitCode: 0, result: 'x'.repeat(5000) }));
    const pointer = pointerTo('wf/pod/skiff-executor-report.json', bytes);
    assert.deepEqual(parseReportMessage(pointerMessage(pointer)), { pointer });
    assert.equal(verifiedPointedReport(pointer, bytes).result?.length, 5000);
    assert.throws(() => verifiedPointedReport(pointer, bytes.subarray(1)), /is \d+ bytes, not the/);
    const swapped = Buffer.from(bytes);
    swapped[20] = swapped[20] === 0x78 ? 0x79 : 0x78;
    assert.throws(() => verifiedPointedReport(pointer, swapped), /SHA-256/);
  });
});
