import { type BuiltinFunction, str } from './builtin-arguments.js';
import { GO_STRINGER } from './go-values.js';

/**
 * sprig's `semver` and `semverCompare`, with Masterminds/semver v3's rules: lenient versions
 * (`v1.2` is 1.2.0), ranges joined by `,` or spaces (and) and `||` (or), wildcards (`1.2.x`),
 * hyphen ranges, `~` and `^`, and no prerelease matching a range that names none.
 */

interface Version {
  major: number;
  minor: number;
  patch: number;
  prerelease: string;
  metadata: string;
  original: string;
}

const VERSION = /^v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/**
 * Parses a version as semver's `NewVersion`; throws "Invalid Semantic Version".
 *
 * @example
 * parseVersion('v1.2-beta.1') // { major: 1, minor: 2, patch: 0, prerelease: 'beta.1', ... }
 */
export function parseVersion(text: string): Version {
  const match = VERSION.exec(text);
  if (!match) throw new Error('Invalid Semantic Version');
  const [major, minor, patch] = [match[1], match[2], match[3]].map((part) => Number(part ?? 0)) as [number, number, number];
  return { major, minor, patch, prerelease: match[4] ?? '', metadata: match[5] ?? '', original: text };
}

function comparePrerelease(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '') return 1;
  if (b === '') return -1;
  const [left, right] = [a.split('.'), b.split('.')];
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const [x, y] = [left[i], right[i]];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const [xNumeric, yNumeric] = [/^[0-9]+$/.test(x), /^[0-9]+$/.test(y)];
    if (xNumeric && yNumeric && Number(x) !== Number(y)) return Number(x) < Number(y) ? -1 : 1;
    if (xNumeric !== yNumeric) return xNumeric ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Semantic-version precedence: -1, 0 or 1; a prerelease comes before its release.
 *
 * @example
 * compareVersions(parseVersion('1.0.0-rc.1'), parseVersion('1.0.0')) // -1
 */
export function compareVersions(a: Version, b: Version): number {
  for (const key of ['major', 'minor', 'patch'] as const) if (a[key] !== b[key]) return a[key] < b[key] ? -1 : 1;
  return comparePrerelease(a.prerelease, b.prerelease);
}

interface Constraint {
  operator: string;
  version: Version;
  /** semver's flags for wildcards or parts left out: `dirty` for any, `minorDirty` for `1` or `1.x`, `patchDirty` for `1.2`. */
  dirty: boolean;
  minorDirty: boolean;
  patchDirty: boolean;
}

const WILDCARD = /^[xX*]$/;

function parseConstraint(text: string): Constraint {
  const match = /^(!=|>=|=>|<=|=<|~>|[=><~^])?\s*v?([0-9xX*]+)(?:\.([0-9xX*]+))?(?:\.([0-9xX*]+))?((?:-|\+)[0-9A-Za-z.+-]*)?$/.exec(text.trim());
  if (!match) throw new Error(`improper constraint: ${JSON.stringify(text)}`);
  const [major, minor, patch, rest = ''] = [match[2]!, match[3], match[4], match[5]];
  const free = (part: string | undefined): boolean => part === undefined || WILDCARD.test(part);
  let flags = { dirty: false, minorDirty: false, patchDirty: false };
  let version: string;
  if (free(major)) [flags, version] = [{ ...flags, dirty: true }, `0.0.0${rest}`];
  else if (free(minor)) [flags, version] = [{ ...flags, dirty: true, minorDirty: true }, `${major}.0.0${rest}`];
  else if (free(patch)) [flags, version] = [{ ...flags, dirty: true, patchDirty: true }, `${major}.${minor}.0${rest}`];
  else version = `${major}.${minor}.${patch}${rest}`;
  const operator = { '=>': '>=', '=<': '<=', '~>': '~' }[match[1] ?? ''] ?? match[1] ?? '=';
  return { operator, version: parseVersion(version), ...flags };
}

function tilde(v: Version, c: Constraint): boolean {
  const con = c.version;
  if (compareVersions(v, con) < 0) return false;
  // `~0`, `~*`: anything at all.
  if (con.major === 0 && con.minor === 0 && con.patch === 0 && !c.minorDirty && !c.patchDirty) return true;
  return v.major === con.major && (v.minor === con.minor || c.minorDirty);
}

