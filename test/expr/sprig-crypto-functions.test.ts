import { describe } from 'node:test';
import { expectErrors, expectValues } from './sprig-cases.js';

// Expected values from sprig's crypto_test.go.
describe('sprig crypto functions', () => {
  expectValues([
    [
      'sprig.sha512sum("abc")',
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    ],
    ['sprig.adler32sum("abc")', '38600999'],
    ['sprig.adler32sum("")', '1'],
    ['sprig.derivePassword(1, "long", "password", "user", "example.com")', 'ZedaFaxcZaso9*'],
    ['sprig.derivePassword(2, "long", "password", "user", "example.com")', 'Fovi2@JifpTupx'],
    ['sprig.derivePassword(1, "maximum", "password", "user", "example.com")', 'pf4zS1LjCg&LjhsZ7T2~'],
    ['sprig.derivePassword(1, "pin", "password", "user", "example.com")', '6685'],
    ['sprig.derivePassword(1, "nope", "password", "user", "example.com")', 'cannot find password template nope'],
    ['sprig.decryptAES("secretkey", "")', ''],
  ]);
  expectErrors([
    ['sprig.genCA("x", 365)', /sprig\.genCA is not offered: .*Secret/],
    ['sprig.getHostByName("example.com")', /without network access/],
    ['sprig.expandenv("$HOME")', /Argo leaves it out/],
    ['sprig.decryptAES("k", "AAAA")', /input not full blocks/],
  ]);
});
