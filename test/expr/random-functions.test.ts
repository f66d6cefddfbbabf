import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateExpression } from '../../src/expr/expression-evaluator.js';
import { substituteTemplate } from '../../src/expr/substitute.js';
import { SeededRandom } from '../../src/expr/seeded-random.js';

const seeded = (source: string, seed = 'run-1/node-a'): unknown => evaluateExpression(source, {}, { seed });

describe('sprig random functions', () => {
  test('draw the characters each asks for, as many as asked', () => {
    assert.match(seeded('sprig.randAlphaNum(64)') as string, /^[A-Za-z0-9]{64}$/);
    assert.match(seeded('sprig.randAlpha(64)') as string, /^[A-Za-z]{64}$/);
    assert.match(seeded('sprig.randNumeric(64)') as string, /^[0-9]{64}$/);
    assert.match(seeded('sprig.randAscii(64)') as string, /^[ -~]{64}$/);
    assert.equal(seeded('sprig.randAlphaNum(0)'), '');
    assert.equal(Buffer.from(seeded('sprig.randBytes(24)') as string, 'base64').length, 24);
    assert.match(seeded('sprig.uuidv4()') as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('randInt stays in [min, max)', () => {
    const values = seeded('map(1..200, {sprig.randInt(3, 6)})') as number[];
    assert.ok(values.every((v) => v >= 3 && v < 6));
    assert.deepEqual([...new Set(values)].sort(), [3, 4, 5]);
    assert.throws(() => seeded('sprig.randInt(5, 5)'), /invalid argument to Intn/);
  });

  test('shuffle keeps the letters', () => {
    assert.equal([...(seeded('sprig.shuffle("hello world")') as string)].sort().join(''), [...'hello world'].sort().join(''));
  });

  test('encryptAES with a seeded IV decrypts with decryptAES', () => {
    assert.equal(seeded('sprig.decryptAES("secretkey", sprig.encryptAES("secretkey", "plaintext"))'), 'plaintext');
    assert.equal(seeded('sprig.encryptAES("k", "")'), '');
  });

  test('the same seed gives the same values; another seed, other values', () => {
    const source = '[sprig.randAlphaNum(8), sprig.randAlphaNum(8), sprig.uuidv4()]';
    const first = seeded(source) as string[];
    assert.deepEqual(seeded(source), first);
    assert.notEqual(first[0], first[1], 'each call draws anew');
    assert.notDeepEqual(seeded(source, 'run-1/node-b'), first);
    assert.notDeepEqual(seeded(source, 'run-2/node-a'), first);
  });

  test('without a seed they fail clearly', () => {
    assert.throws(() => evaluateExpression('sprig.randAlphaNum(8)', {}), /sprig\.randAlphaNum\(\): random values need a seed/);
    assert.throws(() => evaluateExpression('sprig.uuidv4()', {}), /random values need a seed/);
  });

  test('in templates, each tag draws a value of its own, the same each time with the same seed', () => {
    const text = '{{=sprig.randAlphaNum(8)}} {{=sprig.randAlphaNum(8)}} {{= sprig.randAlphaNum(8)}}';
    const values = substituteTemplate(text, () => undefined, { seed: 'run/node' }).text.split(' ');
    assert.equal(new Set(values).size, 3, values.join(' '));
    assert.equal(substituteTemplate(text, () => undefined, { seed: 'run/node' }).text, values.join(' '));
    assert.notEqual(substituteTemplate(text, () => undefined, { seed: 'run/other' }).text, values.join(' '));
    const unseeded = substituteTemplate('{{=sprig.randAlphaNum(8)}}', () => undefined, { strict: true });
    assert.match(unseeded.errors[0]!.message, /random values need a seed/);
  });
});

describe('SeededRandom', () => {
  test('is a fixed function of its seed', () => {
    assert.equal(new SeededRandom('x').bytes(40).toString('hex'), new SeededRandom('x').bytes(40).toString('hex'));
    assert.notEqual(new SeededRandom('x').bytes(8).toString('hex'), new SeededRandom('y').bytes(8).toString('hex'));
  });

  test('below() is roughly uniform', () => {
    const random = new SeededRandom('uniform');
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[random.below(3)]!++;
    assert.ok(
      counts.every((n) => n > 900 && n < 1100),
      String(counts),
    );
  });
});
