import assert from 'node:assert/strict';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { argoCorpusDir } from '../helpers/paths.js';
import { skiff, workspace } from '../cli/run-cli.js';

const SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: token
data:
  token: c2VjcmV0
`;

const LOCKED = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: locked-
spec:
  entrypoint: main
  synchronization:
    mutex:
      name: one-at-a-time
  templates:
  - name: main
    container: {image: busybox, command: [echo, hi]}
`;

/** Every file and folder under `root`, with its mode, the root itself first. */
function walk(root: string, at = root): Array<{ path: string; mode: number; folder: boolean }> {
  const stat = lstatSync(at);
  const entries = [{ path: relative(root, at) || '.', mode: stat.mode & 0o777, folder: stat.isDirectory() }];
  if (stat.isDirectory()) for (const name of readdirSync(at)) entries.push(...walk(root, join(at, name)));
  return entries;
}

test('every file the state layer writes is 0600 and every folder 0700, the state directory included', async () => {
  const dir = workspace({
    'secret.yaml': SECRET,
    'locked.yaml': LOCKED,
    'memoized.yaml': readFileSync(resolve(argoCorpusDir, 'examples', 'memoize-simple.yaml'), 'utf8'),
    'hang.yaml': LOCKED.replace('locked-', 'hang-').replace(/synchronization:\n {4}mutex:\n {6}name: one-at-a-time\n {2}/, ''),
  });
  const hang = { SKIFF_INSTANT_SCRIPT: '{"main": {"hang": true}}' };
  assert.equal((await skiff(dir, ['apply', 'secret.yaml'])).status, 0);
  assert.equal((await skiff(dir, ['submit', 'locked.yaml', '--wait'])).status, 0);
  assert.equal((await skiff(dir, ['submit', 'memoized.yaml', '--wait'])).status, 0);
  // A run in the background: its driver's log, its lease, a request to it.
  const background = (await skiff(dir, ['submit', 'hang.yaml'], { env: hang })).stdout.trim();
  assert.equal((await skiff(dir, ['terminate', background], { env: hang })).status, 0);
  assert.equal((await skiff(dir, ['wait', background])).status, 1);

  const entries = walk(join(dir, 'state'));
  const names = entries.map((e) => e.path);
  for (const expected of [
    'objects/Secret/default/token.json',
    'objects/ConfigMap/default/cache-config.json',
    'locks/table.json',
    `runs/default/${background}/driver.log`,
    `runs/default/${background}/snapshot.json`,
    `runs/default/${background}/journal.ndjson`,
  ]) {
    assert.ok(names.includes(expected), `${expected} is not among ${names.join(', ')}`);
  }
  for (const entry of entries) assert.equal(entry.mode.toString(8), entry.folder ? '700' : '600', entry.path);
});
