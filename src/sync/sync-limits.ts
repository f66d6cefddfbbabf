import { SOURCE_LIMITS } from '../spec/source/parse-source-file.js';

/**
 * Bounds on what a sync reads from a repository. Pull requests from forks are untrusted, so every
 * read is bounded before it happens where git allows it, and right after where it does not. The
 * per-file and per-document bounds of `skiff lint` (SOURCE_LIMITS) apply on top.
 */
export interface SyncLimits {
  /** Bytes of one manifest file; the lint's own limit, so a file sync accepts is one lint parses. */
  maxFileBytes: number;
  /** Manifest files selected by the config's paths and globs. */
  maxFiles: number;
  /** Tree entries walked under the config's paths (directories and skipped files included). */
  maxTreeEntries: number;
  /** Bytes of all manifest files together. */
  maxTotalBytes: number;
  /** Bytes of the repository config file. */
  maxConfigBytes: number;
}

export const SYNC_LIMITS: SyncLimits = {
  maxFileBytes: SOURCE_LIMITS.maxFileBytes,
  maxFiles: 1000,
  maxTreeEntries: 20_000,
  maxTotalBytes: 64 * 1024 * 1024,
  maxConfigBytes: 64 * 1024,
};
