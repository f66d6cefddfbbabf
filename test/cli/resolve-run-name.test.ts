import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { skiff, workspace } from './run-cli.js';

const SAME = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: same
spec:
  entrypoint: main
  templates:
  - name: main
    container:
      image: busybox
      command: [echo, hi]
`;

describe('run names in namespaces', () => {
  it('finds a name in the one namespace that has it, asks for -n when several do, and looks in -n when given', async () => {
    const dir = workspace({ 'same.yaml': SAME, 'only.yaml': SAME.replace('name: same', 'name: only') });
    for (const ns of ['team-a', 'team-b']) assert.equal((await skiff(dir, ['submit', 'same.yaml', '-n', ns, '--wait'])).status, 0);
    assert.equal((await skiff(dir, ['submit', 'only.yaml', '-n', 'team-b', '--wait'])).status, 0);
    // Submitting the same name again in one of them is refused, naming the namespace.
    const twice = await skiff(dir, ['submit', 'same.yaml', '-n', 'team-a']);
    assert.equal(twice.status, 1);
    assert.match(twice.stderr, /a run named "same" already exists in namespace "team-a"/);

    const only = await skiff(dir, ['get', 'only', '-o', 'name']);
    assert.equal(only.status, 0, only.stderr);
    assert.equal(only.stdout, 'only\n');

    for (const command of [['get'], ['logs'], ['wait'], ['delete'], ['retry'], ['resubmit'], ['cp', 'out']]) {
      const [verb, ...rest] = command;
      const got = await skiff(dir, [verb!, 'same', ...rest]);
      assert.equal(got.status, 1, `${verb}: ${got.stdout}${got.stderr}`);
      assert.match(got.stderr, /run "same" exists in namespaces "team-a", "team-b": name one with -n NAMESPACE\n$/, verb);
      assert.equal(got.stderr.split('\n').length, 2, `${verb}: one line`);
    }

    const a = await skiff(dir, ['get', '-n', 'team-a', 'same', '-o', 'json']);
    assert.equal(a.status, 0, a.stderr);
    assert.equal((JSON.parse(a.stdout) as { metadata: { namespace: string } }).metadata.namespace, 'team-a');
    const missing = await skiff(dir, ['get', '-n', 'team-c', 'same']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /run "same" in namespace "team-c" not found/);

    // Deleting one namespace's run leaves the other's, which the name then finds alone.
    const deleted = await skiff(dir, ['delete', '-n', 'team-a', 'same']);
    assert.equal(deleted.status, 0, deleted.stderr);
    assert.match(deleted.stdout, /^workflow same deleted \(namespace team-a\)$/m);
    const left = await skiff(dir, ['get', 'same', '-o', 'json']);
    assert.equal(left.status, 0, left.stderr);
    assert.equal((JSON.parse(left.stdout) as { metadata: { namespace: string } }).metadata.namespace, 'team-b');
  });
});
