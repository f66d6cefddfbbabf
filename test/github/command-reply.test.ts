// A comment command's reply carries a hidden marker of its comment and delivery; a delivery handled
// again looks for it. Only an app's comment counts: a person writing the marker silences nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answeredAlready, postReply, replyMarker } from '../../src/github/command-reply.js';
import type { InstallationOctokit } from '../../src/github/github-types.js';

const DELIVERY = '72d3162e-cc78-11e3-81ab-4c9367dc0958';

function fakeOctokit(comments: Array<{ body: string; type: string }>) {
  const posted: Array<Record<string, unknown>> = [];
  const listed: string[] = [];
  const list = (name: string) => Object.assign(async () => undefined, { endpointName: name });
  const octokit = {
    paginate: {
      iterator: async function* (method: { endpointName: string }, _params: unknown) {
        listed.push(method.endpointName);
        // Two pages, as a long conversation has.
        const all = comments.map((c, i) => ({ id: i + 1, body: c.body, user: { login: c.type === 'Bot' ? 'skiff[bot]' : 'mallory', type: c.type } }));
        yield { data: all.slice(0, 1) };
        yield { data: all.slice(1) };
      },
    },
    rest: {
      issues: { listComments: list('issues'), createComment: async (request: Record<string, unknown>) => void posted.push({ on: 'issue', ...request }) },
      repos: {
        listCommentsForCommit: list('commit'),
        createCommitComment: async (request: Record<string, unknown>) => void posted.push({ on: 'commit', ...request }),
      },
    },
  } as unknown as InstallationOctokit;
  return { octokit, posted, listed };
}

const PULL = { repo: { owner: 'acme', repo: 'flows' }, on: { pullRequest: 4 } };
const COMMIT = { repo: { owner: 'acme', repo: 'flows' }, on: { commit: 'c'.repeat(40) } };

test('a reply ends with its marker, and a delivery handled again finds it on a later page, on a pull request or a commit', async () => {
  const marker = replyMarker(42, DELIVERY);
  assert.equal(marker, `<!-- skiff-reply comment=42 delivery=${DELIVERY} -->`);
  const { octokit, posted } = fakeOctokit([]);
  await postReply(octokit, PULL, '@bob: done', marker);
  await postReply(octokit, COMMIT, '@bob: done', marker);
  assert.deepEqual(
    posted.map((p) => [p.on, p.body]),
    [
      ['issue', `@bob: done\n\n${marker}`],
      ['commit', `@bob: done\n\n${marker}`],
    ],
  );
  for (const place of [PULL, COMMIT]) {
    const found = fakeOctokit([
      { body: 'first', type: 'User' },
      { body: `@bob: done\n\n${marker}`, type: 'Bot' },
    ]);
    assert.equal(await answeredAlready(found.octokit, place, marker), true);
    assert.deepEqual(found.listed, ['commit' in place.on ? 'commit' : 'issues']);
    assert.equal(await answeredAlready(found.octokit, place, replyMarker(43, DELIVERY)), false, 'another comment is not answered by it');
  }
});

test("attacker: a person's comment holding the marker does not count as Skiff's answer, and a delivery id cannot end the marker's HTML comment", async () => {
  const marker = replyMarker(42, DELIVERY);
  const { octokit } = fakeOctokit([{ body: `nothing to see ${marker}`, type: 'User' }]);
  assert.equal(await answeredAlready(octokit, PULL, marker), false);
  const hostile = replyMarker(42, 'x --> <img src=x onerror=alert(1)> <!--');
  assert.match(hostile, /^<!-- skiff-reply comment=42 delivery=[0-9a-f]{40} -->$/);
});
