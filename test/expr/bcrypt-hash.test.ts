import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bcryptHash } from '../../src/expr/bcrypt-hash.js';
import { evaluateExpression } from '../../src/expr/expression-evaluator.js';

// Vectors from OpenBSD's and John the Ripper's bcrypt tests (the salt is the 22 characters after
// the cost); the last one computed by libxcrypt's crypt(3).
const ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const saltOf = (hash: string): Buffer => Buffer.from(Array.from(hash.slice(7, 29), (c) => STANDARD[ALPHABET.indexOf(c)]).join(''), 'base64');

for (const [password, hash] of [
  ['U*U', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
  ['', '$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.'],
  ['abc', '$2a$10$abcdefghijklmnopqrstuuIKf86pdcwpO2sVQ5UzC4OF.Xfw8WGTS'],
] as const) {
  test(`bcrypt of ${JSON.stringify(password)} is ${hash}`, () => {
    assert.equal(bcryptHash(password, saltOf(hash), Number(hash.slice(4, 6))), hash);
  });
}

test('bcrypt refuses what Go refuses', () => {
  assert.throws(() => bcryptHash('x'.repeat(73), Buffer.alloc(16), 4), /password length exceeds 72 bytes/);
  assert.throws(() => bcryptHash('x', Buffer.alloc(16), 3), /outside allowed inclusive range 4\.\.31/);
});

test('sprig.bcrypt and sprig.htpasswd: a seeded salt, cost 10, Go error text as the value', () => {
  const options = { seed: 'run/node' };
  const hash = evaluateExpression('sprig.bcrypt("abc")', {}, options) as string;
  assert.match(hash, /^\$2a\$10\$[./A-Za-z0-9]{53}$/);
  assert.equal(bcryptHash('abc', saltOf(hash), 10), hash, 'the hash verifies against its own salt');
  assert.equal(evaluateExpression('sprig.bcrypt("abc")', {}, options), hash, 'the same seed, the same salt');
  assert.match(evaluateExpression('sprig.htpasswd("bob", "abc")', {}, options) as string, /^bob:\$2a\$10\$/);
  assert.equal(evaluateExpression('sprig.htpasswd("bob", "abc", "sha")', {}, options), 'bob:{SHA}qZk+NkcGgWq6PiVxeFDCbJzQ2J0=');
  assert.equal(evaluateExpression('sprig.htpasswd("b:ob", "abc")', {}, options), 'invalid username: b:ob');
  assert.match(
    evaluateExpression(`sprig.bcrypt("${'x'.repeat(73)}")`, {}, options) as string,
    /^failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes$/,
  );
});
