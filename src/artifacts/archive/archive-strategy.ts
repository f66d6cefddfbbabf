import { posix } from 'node:path';
import type { Artifact } from '../../spec/model/workflow.js';
import { ArtifactError } from '../artifact-error.js';

/** How an output artifact is stored. */
export type ArchiveKind = 'tar' | 'none' | 'zip';

/** How an input artifact is read: `auto` detects a gzipped tarball, as Argo does when none is declared. */
export type UnarchiveMode = 'auto' | ArchiveKind;

export interface OutputArchive {
  kind: ArchiveKind;
  /** zlib level for tar: -1 is zlib's default (6), 0 stores uncompressed, 9 is smallest. */
  level: number;
}

/**
 * The archive of an output artifact as Argo decides it (executor `stageArchiveFile`): tar+gzip unless
 * `archive: none` or `archive: zip`; `tar.compressionLevel` when given, else gzip's default.
 *
 * @example
 *   outputArchive({ name: 'out', archive: { tar: { compressionLevel: 1 } } }); // { kind: 'tar', level: 1 }
 */
export function outputArchive(artifact: Pick<Artifact, 'name' | 'archive'>): OutputArchive {
  const archive = artifact.archive;
  if (archive?.none) return { kind: 'none', level: 0 };
  if (archive?.zip) return { kind: 'zip', level: 0 };
  const level = archive?.tar?.compressionLevel ?? -1;
  if (!Number.isInteger(level) || level < -1 || level > 9) {
    throw new ArtifactError('config', `artifact ${JSON.stringify(artifact.name)}: tar.compressionLevel must be an integer from -1 to 9, not ${String(level)}`);
  }
  return { kind: 'tar', level };
}

/** How an input artifact is unpacked (executor `unarchiveArtifact`). */
export function unarchiveMode(artifact: Pick<Artifact, 'archive'>): UnarchiveMode {
  const archive = artifact.archive;
  if (archive?.none) return 'none';
  if (archive?.tar) return 'tar';
  if (archive?.zip) return 'zip';
  return 'auto';
}

/**
 * The last part of an output artifact's default key: `<name>.tgz` for tar, `<name>.zip` for zip,
 * and the file or directory's own name for `archive: none` (so a directory's files land under
 * `<key>/<its name>/...`).
 *
 * @example
 *   archiveFileName({ name: 'result', path: '/tmp/out/result.json' }, 'none'); // 'result.json'
 */
export function archiveFileName(artifact: Pick<Artifact, 'name' | 'path'>, kind: ArchiveKind): string {
  if (kind === 'tar') return `${artifact.name}.tgz`;
  if (kind === 'zip') return `${artifact.name}.zip`;
  const base = posix.basename((artifact.path ?? '').replace(/\/+$/, ''));
  if (!base) throw new ArtifactError('config', `artifact ${JSON.stringify(artifact.name)} did not specify a path`);
  return base;
}

export function zipUnsupported(name: string): ArtifactError {
  return new ArtifactError('unsupported', `artifact ${JSON.stringify(name)}: archive: zip is not supported by Skiff; use tar (the default) or none`);
}
