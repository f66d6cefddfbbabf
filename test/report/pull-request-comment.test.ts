import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { NodeStatus, WorkflowStatus } from '../../src/engine/workflow-status.js';
import { COMMENT_LIMIT, COMMENT_MARKER, type CommentRun, renderPullRequestComment, safeUrl } from '../../src/report/pull-request-comment.js';
import { mermaidText, runDiagram } from '../../src/report/run-diagram.js';
import { repoRoot } from '../helpers/paths.js';

const GOLDEN = join(repoRoot, 'test', 'fixtures', 'report');

function golden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
  assert.equal(actual, readFileSync(path, 'utf8'), `${name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it)`);
}

const node = (id: string, type: NodeStatus['type'], phase: NodeStatus['phase'], children: string[] = [], extra: Partial<NodeStatus> = {}): NodeStatus => ({
  id,
  name: `ci.${id}`,
  displayName: id,
  type,
  phase,
  children,
  ...extra,
});

/** A DAG: prepare → a loop of 8 items → report, beside a diamond check-a/check-b → merge. */
function dagRun(): WorkflowStatus {
  const items = Array.from({ length: 8 }, (_, i) => `shard(${i}:${i})`);
  const nodes: Record<string, NodeStatus> = {
    ci: node('ci', 'DAG', 'Failed', ['prepare', 'check-a', 'check-b']),
    prepare: node('prepare', 'Pod', 'Succeeded', ['shards']),
    shards: node('shards', 'TaskGroup', 'Failed', items),
    report: node('report', 'Pod', 'Omitted'),
    'check-a': node('check-a', 'Pod', 'Succeeded', ['merge']),
    'check-b': node('check-b', 'Pod', 'Succeeded', ['merge']),
    merge: node('merge', 'Pod', 'Running'),
  };
  items.forEach((id, i) => {
    nodes[id] = node(id, 'Pod', i === 3 ? 'Failed' : i === 7 ? 'Error' : 'Succeeded', ['report']);
  });
  return { phase: 'Running', startedAt: '2026-01-01T00:00:00Z', nodes };
}

function stepsRun(): WorkflowStatus {
  return {
    phase: 'Succeeded',
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:01:00Z',
    nodes: {
      greet: node('greet', 'Steps', 'Succeeded', ['g0']),
      g0: node('g0', 'StepGroup', 'Succeeded', ['hello']),
      hello: node('hello', 'Pod', 'Succeeded', ['g1'], {
        outputs: { artifacts: [{ name: 'greeting', path: '/tmp/g' }] },
      }),
      g1: node('g1', 'StepGroup', 'Succeeded', ['goodbye']),
      goodbye: node('goodbye', 'Pod', 'Succeeded'),
    },
  };
}

const runs = (): CommentRun[] => [
  {
    workflow: 'greet',
    runName: 'greet-x7k2p',
    status: stepsRun(),
    detailsUrl: 'https://skiff.example/runs/ci/greet-x7k2p?exp=1&sig=abc',
    artifacts: [{ step: 'hello', name: 'greeting', url: 'https://s3.example/b/k.tgz?X-Amz-Signature=1', expiresAt: '2026-01-08T00:00:00.000Z' }],
  },
  { workflow: 'matrix', runName: 'matrix-9qz', status: dagRun(), artifacts: [] },
];

test('the comment: lint and plan, each run with its page, artifacts and a diagram coloured by phase (golden)', () => {
  const body = renderPullRequestComment({
    headSha: 'c0ffee1234567890c0ffee1234567890c0ffee12',
    lint: { status: 'completed', conclusion: 'success', title: 'No problems' },
    plan: { status: 'completed', conclusion: 'success', title: '1 to create, 0 to change, 0 to prune', url: 'https://github.example/acme/flows/runs/7' },
    runs: runs(),
    secrets: [],
  });
  assert.ok(body.startsWith(`${COMMENT_MARKER}\n`));
  golden('pull-request-comment.md', body);
});

