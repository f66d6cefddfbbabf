import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../../src/cli/cli-io.js';
import { parseLabelSelector } from '../../src/cli/label-selector.js';
import { parseAge } from '../../src/cli/parse-age.js';

describe('parseLabelSelector', () => {
  const labels = { team: 'data', tier: 'batch', 'app.kubernetes.io/name': 'etl' };
  for (const [selector, matches] of [
    ['team=data', true],
    ['team==data', true],
    ['team=web', false],
    ['team!=web', true],
    ['missing!=x', true],
    ['tier in (batch, web)', true],
    ['tier notin (batch)', false],
    ['missing notin (batch)', true],
    ['team', true],
    ['!team', false],
    ['!missing', true],
    ['app.kubernetes.io/name=etl,tier in (a,batch),!draft', true],
    ['team=data,tier=web', false],
    ['', true],
  ] as const) {
    test(`"${selector}" ${matches ? 'matches' : 'does not match'}`, () => assert.equal(parseLabelSelector(selector)(labels), matches));
  }
  test('an object without labels has none', () => assert.equal(parseLabelSelector('!team')(undefined), true));
  test('a malformed selector is a usage error naming the part', () =>
    assert.throws(
      () => parseLabelSelector('team=data,tier in batch'),
      (e: Error) => e instanceof UsageError && /"tier in batch"/.test(e.message),
    ));
});

describe('parseAge', () => {
  test('Go units and days, combined', () => {
    assert.equal(parseAge('90s', '--since'), 90_000);
    assert.equal(parseAge('1h30m', '--since'), 5_400_000);
    assert.equal(parseAge('2d', '--older'), 172_800_000);
    assert.equal(parseAge('1.5h', '--older'), 5_400_000);
  });
  test('anything else is a usage error naming the flag', () => {
    for (const text of ['', '10', 'h', '1w', '1h x'])
      assert.throws(
        () => parseAge(text, '--older'),
        (e: Error) => e instanceof UsageError && e.message.startsWith(`--older ${text}:`),
      );
  });
});
