import { posix } from 'node:path';
import { ArtifactError } from '../artifact-error.js';

/**
 * Whether a symbolic link at `linkPath` (a `/`-separated path inside a tree) with target `target`
 * names something inside `root` (a path in the same tree; `''` for the whole tree), judged on the
 * names alone, without touching the disk: an absolute or empty target never stays inside, a
 * relative one stays inside when its `..` do not climb above `root`. Packing an output and
 * extracting an input apply the same rule, so what one stores the other accepts.
 *
 * @example
 *   linkStaysInside('out/sub/a', '../b', 'out'); // true: out/b
 *   linkStaysInside('out/sub/a', '../../etc/passwd', 'out'); // false
 *   linkStaysInside('out/a', '/etc/passwd', 'out'); // false
 */
export function linkStaysInside(linkPath: string, target: string, root: string): boolean {
  if (target === '' || target.startsWith('/')) return false;
  const resolved = posix.normalize(posix.join(posix.dirname(linkPath), target));
  if (root === '') return resolved !== '..' && !resolved.startsWith('../');
  return resolved === root || resolved.startsWith(`${root}/`);
}

/** The refusal of a link inside an artifact that does not stay inside it; `relative` is its path under the artifact. */
export function linkOutsideError(relative: string, target: string): ArtifactError {
  return new ArtifactError('unsafe', `${JSON.stringify(relative)} is a link to ${JSON.stringify(target)}, outside the artifact`);
}

/** The refusal of an artifact whose own path is a link: a reader that follows it would read what the link names. */
export function rootLinkError(path: string, target: string): ArtifactError {
  return new ArtifactError('unsafe', `${path} is a link to ${JSON.stringify(target)}, which is not followed`);
}
