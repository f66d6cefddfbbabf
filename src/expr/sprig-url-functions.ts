import { type BuiltinFunction, map, str } from './builtin-arguments.js';
import { goKindOf } from './sprig-values.js';

/**
 * sprig's `urlParse` and `urlJoin`: a URL as a dict of Go's `url.URL` fields (`scheme`, `host`,
 * `hostname`, `path` unescaped, `query` raw, `opaque`, `fragment`, `userinfo`) and back.
 */

function unescapeUrl(text: string, what: string): string {
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) throw new Error(`unable to parse url: invalid URL escape in ${what}`);
  return Buffer.from(
    text.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  ).toString('utf8');
}

function parseUrl(text: string): Record<string, string> {
  const match = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(.*)$/s.exec(text)!;
  const scheme = (match[1] ?? '').toLowerCase();
  let rest = match[2]!;
  let fragment = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) [rest, fragment] = [rest.slice(0, hash), unescapeUrl(rest.slice(hash + 1), 'fragment')];
  let query = '';
  const question = rest.indexOf('?');
  if (question >= 0) [rest, query] = [rest.slice(0, question), rest.slice(question + 1)];
  const out = { scheme, host: '', hostname: '', path: '', query, opaque: '', fragment, userinfo: '' };
  if (scheme !== '' && !rest.startsWith('/')) return { ...out, opaque: rest };
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    let authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash < 0 ? '' : rest.slice(slash);
    const at = authority.lastIndexOf('@');
    if (at >= 0) [out.userinfo, authority] = [authority.slice(0, at), authority.slice(at + 1)];
    out.host = authority;
    out.hostname = authority.startsWith('[') ? authority.slice(1, authority.indexOf(']')) : authority.replace(/:[0-9]*$/, '');
  }
  out.path = unescapeUrl(rest, 'path');
  return out;
}

// Go's url.shouldEscape for paths and fragments: unreserved characters and sub-delimiters stay.
const escapeWith = (text: string, keep: RegExp): string =>
  Array.from(text, (c) => (keep.test(c) ? c : [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''))).join('');

function field(d: Record<string, unknown>, key: string): string {
  if (!Object.hasOwn(d, key)) return '';
  const value = d[key];
  if (typeof value !== 'string') throw new Error(`unable to parse ${key} key, must be of type string, but ${goKindOf(value)} found`);
  return value;
}

/** Go's `url.URL.String()` for the fields sprig's `urlJoin` sets. */
function joinUrl(d: Record<string, unknown>): string {
  const [scheme, host, path, query, opaque, fragment, userinfo] = ['scheme', 'host', 'path', 'query', 'opaque', 'fragment', 'userinfo'].map((k) =>
    field(d, k),
  ) as string[];
  let out = scheme ? `${scheme}:` : '';
  if (opaque) out += opaque;
  else {
    if (scheme || host || userinfo) {
      if (host || path || userinfo) out += '//';
      if (userinfo) out += `${userinfo}@`;
      out += host;
    }
    const escaped = escapeWith(path!, /[A-Za-z0-9\-_.~$&+,/:;=@]/);
    if (escaped !== '' && !escaped.startsWith('/') && host) out += '/';
    if (out === '' && /^[^/]*:/.test(escaped)) out += './';
    out += escaped;
  }
  if (query) out += `?${query}`;
  if (fragment) out += `#${escapeWith(fragment, /[A-Za-z0-9\-_.~$&+,/:;=@!()*?]/)}`;
  return out;
}

export const SPRIG_URL_FUNCTIONS: Readonly<Record<string, BuiltinFunction>> = {
  urlParse: (text) => parseUrl(str(text, 1)),
  urlJoin: (d) => joinUrl(map(d, 1)),
};
