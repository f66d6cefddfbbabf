import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Tests run compiled from dist/test/...; the repository root is found from there. */
export const repoRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!dir.endsWith('/dist') && dir !== '/') dir = dirname(dir);
  return dirname(dir);
})();

export const fixturesDir = resolve(repoRoot, 'test/fixtures');

/** Argo's example corpus, kept beside the project (never copied into it). */
export const argoCorpusDir = resolve(repoRoot, '../shared/anchors/argo');
