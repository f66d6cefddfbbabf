import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The page's own files, in src/web/ of the package (this file is compiled into dist/src/server/run-page/). */
const WEB_DIR = fileURLToPath(new URL('../../../../src/web/', import.meta.url));

const ASSETS: Record<string, string> = {
  'run-page.js': 'text/javascript; charset=utf-8',
  'run-page.css': 'text/css; charset=utf-8',
};

const cache = new Map<string, Buffer>();

/** One of the page's files by name, or undefined for any other name (nothing else of the folder is served). */
export async function webAsset(name: string): Promise<{ type: string; body: Buffer } | undefined> {
  const type = ASSETS[name];
  if (type === undefined) return undefined;
  let body = cache.get(name);
  if (!body) {
    body = await readFile(`${WEB_DIR}${name}`);
    cache.set(name, body);
  }
  return { type, body };
}
