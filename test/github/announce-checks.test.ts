import assert from 'node:assert/strict';
import { test } from 'node:test';
import { announcementOf } from '../../src/github/announce-checks.js';

const sha = 'a'.repeat(40);
const pullRequest = (action: string, state = 'open', extra: Record<string, unknown> = {}) => ({
  action,
  installation: { id: 7 },
  repository: { name: 'flows', owner: { login: 'acme' }, full_name: 'acme/flows' },
  pull_request: { state, head: { sha } },
  ...extra,
});

test('a pull request Skiff checks announces skiff / lint and skiff / plan for its head, with the delivery in their external ids', () => {
  for (const action of ['opened', 'synchronize', 'reopened', 'ready_for_review']) {
    assert.deepEqual(announcementOf('pull_request', pullRequest(action), 'd-1'), {
      installationId: 7,
      repo: { owner: 'acme', repo: 'flows' },
      checks: [
        { name: 'skiff / lint', headSha: sha, externalId: `lint:${sha}`, delivery: 'd-1' },
        { name: 'skiff / plan', headSha: sha, externalId: `plan:${sha}`, delivery: 'd-1' },
      ],
    });
  }
  const group = {
    action: 'checks_requested',
    installation: { id: 7 },
    repository: { name: 'flows', owner: { login: 'acme' } },
    merge_group: { head_sha: sha },
  };
  assert.equal(announcementOf('merge_group', group, 'd-2')?.checks[0]?.headSha, sha);
});

test('nothing is announced that the work would not open: other actions, closed pull requests, other events', () => {
  assert.equal(announcementOf('pull_request', pullRequest('labeled'), 'd'), undefined);
  assert.equal(announcementOf('pull_request', pullRequest('synchronize', 'closed'), 'd'), undefined);
  assert.equal(announcementOf('push', { ...pullRequest('synchronize'), ref: 'refs/heads/main' }, 'd'), undefined);
  assert.equal(announcementOf('issue_comment', pullRequest('created'), 'd'), undefined);
});

test('attacker: a payload with fields of the wrong kind announces nothing rather than writing where it says', () => {
  const bad: Array<Record<string, unknown>> = [
    pullRequest('opened', 'open', { installation: { id: '7' } }),
    pullRequest('opened', 'open', { installation: undefined }),
    pullRequest('opened', 'open', { repository: { name: ['flows'], owner: { login: 'acme' } } }),
    pullRequest('opened', 'open', { repository: { name: 'flows', owner: {} } }),
    pullRequest('opened', 'open', { pull_request: { state: 'open', head: { sha: `${sha}/../x` } } }),
    pullRequest('opened', 'open', { pull_request: { state: 'open', head: { sha: 42 } } }),
    pullRequest('opened', 'open', { pull_request: null }),
  ];
  for (const payload of bad) assert.equal(announcementOf('pull_request', payload, 'd'), undefined, JSON.stringify(payload));
});