test('a loop of more than six items is one node counting them by phase, linked on to what follows', () => {
  const diagram = runDiagram(dagRun())!;
  assert.match(diagram, /\[\["shard ×8: 1 ⚠ 1 ✖ 6 ✔"\]\]/);
  assert.doesNotMatch(diagram, /shard#40;3/, 'no item drawn on its own');
  const group = /(n\d+)\[\["shard/.exec(diagram)![1];
  const report = /(n\d+)\["○ report"\]/.exec(diagram)![1];
  assert.match(diagram, new RegExp(`${group} --> ${report}`));
  assert.match(diagram, new RegExp(`class [n0-9,]*${group}[n0-9,]* Error`), 'the group shows its worst phase');
  assert.match(diagram, /classDef Running fill:#ddf4ff/);
});

test('a run too big to draw gets no diagram; a comment for 10,000 nodes and 500 runs stays under the limit', () => {
  const nodes: Record<string, NodeStatus> = { root: node('root', 'Steps', 'Running', []) };
  let previous = 'root';
  for (let i = 0; i < 10_000; i++) {
    nodes[`s${i}`] = node(`s${i}`, 'Pod', 'Succeeded', []);
    nodes[previous]!.children = [`s${i}`];
    previous = `s${i}`;
  }
  const huge: WorkflowStatus = { phase: 'Running', nodes };
  assert.equal(runDiagram(huge), undefined);
  const many = Array.from({ length: 500 }, (_, i) => ({
    workflow: `wf-${i}`,
    runName: `wf-${i}-abcde`,
    status: dagRun(),
    detailsUrl: `https://skiff.example/runs/ci/wf-${i}?exp=1&sig=${'s'.repeat(43)}`,
    artifacts: Array.from({ length: 40 }, (_, j) => ({ step: `step-${j}`, name: `out-${j}`, url: `https://s3.example/${'k'.repeat(300)}/${j}` })),
  }));
  const body = renderPullRequestComment({
    headSha: 'a'.repeat(40),
    runs: [...many, { workflow: 'huge', runName: 'huge', status: huge, artifacts: [] }],
    secrets: [],
  });
  assert.ok(body.length < COMMENT_LIMIT, `${body.length} characters`);
  assert.ok(body.startsWith(COMMENT_MARKER));
  assert.doesNotMatch(body, /```mermaid/, 'diagrams go first');
  assert.match(body, /…and \d+ more runs\./);

  // Fewer runs: diagrams dropped, every run still listed with its links.
  const some = many.slice(0, 60).map((run) => ({ ...run, artifacts: run.artifacts.slice(0, 1) }));
  const medium = renderPullRequestComment({ headSha: 'a'.repeat(40), runs: some, secrets: [] });
  assert.ok(medium.length < COMMENT_LIMIT);
  assert.match(medium, /Diagrams left out/);
  assert.match(medium, /#### ● wf-59/);
});

test('attacker: names and messages cannot break out of the diagram, the table or a link; secrets are redacted', () => {
  const evil = 'x"]\n  click n0 href "javascript:alert(1)"\n  y["';
  const status: WorkflowStatus = {
    phase: 'Failed',
    message: 'failed with token hunter2-s3cr3t <img src=x onerror=alert(1)> @acme/admins',
    nodes: {
      root: node('root', 'Steps', 'Failed', ['leaf']),
      leaf: node('leaf', 'Pod', 'Failed', [], { displayName: `${evil}\`\`\`\n[link](https://evil.example) hunter2-s3cr3t` }),
    },
  };
  const body = renderPullRequestComment({
    headSha: 'b'.repeat(40),
    lint: { status: 'completed', conclusion: 'failure', title: '1 error | injected | cell' },
    runs: [
      {
        workflow: 'wf](https://evil.example)',
        runName: '<script>alert(1)</script>',
        status,
        detailsUrl: 'javascript:alert(1)',
        artifacts: [{ step: 'leaf', name: '[x](https://evil.example)', url: 'https://s3.example/k)](https://evil.example' }],
      },
    ],
    secrets: ['hunter2-s3cr3t'],
  });
  golden('pull-request-comment-hostile.md', body);
  assert.ok(!body.includes('hunter2-s3cr3t'), 'the secret is redacted everywhere, the diagram too');
  const diagram = /```mermaid\n([\s\S]*?)\n```/.exec(body)![1]!;
  assert.equal(diagram.split('\n').filter((l) => /^\s*(click|y\[)/.test(l)).length, 0, 'no line of its own: no click directive, no node');
  assert.equal((body.match(/```/g) ?? []).length, 2, 'the fence is never closed early');
  assert.doesNotMatch(body, /<img|<script/);
  assert.doesNotMatch(body, /\]\(https:\/\/evil/);
  assert.doesNotMatch(body, /\]\(javascript/);
  assert.doesNotMatch(body, /\| injected \|/);
  assert.doesNotMatch(body, /@acme/);
  assert.equal(mermaidText('a"] --> x[<b>'), 'a#34;#93; --#62; x#91;#60;b#62;');
  assert.equal(safeUrl('https://s3.example/a(b)?q=<1>'), 'https://s3.example/a%28b%29?q=%3C1%3E');
  assert.equal(safeUrl('data:text/html,x'), undefined);
});
