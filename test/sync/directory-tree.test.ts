import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DirectoryTree } from '../../src/sync/directory-tree.js';

test('a working directory as a repository tree: links reported, never followed, .git left out, large files not read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-tree-'));
  const outside = mkdtempSync(join(tmpdir(), 'skiff-outside-'));
  try {
    mkdirSync(join(dir, '.git'));
    mkdirSync(join(dir, 'flows'));
    writeFileSync(join(dir, 'flows', 'a.yaml'), 'kind: ConfigMap\n');
    writeFileSync(join(dir, 'flows', 'big.yaml'), 'x'.repeat(2048));
    writeFileSync(join(outside, 'secret.yaml'), 'stolen');
    symlinkSync(outside, join(dir, 'linked-dir'));
    symlinkSync(join(outside, 'secret.yaml'), join(dir, 'flows', 'link.yaml'));
    const tree = new DirectoryTree(dir);

    assert.deepEqual(await tree.listDirectory(''), [
      { name: 'flows', type: 'directory' },
      { name: 'linked-dir', type: 'symlink' },
    ]);
    assert.equal(await tree.entryType('linked-dir'), 'symlink');
    assert.equal(await tree.listDirectory('linked-dir'), undefined, 'a linked directory is not listed');
    assert.equal(await tree.readFile('linked-dir/secret.yaml', 1024), undefined, 'nor read through');
    assert.equal(await tree.readFile('flows/link.yaml', 1024), undefined, 'a linked file is not read');
    assert.equal(await tree.readFile('.git/config', 1024), undefined);
    assert.equal(await tree.readFile('flows/../../etc/passwd', 1024), undefined);
    assert.equal(new TextDecoder().decode((await tree.readFile('flows/a.yaml', 1024)) as Uint8Array), 'kind: ConfigMap\n');
    assert.equal(await tree.readFile('flows/big.yaml', 1024), 'too-large');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});
