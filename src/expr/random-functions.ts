import { createCipheriv, createHash } from 'node:crypto';
import { bcryptHash } from './bcrypt-hash.js';
import { int, str } from './builtin-arguments.js';
import type { SeededRandom } from './seeded-random.js';
import { aesKey } from './sprig-crypto-functions.js';

/**
 * sprig's random functions (`randAlphaNum`, `uuidv4`, `shuffle`, ...), and those that draw a salt
 * or an IV (`bcrypt`, `htpasswd`, `encryptAES`). They draw from the seeded
 * stream the caller provides (the `seed` option of `evaluateExpression` and `substituteTemplate`),
 * never from the machine: the engine seeds each node with the run and the node's name, so a
 * node's values survive a restart and a retry attempt, a new node, gets new ones. Without a seed
 * they fail, as `now()` does without a clock.
 */

/** A function that draws randomness (`undefined` when the caller gave no seed). */
export type RandomFunction = (random: SeededRandom | undefined, ...args: unknown[]) => unknown;

/**
 * The caller's random stream, or the error that says it gave none.
 *
 * @example
 * requireRandom(undefined) // throws "random values need a seed, ..."
 */
export function requireRandom(random: SeededRandom | undefined): SeededRandom {
  if (!random) throw new Error('random values need a seed, and none was given (the caller passes it as the `seed` option)');
  return random;
}

// Longer strings than this are a mistake, and would hold the evaluator up.
const MAX_LENGTH = 1_000_000;

const ALPHA = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ASCII = Array.from({ length: 127 - 32 }, (_, i) => String.fromCharCode(32 + i)).join('');

/** goutils' CryptoRandom* through sprig: a negative count is swallowed into "". */
function randomString(characters: string): (random: SeededRandom | undefined, ...args: unknown[]) => string {
  return (random, count) => {
    const length = int(count, 1);
    if (length > MAX_LENGTH) throw new Error(`a random string of ${length} characters is too long`);
    const source = requireRandom(random);
    let out = '';
    for (let i = 0; i < length; i++) out += characters[source.below(characters.length)];
    return out;
  };
}

function uuid(random: SeededRandom | undefined): string {
  const bytes = requireRandom(random).bytes(16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** sprig's `encryptAES`: AES-256-CBC, PKCS#7 padding, a random IV in front, base64. */
function encryptAes(random: SeededRandom | undefined, password: string, plaintext: string): string {
  if (plaintext === '') return '';
  const iv = requireRandom(random).bytes(16);
  const cipher = createCipheriv('aes-256-cbc', aesKey(password), iv);
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

// golang.org/x/crypto/bcrypt's DefaultCost, which sprig uses.
const BCRYPT_COST = 10;

/** sprig's `bcrypt`: a random salt, and Go's error as the value when the password is too long. */
function bcrypt(random: SeededRandom | undefined, password: string): string {
  const salt = requireRandom(random).bytes(16);
  try {
    return bcryptHash(password, salt, BCRYPT_COST);
  } catch (error) {
    return `failed to encrypt string with bcrypt: ${(error as Error).message}`;
  }
}

export const SPRIG_RANDOM_FUNCTIONS: Readonly<Record<string, RandomFunction>> = {
  randAlphaNum: randomString(ALPHA + DIGITS),
  randAlpha: randomString(ALPHA),
  randNumeric: randomString(DIGITS),
  randAscii: randomString(ASCII),
  randBytes: (random, count) => {
    const length = int(count, 1);
    if (length < 0) throw new Error('makeslice: len out of range');
    if (length > MAX_LENGTH) throw new Error(`${length} random bytes are too many`);
    return requireRandom(random).bytes(length).toString('base64');
  },
  randInt: (random, min, max) => {
    const span = int(max, 2) - int(min, 1);
    if (span <= 0) throw new Error('invalid argument to Intn');
    return requireRandom(random).below(span) + int(min, 1);
  },
  uuidv4: (random) => uuid(random),
  shuffle: (random, text) => {
    const runes = Array.from(str(text, 1));
    const source = requireRandom(random);
    for (let i = runes.length - 1; i > 0; i--) {
      const j = source.below(i + 1);
      [runes[i], runes[j]] = [runes[j]!, runes[i]!];
    }
    return runes.join('');
  },
  encryptAES: (random, password, plaintext) => encryptAes(random, str(password, 1), str(plaintext, 2)),
  bcrypt: (random, password) => bcrypt(random, str(password, 1)),
  htpasswd: (random, username, password, algorithm) => {
    const [user, secret] = [str(username, 1), str(password, 2)];
    if (user.includes(':')) return `invalid username: ${user}`;
    if (algorithm === 'sha') return `${user}:{SHA}${createHash('sha1').update(secret).digest('base64')}`;
    return `${user}:${bcrypt(random, secret)}`;
  },
};
