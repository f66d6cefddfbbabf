// The names `npm run image --tag` accepts, and how containerd will know them; the entry's usage errors.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { normalizeImageName } from '../../build/image/skiff-image.js';
import { REPO_ROOT } from '../env/kube/index.js';

const run = promisify(execFile);
const ENTRY = join(REPO_ROOT, 'dist', 'build', 'image', 'main.js');

test('a short name is the Docker Hub library name the kubelet asks containerd for; a registry name stays', () => {
  assert.equal(normalizeImageName('skiff:0.1.0', '9.9.9'), 'docker.io/library/skiff:0.1.0');
  assert.equal(normalizeImageName('skiff', '0.1.0'), 'docker.io/library/skiff:0.1.0');
  assert.equal(normalizeImageName('team/skiff:dev', '0.1.0'), 'docker.io/team/skiff:dev');
  assert.equal(normalizeImageName('registry.example.com/team/skiff:dev', '0.1.0'), 'registry.example.com/team/skiff:dev');
  assert.equal(normalizeImageName('localhost:5000/skiff', '0.1.0'), 'localhost:5000/skiff:0.1.0');
  assert.equal(normalizeImageName('localhost/skiff:v1', '0.1.0'), 'localhost/skiff:v1');
});

test('a name no container tool accepts is refused with the form it must have', () => {
  for (const bad of ['Skiff:1', 'skiff:', 'skiff:a/b', 'skiff@sha256:abc', 'sk iff', '', '/skiff', 'skiff:-x', `${'a'.repeat(10)}:${'b'.repeat(200)}`]) {
    assert.throws(() => normalizeImageName(bad, '0.1.0'), /is not an image name: use \[REGISTRY\/\]PATH\[:TAG\]/, bad);
  }
});

test('the entry refuses a bad tag, an unknown option and a directory as output with exit 2, writing nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-image-usage-'));
  try {
    const cases: [string[], RegExp][] = [
      [['--tag', 'Bad Name'], /"Bad Name" is not an image name/],
      [['--bogus'], /Unknown option '--bogus'/],
      [['--output', dir], /is a directory; name a file/],
    ];
    for (const [args, message] of cases) {
      const failed = await run(process.execPath, [ENTRY, ...args]).then(
        () => assert.fail(`${args.join(' ')} succeeded`),
        (error: { code?: number; stderr?: string }) => error,
      );
      assert.equal(failed.code, 2, args.join(' '));
      assert.match(failed.stderr ?? '', message);
      assert.match(failed.stderr ?? '', /Usage: npm run image/);
    }
    const help = await run(process.execPath, [ENTRY, '--help']);
    assert.match(help.stdout, /--output FILE/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
