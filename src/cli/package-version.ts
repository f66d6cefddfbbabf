import { createRequire } from 'node:module';

/** The package's version, from package.json in the source tree or the compiled one. */
export function packageVersion(): string {
  const require = createRequire(import.meta.url);
  for (const candidate of ['../../package.json', '../../../package.json']) {
    try {
      return (require(candidate) as { version: string }).version;
    } catch {
      // try the next layout (source tree or compiled tree)
    }
  }
  return 'unknown';
}
