import { describe } from 'node:test';
import { expectValues } from './sprig-cases.js';

// Expected values from Go's path package tests (path.Clean, Dir, Base, IsAbs) and sprig's paths_test.go.
describe('sprig path functions', () => {
  expectValues([
    ['sprig.clean("")', '.'],
    ['sprig.clean("a//b/../c/.")', 'a/c'],
    ['sprig.clean("/../a")', '/a'],
    ['sprig.clean("../../a/..")', '../..'],
    ['sprig.clean("foo/bar/../baz")', 'foo/baz'],
    ['sprig.osClean("/a/b/")', '/a/b'],
    ['sprig.dir("foo/bar/baz")', 'foo/bar'],
    ['sprig.dir("/a/b.txt")', '/a'],
    ['sprig.dir("a")', '.'],
    ['sprig.dir("/")', '/'],
    ['sprig.osDir("x//y/")', 'x/y'],
    ['sprig.osBase("foo/bar/baz")', 'baz'],
    ['sprig.base("/")', '/'],
    ['sprig.osExt("a/b.tar.gz")', '.gz'],
    ['sprig.isAbs("/a")', true],
    ['sprig.osIsAbs("a")', false],
  ]);
});
