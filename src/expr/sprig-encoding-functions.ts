import { type BuiltinFunction, str } from './builtin-arguments.js';
import { goJson } from './go-values.js';

/**
 * sprig's encodings: base64, base32 and JSON. As in sprig, `toJson` and `fromJson` swallow
 * errors (an empty string, nil) and their `must` variants report them; a failed decode of
 * base64 or base32 returns Go's error text as the value.
 */

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 with padding (Go's base32.StdEncoding). */
function base32Encode(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out.padEnd(Math.ceil(out.length / 8) * 8, '=');
}

function base32Decode(text: string): string {
  const input = text.replace(/[\r\n]/g, '');
  const padding = /=*$/.exec(input)![0].length;
  const body = input.slice(0, input.length - padding);
  const bad = body.search(/[^A-Z2-7]/);
  // Go accepts only whole 8-character blocks with 0, 1, 3, 4 or 6 padding characters.
  if (bad >= 0 || input.length % 8 !== 0 || ![0, 1, 3, 4, 6].includes(padding)) {
    return `illegal base32 data at input byte ${bad >= 0 ? bad : Math.max(0, input.length - padding)}`;
  }
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of body) {
    value = (value << 5) | BASE32.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  return Buffer.from(bytes).toString('utf8');
}

function base64Decode(text: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    const bad = text.search(/[^A-Za-z0-9+/=]/);
    return `illegal base64 data at input byte ${bad < 0 ? Math.floor(text.length / 4) * 4 : bad}`;
  }
  return Buffer.from(text, 'base64').toString('utf8');
}

const rawJson = (v: unknown): string =>
  goJson(v)
    .replace(/\\u003c/g, '<')
    .replace(/\\u003e/g, '>')
    .replace(/\\u0026/g, '&');

function swallowing(encode: (v: unknown) => string): BuiltinFunction {
  return (v) => {
    try {
      return encode(v);
    } catch {
      return '';
    }
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`invalid JSON: ${(error as Error).message}`);
  }
}

export const SPRIG_ENCODING_FUNCTIONS: Readonly<Record<string, BuiltinFunction>> = {
  b64enc: (s) => Buffer.from(str(s, 1), 'utf8').toString('base64'),
  b64dec: (s) => base64Decode(str(s, 1)),
  b32enc: (s) => base32Encode(Buffer.from(str(s, 1), 'utf8')),
  b32dec: (s) => base32Decode(str(s, 1)),
  toJson: swallowing((v) => goJson(v)),
  mustToJson: (v) => goJson(v),
  toPrettyJson: swallowing((v) => goJson(v, '  ')),
  mustToPrettyJson: (v) => goJson(v, '  '),
  toRawJson: swallowing(rawJson),
  mustToRawJson: (v) => rawJson(v),
  fromJson: (s) => {
    try {
      return parseJson(str(s, 1));
    } catch {
      return null;
    }
  },
  mustFromJson: (s) => parseJson(str(s, 1)),
};
