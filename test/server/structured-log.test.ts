import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StructuredLog, withLogFields } from '../../src/server/structured-log.js';
import { probotLog } from '../../src/github/probot-log.js';

const at = () => new Date('2026-01-02T03:04:05.000Z');

test('JSON lines carry the fields of the work they belong to, across awaits and timers, and drop lines below the level', async () => {
  const lines: string[] = [];
  const log = new StructuredLog({ format: 'json', level: 'info', write: (t) => lines.push(t), now: at });
  await withLogFields({ delivery: 'd-1' }, async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    log.info('handled', { ms: 3 });
    log.debug('dropped');
  });
  log.warn('outside', { err: new Error('boom') });
  assert.deepEqual(
    lines.map((l) => JSON.parse(l)),
    [
      { time: '2026-01-02T03:04:05.000Z', level: 'info', msg: 'handled', delivery: 'd-1', ms: 3 },
      { time: '2026-01-02T03:04:05.000Z', level: 'warn', msg: 'outside', err: { name: 'Error', message: 'boom' } },
    ],
  );
  assert.ok(lines.every((l) => l.endsWith('}\n') && !l.slice(0, -1).includes('\n')));
});

test("Probot's pino-style calls come out as Skiff's lines, without payloads", () => {
  const lines: string[] = [];
  const log = new StructuredLog({ format: 'json', level: 'debug', write: (t) => lines.push(t), now: at });
  const probot = probotLog(log).child({ name: 'event', id: 'd-2' });
  withLogFields({ delivery: 'd-2' }, () => {
    probot.debug({ event: { payload: { secret: 'x' } }, status: 201 }, 'GitHub request: POST /x - 201');
    probot.info('plain %s', 'text');
    probot.trace('below the level');
  });
  assert.deepEqual(
    lines.map((l) => JSON.parse(l)),
    [
      { time: '2026-01-02T03:04:05.000Z', level: 'debug', msg: 'GitHub request: POST /x - 201', name: 'event', id: 'd-2', delivery: 'd-2', status: 201 },
      { time: '2026-01-02T03:04:05.000Z', level: 'info', msg: 'plain text', name: 'event', id: 'd-2', delivery: 'd-2' },
    ],
  );
});

test('the pretty format is one readable line with the fields at its end', () => {
  const lines: string[] = [];
  const log = new StructuredLog({ format: 'pretty', level: 'info', write: (t) => lines.push(t), now: at });
  withLogFields({ delivery: 'd-3' }, () => log.error('failed', { ms: 5 }));
  assert.deepEqual(lines, ['2026-01-02T03:04:05.000Z ERROR failed (delivery=d-3 ms=5)\n']);
});
