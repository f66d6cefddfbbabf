import { describe } from 'node:test';
import { expectErrors, expectValues } from './sprig-cases.js';

// Expected values from sprig's regex_test.go.
const group1 = ['$', '{1}'].join(''); // Go's `${1}`, spelt so it does not read as a template string

describe('sprig regex functions', () => {
  expectValues([
    ['sprig.mustRegexMatch("^[a-z]+$", "abc")', true],
    ['sprig.regexMatch("(", "x")', false],
    ['sprig.mustRegexFind("a(b+)", "xabbbc")', 'abbb'],
    ['sprig.mustRegexFindAll("a.", "abacad", -1)', ['ab', 'ac', 'ad']],
    ['sprig.mustRegexFindAll("a.", "abacad", 2)', ['ab', 'ac']],
    ['sprig.regexFindAll("z", "abc", -1)', null],
    [`sprig.mustRegexReplaceAll("a(x*)b", "-ab-axxb-", "${group1}W")`, '-W-xxW-'],
    [`sprig.mustRegexReplaceAllLiteral("a(x*)b", "-ab-axxb-", "${group1}")`, `-${group1}-${group1}-`],
    ['sprig.mustRegexSplit("z+", "pizza", -1)', ['pi', 'a']],
    ['sprig.mustRegexSplit("z+", "pizza", 0)', null],
    ['sprig.mustRegexSplit("z+", "pizza", 1)', ['pizza']],
    ['sprig.mustRegexSplit("z+", "pizza", 2)', ['pi', 'a']],
    ['sprig.regexSplit("a", "banana", 2)', ['b', 'nana']],
  ]);
  expectErrors([
    ['sprig.mustRegexFind("(", "x")', /error parsing regexp/],
    ['sprig.mustRegexReplaceAll("[", "x", "y")', /error parsing regexp/],
  ]);
});
