// runPullRequestWorkflows against a recording octokit: on.pull_request.paths-ignore skips the
// configured workflows (a skipped check naming the filter) only when every file the pull request
// changes is ignored; a file list GitHub cannot give whole runs them; no filter lists no files.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InstallationOctokit } from '../../src/github/github-types.js';
import type { PullRequestRunPorts } from '../../src/github/pull-request-runs.js';
import { runPullRequestWorkflows } from '../../src/github/pull-request-runs.js';
import type { PullRequestSubject } from '../../src/github/pull-request-checks.js';
import type { DesiredSet } from '../../src/sync/desired-set.js';
import { parseRepositoryConfig } from '../../src/sync/repository-config.js';

const PR: PullRequestSubject = {
  repo: { owner: 'acme', repo: 'flows' },
  fullName: 'acme/flows',
  cloneUrl: 'https://github.com/acme/flows.git',
  number: 7,
  headSha: 'a'.repeat(40),
  baseRef: 'main',
  baseSha: 'b'.repeat(40),
  fork: false,
};
/** No launcher: a workflow that is not skipped gets a neutral check saying nothing runs here. */
const PORTS = { access: undefined, approvals: undefined, runs: undefined } as unknown as PullRequestRunPorts;

function desired(onPullRequest: string): DesiredSet {
  const parsed = parseRepositoryConfig('.skiff.yml', `paths: [w]\nnamespace: ci\non:\n  pull_request: ${onPullRequest}\n`);
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.diagnostics));
  const run = { namespace: 'ci', name: 'test', source: { file: 'w/test.yaml', line: 1, document: 0 }, object: {} };
  return { config: parsed.config, apply: [], run: [run], warnings: [] };
}

/** Octokit enough for listing a pull request's files and publishing a check run, recording each call. */
function recordingOctokit(files: Array<{ filename: string; previous_filename?: string }>) {
  const calls: string[] = [];
  const updates: Array<{ conclusion?: string; output?: { summary?: string } }> = [];
  const listFiles = () => undefined;
  const octokit = {
    paginate: async (method: unknown) => {
      assert.equal(method, listFiles);
      calls.push('pulls.listFiles');
      return files;
    },
    rest: {
      pulls: { listFiles },
      checks: {
        listForRef: async () => ({ data: { check_runs: [] } }),
        create: async () => {
          calls.push('checks.create');
          return { data: { id: 1 } };
        },
        update: async (request: (typeof updates)[number]) => {
          calls.push('checks.update');
          updates.push(request);
        },
      },
    },
  } as unknown as InstallationOctokit;
  return { octokit, calls, updates };
}

test('paths-ignore: a pull request changing only ignored files gets a skipped check naming the filter', async () => {
  const { octokit, updates } = recordingOctokit([{ filename: 'docs/guide.md' }, { filename: 'README.md', previous_filename: 'docs/README.md' }]);
  await runPullRequestWorkflows(PORTS, octokit, PR, desired("{workflows: [test], paths-ignore: ['docs/**', '*.md']}"));
  assert.equal(updates.length, 1);
  assert.equal(updates[0]!.conclusion, 'skipped');
  assert.equal(updates[0]!.output?.summary, 'Not run: every file this pull request changes matches on.pull\\_request.paths-ignore of .skiff.yml\n');
});

test('paths-ignore: one changed file outside the ignored globs (a rename counts under both names) lets the workflow through', async () => {
  for (const files of [[{ filename: 'docs/guide.md' }, { filename: 'src/main.go' }], [{ filename: 'docs/main.go', previous_filename: 'src/main.go' }]]) {
    const { octokit, updates } = recordingOctokit(files);
    await runPullRequestWorkflows(PORTS, octokit, PR, desired("{workflows: [test], paths-ignore: ['docs/**']}"));
    assert.equal(updates.length, 1);
    assert.equal(updates[0]!.conclusion, 'neutral', JSON.stringify(files));
    assert.match(updates[0]!.output?.summary ?? '', /not configured to run workflows/);
  }
});

test('attacker: a pull request of 3,000 ignored files is not known whole, so it runs rather than skips', async () => {
  const files = Array.from({ length: 3000 }, (_, i) => ({ filename: `docs/${i}.md` }));
  const { octokit, updates } = recordingOctokit(files);
  await runPullRequestWorkflows(PORTS, octokit, PR, desired("{workflows: [test], paths-ignore: ['docs/**']}"));
  assert.equal(updates[0]!.conclusion, 'neutral');
});

test('paths still skips as before, and no filter costs no listing of files', async () => {
  const filtered = recordingOctokit([{ filename: 'docs/guide.md' }]);
  await runPullRequestWorkflows(PORTS, filtered.octokit, PR, desired("{workflows: [test], paths: ['src/**']}"));
  assert.equal(filtered.updates[0]!.conclusion, 'skipped');
  assert.match(filtered.updates[0]!.output?.summary ?? '', /no file this pull request changes matches on\.pull\\_request\.paths of \.skiff\.yml/);

  const unfiltered = recordingOctokit([{ filename: 'docs/guide.md' }]);
  await runPullRequestWorkflows(PORTS, unfiltered.octokit, PR, desired('{workflows: [test]}'));
  assert.deepEqual(unfiltered.calls, ['checks.create', 'checks.update']);
  assert.equal(unfiltered.updates[0]!.conclusion, 'neutral');
});
