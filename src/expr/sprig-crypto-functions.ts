import { createDecipheriv, createHash, createHmac, scryptSync } from 'node:crypto';
import { type BuiltinFunction, int, str } from './builtin-arguments.js';

/**
 * sprig's deterministic crypto (crypto.go): digests for cache keys, adler32, `derivePassword`
 * (the Master Password algorithm) and `decryptAES`. `encryptAES`, `bcrypt` and `htpasswd` draw a
 * random IV or salt, so they live with the random functions; key and certificate generation is
 * refused (see refused-sprig-functions.ts).
 */

function hash(algorithm: string): BuiltinFunction {
  return (text) => createHash(algorithm).update(str(text, 1)).digest('hex');
}

/** Adler-32 (hash/adler32) of the UTF-8 bytes, as an unsigned decimal. */
function adler32(text: string): string {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(text, 'utf8')) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return String(b * 65536 + a);
}

/**
 * sprig's AES key: the password's bytes, cut or zero-padded to 32 (AES-256).
 *
 * @example
 * aesKey('secret').length // 32
 */
export function aesKey(password: string): Buffer {
  const key = Buffer.alloc(32);
  Buffer.from(password, 'utf8').copy(key, 0, 0, 32);
  return key;
}

/** AES-256-CBC with the IV in front, base64 (sprig's `decryptAES`); padding is the last byte's count. */
function decryptAes(password: string, encoded: string): string {
  if (encoded === '') return '';
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) throw new Error('illegal base64 data');
  const data = Buffer.from(encoded, 'base64');
  if (data.length < 32 || data.length % 16 !== 0) throw new Error('crypto/cipher: input not full blocks');
  const decipher = createDecipheriv('aes-256-cbc', aesKey(password), data.subarray(0, 16)).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]);
  const padding = plain[plain.length - 1]!;
  if (padding > plain.length) throw new Error('slice bounds out of range');
  return plain.subarray(0, plain.length - padding).toString('utf8');
}

const PASSWORD_TEMPLATES: Readonly<Record<string, readonly string[]>> = {
  maximum: ['anoxxxxxxxxxxxxxxxxx', 'axxxxxxxxxxxxxxxxxno'],
  long: [
    'CvcvnoCvcvCvcv',
    'CvcvCvcvnoCvcv',
    'CvcvCvcvCvcvno',
    'CvccnoCvcvCvcv',
    'CvccCvcvnoCvcv',
    'CvccCvcvCvcvno',
    'CvcvnoCvccCvcv',
    'CvcvCvccnoCvcv',
    'CvcvCvccCvcvno',
    'CvcvnoCvcvCvcc',
    'CvcvCvcvnoCvcc',
    'CvcvCvcvCvccno',
    'CvccnoCvccCvcv',
    'CvccCvccnoCvcv',
    'CvccCvccCvcvno',
    'CvcvnoCvccCvcc',
    'CvcvCvccnoCvcc',
    'CvcvCvccCvccno',
    'CvccnoCvcvCvcc',
    'CvccCvcvnoCvcc',
    'CvccCvcvCvccno',
  ],
  medium: ['CvcnoCvc', 'CvcCvcno'],
  short: ['Cvcn'],
  basic: ['aaanaaan', 'aannaaan', 'aaannaaa'],
  pin: ['nnnn'],
};

const TEMPLATE_CHARACTERS: Readonly<Record<string, string>> = {
  V: 'AEIOU',
  C: 'BCDFGHJKLMNPQRSTVWXYZ',
  v: 'aeiou',
  c: 'bcdfghjklmnpqrstvwxyz',
  A: 'AEIOUBCDFGHJKLMNPQRSTVWXYZ',
  a: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz',
  n: '0123456789',
  o: "@&%?,=[]_:-+*$#!'^~;()/.",
  x: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()',
};

function lengthPrefixed(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** The Master Password algorithm (scrypt, then HMAC-SHA256 picking a template and its characters). */
function derivePassword(counter: number, type: string, password: string, user: string, site: string): string {
  const templates = PASSWORD_TEMPLATES[type];
  if (!templates || !Object.hasOwn(PASSWORD_TEMPLATES, type)) return `cannot find password template ${type}`;
  const scope = Buffer.from('com.lyndir.masterpassword');
  const key = scryptSync(password, Buffer.concat([scope, lengthPrefixed(user)]), 64, { N: 32768, r: 8, p: 2, maxmem: 64 * 1024 * 1024 });
  const count = Buffer.alloc(4);
  count.writeUInt32BE(counter >>> 0);
  const seed = createHmac('sha256', key)
    .update(Buffer.concat([scope, lengthPrefixed(site), count]))
    .digest();
  const template = templates[seed[0]! % templates.length]!;
  return Array.from(template, (kind, i) => {
    const characters = TEMPLATE_CHARACTERS[kind]!;
    return characters[seed[i + 1]! % characters.length];
  }).join('');
}

export const SPRIG_CRYPTO_FUNCTIONS: Readonly<Record<string, BuiltinFunction>> = {
  sha1sum: hash('sha1'),
  sha256sum: hash('sha256'),
  sha512sum: hash('sha512'),
  adler32sum: (text) => adler32(str(text, 1)),
  derivePassword: (counter, type, password, user, site) => derivePassword(int(counter, 1), str(type, 2), str(password, 3), str(user, 4), str(site, 5)),
  decryptAES: (password, encoded) => decryptAes(str(password, 1), str(encoded, 2)),
};
