import { describe } from 'node:test';
import { expectValues } from './sprig-cases.js';

// Expected values from sprig's url_test.go.
const parsed = (fields: Record<string, string>): Record<string, string> => ({
  fragment: '',
  host: '',
  hostname: '',
  opaque: '',
  path: '',
  query: '',
  scheme: '',
  userinfo: '',
  ...fields,
});

describe('sprig URL functions', () => {
  expectValues([
    [
      'sprig.urlParse("proto://auth@host:80/path?query#fragment")',
      parsed({ fragment: 'fragment', host: 'host:80', hostname: 'host', path: '/path', query: 'query', scheme: 'proto', userinfo: 'auth' }),
    ],
    ['sprig.urlParse("something")', parsed({ path: 'something' })],
    [
      'sprig.urlParse("proto://user:passwor%20d@host:80/path")',
      parsed({ host: 'host:80', hostname: 'host', path: '/path', scheme: 'proto', userinfo: 'user:passwor%20d' }),
    ],
    [
      'sprig.urlParse("proto://host:80/pa%20th?key=val%20ue")',
      parsed({ host: 'host:80', hostname: 'host', path: '/pa th', query: 'key=val%20ue', scheme: 'proto' }),
    ],
    ['sprig.urlParse("mailto:someone@example.com")', parsed({ scheme: 'mailto', opaque: 'someone@example.com' })],
    ['sprig.urlJoin({fragment: "fragment", host: "host:80", path: "/path", query: "query", scheme: "proto"})', 'proto://host:80/path?query#fragment'],
    ['sprig.urlJoin({host: "host:80", path: "/path", scheme: "proto", userinfo: "ASDJKJSD"})', 'proto://ASDJKJSD@host:80/path'],
    ['sprig.urlJoin({host: "host:80", path: "/pa th", scheme: "proto"})', 'proto://host:80/pa%20th'],
    ['sprig.urlJoin(sprig.urlParse("proto://auth@host:80/path?query#fragment"))', 'proto://auth@host:80/path?query#fragment'],
  ]);
});
