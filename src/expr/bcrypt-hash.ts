/**
 * bcrypt (Provos and Mazières' eksblowfish), as golang.org/x/crypto/bcrypt computes it for
 * sprig's `bcrypt` and `htpasswd`: version `$2a$`, the password with a NUL byte appended, the
 * salt from the caller. Node's crypto has no Blowfish, so it is here, small and synchronous.
 */

const WORDS = 18 + 4 * 256;
let initial: Uint32Array | undefined;

/**
 * Blowfish starts from the hexadecimal digits of π's fraction: P-array, then the four S-boxes.
 * They are computed once (Machin's formula in integers) rather than pasted as 4 KiB of numbers.
 */
function piWords(): Uint32Array {
  if (initial) return initial;
  const digits = WORDS * 8;
  const guard = 64n;
  const scale = 1n << (BigInt(digits * 4) + guard);
  const arctanInverse = (x: bigint): bigint => {
    let sum = 0n;
    let power = scale / x;
    const square = x * x;
    for (let n = 1n, sign = 1n; power !== 0n; n += 2n, sign = -sign, power /= square) sum += (sign * power) / n;
    return sum;
  };
  const fraction = (16n * arctanInverse(5n) - 4n * arctanInverse(239n) - 3n * scale) >> guard;
  const hex = fraction.toString(16).padStart(digits, '0');
  initial = Uint32Array.from({ length: WORDS }, (_, i) => parseInt(hex.slice(i * 8, i * 8 + 8), 16));
  return initial;
}

class Blowfish {
  readonly p: Uint32Array;
  readonly s: Uint32Array;

  constructor() {
    const words = piWords();
    this.p = words.slice(0, 18);
    this.s = words.slice(18);
  }

  private f(x: number): number {
    const s = this.s;
    return ((((s[x >>> 24]! + s[256 + ((x >>> 16) & 0xff)]!) >>> 0) ^ s[512 + ((x >>> 8) & 0xff)]!) + s[768 + (x & 0xff)]!) >>> 0;
  }

  /** Enciphers the block (left, right) in place in `block`. */
  encrypt(block: Uint32Array, at = 0): void {
    const p = this.p;
    let left = block[at]! ^ p[0]!;
    let right = block[at + 1]!;
    for (let i = 1; i <= 16; i += 2) {
      right ^= this.f(left) ^ p[i]!;
      left ^= this.f(right) ^ p[i + 1]!;
    }
    block[at] = (right ^ p[17]!) >>> 0;
    block[at + 1] = left >>> 0;
  }

  /** Blowfish's key schedule, with eksblowfish's salt mixed into each block when one is given. */
  expand(key: Uint8Array, salt?: Uint8Array): void {
    let k = 0;
    const keyWord = (): number => {
      let word = 0;
      for (let i = 0; i < 4; i++) word = (word << 8) | key[k++ % key.length]!;
      return word >>> 0;
    };
    let n = 0;
    const saltWord = (): number => {
      if (!salt) return 0;
      let word = 0;
      for (let i = 0; i < 4; i++) word = (word << 8) | salt[n++ % salt.length]!;
      return word >>> 0;
    };
    for (let i = 0; i < 18; i++) this.p[i] = (this.p[i]! ^ keyWord()) >>> 0;
    const block = new Uint32Array(2);
    const fill = (target: Uint32Array, length: number): void => {
      for (let i = 0; i < length; i += 2) {
        block[0] = (block[0]! ^ saltWord()) >>> 0;
        block[1] = (block[1]! ^ saltWord()) >>> 0;
        this.encrypt(block);
        target[i] = block[0]!;
        target[i + 1] = block[1]!;
      }
    };
    fill(this.p, 18);
    fill(this.s, 1024);
  }
}

const ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** bcrypt's base64: the standard bit layout with its own alphabet and no padding. */
function encode(bytes: Uint8Array): string {
  return Array.from(Buffer.from(bytes).toString('base64').replace(/=+$/, ''), (c) => ALPHABET[STANDARD.indexOf(c)]).join('');
}

/**
 * The bcrypt hash of `password` with a 16-byte `salt` and `cost` (2^cost rounds of the key
 * schedule). Throws, as Go does, for passwords over 72 bytes and costs outside 4..31.
 *
 * @example
 * bcryptHash('abc', Buffer.alloc(16), 10) // '$2a$10$......................' and 31 characters of hash
 */
export function bcryptHash(password: string, salt: Uint8Array, cost: number): string {
  const bytes = Buffer.from(password, 'utf8');
  if (bytes.length > 72) throw new Error('bcrypt: password length exceeds 72 bytes');
  if (!Number.isInteger(cost) || cost < 4 || cost > 31) throw new Error(`crypto/bcrypt: cost ${cost} is outside allowed inclusive range 4..31`);
  if (salt.length !== 16) throw new Error('bcrypt: the salt must be 16 bytes');
  const key = Buffer.concat([bytes, Buffer.from([0])]);
  const cipher = new Blowfish();
  cipher.expand(key, salt);
  for (let round = 0; round < 2 ** cost; round++) {
    cipher.expand(key);
    cipher.expand(salt);
  }
  const text = Buffer.from('OrpheanBeholderScryDoubt', 'latin1');
  const blocks = new Uint32Array(6);
  for (let i = 0; i < 6; i++) blocks[i] = text.readUInt32BE(i * 4);
  for (let i = 0; i < 64; i++) for (let at = 0; at < 6; at += 2) cipher.encrypt(blocks, at);
  const out = Buffer.alloc(24);
  blocks.forEach((word, i) => out.writeUInt32BE(word, i * 4));
  return `$2a$${String(cost).padStart(2, '0')}$${encode(salt)}${encode(out.subarray(0, 23))}`;
}
