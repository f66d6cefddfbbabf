import { describe } from 'node:test';
import { expectErrors, expectValues } from './sprig-cases.js';

// Expected values from sprig's semver_test.go and Masterminds/semver's constraints_test.go.
describe('sprig semver functions', () => {
  expectValues([
    ['sprig.semverCompare("1.2.3", "1.2.3")', true],
    ['sprig.semverCompare("^1.2.0", "1.2.3")', true],
    ['sprig.semverCompare("^1.2.0", "2.2.3")', false],
    ['sprig.semverCompare(">= 1.2, < 3.0.0", "2.9.9")', true],
    ['sprig.semverCompare(">=1.2 <3", "3.0.0")', false],
    ['sprig.semverCompare("~1.2.3", "1.2.9")', true],
    ['sprig.semverCompare("~1.2.3", "1.3.0")', false],
    ['sprig.semverCompare("1.2.x", "1.2.7")', true],
    ['sprig.semverCompare("1.2 - 1.4.5", "1.4.5")', true],
    ['sprig.semverCompare("1.2 - 1.4.5", "1.4.6")', false],
    ['sprig.semverCompare("^0.2.3", "0.3.0")', false],
    ['sprig.semverCompare("^0.0.3", "0.0.3")', true],
    ['sprig.semverCompare(">1.0.0", "1.1.0-beta")', false],
    ['sprig.semverCompare(">1.0.0-alpha", "1.1.0-beta")', true],
    ['sprig.semverCompare("<1.0 || >=2.1", "2.1.0")', true],
    ['sprig.semverCompare("*", "5.0.0")', true],
    ['sprig.semverCompare("!=1.2.3", "1.2.4")', true],
    ['sprig.semverCompare("*", "1.2.3")', true],
    ['sprig.semverCompare("0.x.x", "1.2.3")', false],
    ['sprig.semverCompare("^0.0.0", "1.2.3")', false],
    ['sprig.semverCompare("4.1.x", "4.1.3")', true],
    ['sprig.semverCompare("1.x", "1.4")', true],
    ['sprig.semverCompare("!=4.1-alpha", "4.1.1-alpha")', false],
    ['sprig.semverCompare("!=4.x", "4.1.0")', false],
    ['sprig.semverCompare("!=4.1.x", "4.2.0")', true],
    ['sprig.semverCompare("<1.x", "1.1.1")', false],
    ['sprig.semverCompare("<1.1.x", "1.0.500")', true],
    ['sprig.semverCompare(">=1.1", "4.1.0-beta")', false],
    ['sprig.semverCompare("<=1.1-a", "0.1.0-alpha")', true],
    ['sprig.semverCompare("<=2.x", "3.0.0")', false],
    ['sprig.semverCompare("<=1.1.x", "1.2.500")', false],
    ['sprig.semverCompare(">=1.1 <2 !=1.2.3 || > 3", "4.1.2")', true],
    ['sprig.semverCompare(">   1.1, <2", "1.2.1")', true],
    ['sprig.semverCompare("~0.0.0", "1.2.3")', true],
    ['sprig.semver("1.2.3-beta.1+c0ff33").Prerelease()', 'beta.1'],
    ['sprig.semver("1.2.3-beta.1+c0ff33").Major()', 1],
    ['sprig.semver("v1.2").String()', '1.2.0'],
    ['sprig.semver("1.2.3").Compare(sprig.semver("1.2.3"))', 0],
    ['sprig.semver("1.3.3").Compare(sprig.semver("1.2.3"))', 1],
    ['sprig.semver("1.2.3").Compare(sprig.semver("1.4.3"))', -1],
    ['sprig.semver("1.0.0-alpha.1").Compare(sprig.semver("1.0.0-alpha.beta"))', -1],
  ]);
  expectErrors([
    ['sprig.semverCompare("1.2.0", "badVersion")', /Invalid Semantic Version/],
    ['sprig.semverCompare("badConstraint", "1.2.3")', /improper constraint/],
  ]);
});