/** One constraint, as Masterminds/semver's constraint functions decide it (prereleases are checked by the caller). */
function satisfies(v: Version, c: Constraint): boolean {
  const con = c.version;
  const cmp = compareVersions(v, con);
  switch (c.operator) {
    case '=':
      return c.dirty ? tilde(v, c) : cmp === 0;
    case '!=':
      if (c.dirty) {
        if (con.major !== v.major) return true;
        if (c.minorDirty) return false;
        if (con.minor !== v.minor) return true;
        if (c.patchDirty) return comparePrerelease(v.prerelease, con.prerelease) !== 0;
      }
      return cmp !== 0;
    case '>':
      if (!c.dirty || (v.major === con.major && !c.minorDirty && !c.patchDirty)) return cmp > 0;
      if (v.major !== con.major) return v.major > con.major;
      return c.patchDirty && v.minor > con.minor;
    case '<':
      return cmp < 0;
    case '>=':
      return cmp >= 0;
    case '<=':
      if (!c.dirty) return cmp <= 0;
      return !(v.major > con.major || (v.major === con.major && v.minor > con.minor && !c.minorDirty));
    case '~':
      return tilde(v, c);
    default: // '^'
      if (cmp < 0) return false;
      if (con.major > 0 || c.minorDirty) return v.major === con.major;
      if (v.major > 0) return false;
      if (con.minor > 0 || c.patchDirty) return v.minor === con.minor;
      return v.minor === 0 && v.patch === con.patch;
  }
}

/**
 * An and-group holds a prerelease version only if one of its constraints names a prerelease
 * (`>=1.2.0-0`); otherwise prereleases never match.
 */
function groupAccepts(v: Version, group: Constraint[]): boolean {
  if (v.prerelease !== '' && !group.some((c) => c.version.prerelease !== '')) return false;
  return group.every((c) => satisfies(v, c));
}

/** Parses `>=1.2 <2 || ^3` into or-groups of and-ed constraints; hyphen ranges become `>=a, <=b`. */
function parseRange(text: string): Constraint[][] {
  return text.split('||').map((group) => {
    const normalised = group
      .trim()
      .replace(/(\S+)\s+-\s+(\S+)/g, '>=$1,<=$2')
      .replace(/(!=|>=|=>|<=|=<|~>|[=><~^])\s+/g, '$1');
    const parts = normalised.split(/[\s,]+/).filter((part) => part !== '');
    if (parts.length === 0) throw new Error(`improper constraint: ${JSON.stringify(group)}`);
    return parts.map(parseConstraint);
  });
}

// The version behind each value `semver()` returned, for its `Compare` method.
const VERSIONS = new WeakMap<object, Version>();

/** What `sprig.semver(text)` returns: Go's `*semver.Version` methods (`.Major()`, `.Compare(other)`, ...). */
function versionValue(v: Version): Record<string, unknown> {
  const text = `${v.major}.${v.minor}.${v.patch}${v.prerelease ? `-${v.prerelease}` : ''}${v.metadata ? `+${v.metadata}` : ''}`;
  const methods: Record<string, (...args: unknown[]) => unknown> = {
    Major: () => v.major,
    Minor: () => v.minor,
    Patch: () => v.patch,
    Prerelease: () => v.prerelease,
    Metadata: () => v.metadata,
    Original: () => v.original,
    String: () => text,
    Compare: (other: unknown) => {
      const theirs = typeof other === 'object' && other !== null ? VERSIONS.get(other) : undefined;
      if (!theirs) throw new Error('Compare() needs a version made by semver()');
      return compareVersions(v, theirs);
    },
  };
  // Methods are not fields: a version prints, and marshals, as its text, as Go's does.
  const value: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(methods)) Object.defineProperty(value, name, { value: method, enumerable: false });
  Object.defineProperty(value, GO_STRINGER, { value: () => text, enumerable: false });
  VERSIONS.set(value, v);
  return value;
}

export const SPRIG_SEMVER_FUNCTIONS: Readonly<Record<string, BuiltinFunction>> = {
  semver: (text) => versionValue(parseVersion(str(text, 1))),
  semverCompare: (range, text) => {
    const groups = parseRange(str(range, 1));
    const version = parseVersion(str(text, 2));
    return groups.some((group) => groupAccepts(version, group));
  },
};
