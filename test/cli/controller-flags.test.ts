// skiff controller's lease timings are checked before anything starts: a clear usage error (exit
// 2) for timings that cannot elect a leader, never a controller that starts and flaps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { skiff, workspace } from './run-cli.js';

test('lease timings that cannot work are refused with a usage error; --help names the options', async () => {
  const dir = workspace();
  const cases: Array<[string[], RegExp]> = [
    [['--lease-duration', '1500ms'], /--lease-duration 1500ms: expected whole seconds, at least 1s/],
    [['--lease-duration', '0s'], /--lease-duration 0s: expected whole seconds, at least 1s/],
    [['--lease-duration', '2s', '--renew-deadline', '2s'], /--renew-deadline 2s: must be shorter than the lease duration \(2s\)/],
    // Without --renew-deadline a short lease gets three quarters of itself, and the retry period must fit in that.
    [['--lease-duration', '4s', '--retry-period', '5s'], /--retry-period 5s: must be shorter than the renew deadline \(3s\)/],
    [['--renew-deadline', '20s'], /--renew-deadline 20s: must be shorter than the lease duration \(15s\)/],
    [['--retry-period', 'often'], /--retry-period often: expected a duration such as 30s/],
  ];
  for (const [args, message] of cases) {
    const refused = await skiff(dir, ['controller', '--kubeconfig', 'nowhere.yaml', ...args]);
    assert.equal(refused.status, 2, `${args.join(' ')}: ${refused.stderr}`);
    assert.match(refused.stderr, message);
  }
  const help = await skiff(dir, ['controller', '--help']);
  assert.equal(help.status, 0);
  for (const option of ['--lease-duration DUR', '--renew-deadline DUR', '--retry-period DUR']) assert.ok(help.stdout.includes(option), option);
});

test('-n takes namespace names, repeated or comma-separated, and excludes -A', async () => {
  const dir = workspace();
  const bad = await skiff(dir, ['controller', '--kubeconfig', 'nowhere.yaml', '-n', 'team-a', '-n', 'Team_B']);
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /--namespace Team_B: "Team_B" is not a namespace name/);
  const both = await skiff(dir, ['controller', '--kubeconfig', 'nowhere.yaml', '-n', 'team-a,team-b', '-A']);
  assert.equal(both.status, 2, both.stderr);
  assert.match(both.stderr, /-n and -A exclude each other/);
  const help = await skiff(dir, ['controller', '--help']);
  assert.match(help.stdout, /repeat it or list several/);
});
