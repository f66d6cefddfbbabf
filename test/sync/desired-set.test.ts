import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDesiredSet, desiredSetAt, type DesiredSetResult } from '../../src/sync/desired-set.js';
import { parseRepositoryConfig, type RepositoryConfig } from '../../src/sync/repository-config.js';
import { SYNC_LIMITS } from '../../src/sync/sync-limits.js';
import { memoryTree, type MemoryEntry } from './memory-tree.js';
import { ARTIFACT_REPOSITORIES, CLUSTER_TEMPLATE, CONFIG, CRON_WORKFLOW, LINT_ERROR, SECRET, WORKFLOW, workflowTemplate } from './sync-fixtures.js';

function config(text = CONFIG): RepositoryConfig {
  const result = parseRepositoryConfig('.skiff.yml', text);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.diagnostics));
  return result.config;
}

function errors(result: DesiredSetResult): string[] {
  assert.equal(result.ok, false, 'the desired set is an error');
  return result.ok ? [] : result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}:${d.line} ${d.rule} ${d.message}`);
}

async function desired(files: Record<string, MemoryEntry>, text = CONFIG, limits = SYNC_LIMITS): Promise<DesiredSetResult> {
  return computeDesiredSet(memoryTree(files), config(text), limits);
}

test('objects get their identity, source line and the default namespace; Workflows are kept apart to be run', async () => {
  const result = await desired({
    'workflows/all.yaml': `${workflowTemplate('build')}---\n${ARTIFACT_REPOSITORIES}---\n${WORKFLOW}`,
    'workflows/nightly.yaml': CRON_WORKFLOW,
    'cluster/shared.yaml': CLUSTER_TEMPLATE,
    'workflows/drafts/wip.yaml': 'not: [yaml',
    'workflows/notes.txt': 'not a manifest',
    'elsewhere/other.yaml': SECRET,
  });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.diagnostics));
  assert.deepEqual(
    result.desired.apply.map((o) => [o.identity, o.source]),
    [
      [
        { apiVersion: 'argoproj.io/v1alpha1', kind: 'ClusterWorkflowTemplate', name: 'shared' },
        { file: 'cluster/shared.yaml', line: 1, document: 0 },
      ],
      [
        { apiVersion: 'argoproj.io/v1alpha1', kind: 'WorkflowTemplate', namespace: 'ci', name: 'build' },
        { file: 'workflows/all.yaml', line: 1, document: 0 },
      ],
      [
        { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ci', name: 'artifact-repositories' },
        { file: 'workflows/all.yaml', line: 13, document: 1 },
      ],
      [
        { apiVersion: 'argoproj.io/v1alpha1', kind: 'CronWorkflow', namespace: 'nightly', name: 'nightly' },
        { file: 'workflows/nightly.yaml', line: 1, document: 0 },
      ],
    ],
  );
  assert.deepEqual((result.desired.apply[1]!.object.metadata as Record<string, unknown>).namespace, 'ci', 'the namespace is filled in on the object to apply');
  assert.deepEqual(
    result.desired.run.map((r) => [r.namespace, r.generateName, r.source]),
    [['ci', 'build-', { file: 'workflows/all.yaml', line: 26, document: 2 }]],
  );
});

test('a Secret, a foreign kind, a disallowed kind or namespace, a namespaced cluster template and a nameless object are errors on their lines', async () => {
  const restricted = CONFIG.replace('prune: true', 'kinds: [WorkflowTemplate, ClusterWorkflowTemplate, Workflow]');
  const result = await desired(
    {
      'workflows/secret.yaml': SECRET,
      'workflows/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n',
      'workflows/config.yaml': ARTIFACT_REPOSITORIES,
      'workflows/elsewhere.yaml': workflowTemplate('build', 'hi', 'kube-system'),
      'workflows/nameless.yaml': workflowTemplate('build').replace('  name: build\n', '  generateName: build-\n'),
      'cluster/shared.yaml': CLUSTER_TEMPLATE.replace('  name: shared\n', '  name: shared\n  namespace: ci\n'),
      'workflows/scalar.yaml': 'just a string\n',
    },
    restricted,
  );
  assert.deepEqual(errors(result), [
    'cluster/shared.yaml:5 sync-namespace a ClusterWorkflowTemplate is cluster-scoped: remove metadata.namespace',
    'workflows/config.yaml:2 sync-kind-not-allowed .skiff.yml allows only WorkflowTemplate, ClusterWorkflowTemplate, Workflow; ConfigMap is not among them',
    'workflows/deploy.yaml:2 sync-kind Deployment is not a kind Skiff syncs (ConfigMap, WorkflowTemplate, ClusterWorkflowTemplate, CronWorkflow, Workflow); exclude the file in .skiff.yml',
    'workflows/elsewhere.yaml:5 sync-namespace namespace "kube-system" is not one .skiff.yml allows (ci, nightly)',
    'workflows/nameless.yaml:4 sync-name a WorkflowTemplate to apply needs metadata.name (generateName makes a new object on every apply)',
    'workflows/scalar.yaml:1 sync-not-an-object this document is not a Kubernetes object; exclude the file in the repository config',
    'workflows/secret.yaml:2 secret-in-git Secrets are never read from git: create this Secret in the cluster and remove it from the repository',
  ]);
});

test('two files defining one object are an error on both lines; the same name in two namespaces, or one generateName twice, is not', async () => {
  const result = await desired({
    'workflows/a.yaml': workflowTemplate('build'),
    'workflows/b.yaml': `${ARTIFACT_REPOSITORIES}---\n${workflowTemplate('build', 'again', 'ci')}`,
    'workflows/c.yaml': workflowTemplate('build', 'hi', 'nightly'),
    'workflows/run-1.yaml': WORKFLOW.replace('generateName: build-', 'name: release'),
    'workflows/run-2.yaml': WORKFLOW.replace('generateName: build-', 'name: release'),
    'workflows/run-3.yaml': WORKFLOW,
    'workflows/run-4.yaml': WORKFLOW,
  });
  assert.deepEqual(errors(result), [
    'workflows/a.yaml:4 sync-duplicate WorkflowTemplate ci/build is also defined in workflows/b.yaml:14',
    'workflows/b.yaml:17 sync-duplicate WorkflowTemplate ci/build is also defined in workflows/a.yaml:1',
    'workflows/run-1.yaml:4 sync-duplicate Workflow ci/release is also defined in workflows/run-2.yaml:1',
    'workflows/run-2.yaml:4 sync-duplicate Workflow ci/release is also defined in workflows/run-1.yaml:1',
  ]);
});

test('any lint error makes the whole commit apply nothing, and keeps every diagnostic', async () => {
  const result = await desired({ 'workflows/build.yaml': workflowTemplate('build'), 'workflows/broken.yaml': LINT_ERROR, 'workflows/secret.yaml': SECRET });
  assert.deepEqual(errors(result), [
    'workflows/broken.yaml:11 unknown-template template "missing" is not defined',
    'workflows/secret.yaml:2 secret-in-git Secrets are never read from git: create this Secret in the cluster and remove it from the repository',
  ]);
  assert.ok(!('desired' in result));
});

test('lint warnings are carried with a desired set, not turned into errors', async () => {
  const result = await desired({ 'workflows/build.yaml': workflowTemplate('build').replace('spec:\n', 'spec:\n  entrypoint: main\n') });
  assert.ok(result.ok);
  assert.ok(result.desired.warnings.some((d) => d.rule === 'duplicate-key' && d.line === 7));
});

test('symbolic links among the selected files are refused, never read; links and submodules elsewhere are ignored', async () => {
  const tree = memoryTree({
    '.skiff.yml': CONFIG,
    'workflows/build.yaml': workflowTemplate('build'),
    'workflows/passwd.yaml': { symlink: '/etc/passwd' },
    'workflows/vendor': { submodule: 'a'.repeat(40) },
    'docs/link.yaml': { symlink: '../workflows/build.yaml' },
  });
  const result = await computeDesiredSet(tree, config());
  assert.deepEqual(errors(result), [
    'workflows/passwd.yaml:1 symlink workflows/passwd.yaml is a symbolic link; Skiff never follows links in a repository: commit the file itself',
  ]);
  assert.deepEqual(tree.reads, ['workflows/build.yaml']);
});

test('a path naming one file is read as is; a missing path is a warning', async () => {
  const result = await desired({ 'flows/one.yml': workflowTemplate('one') }, 'paths: [flows/one.yml, gone]\nnamespace: ci\ninclude: ["**/*.yaml"]\n');
  assert.ok(result.ok);
  assert.deepEqual(
    result.desired.apply.map((o) => o.identity.name),
    ['one'],
  );
  assert.deepEqual(
    result.desired.warnings.map((d) => `${d.file}:${d.line} ${d.rule}`),
    ['.skiff.yml:1 sync-path-missing'],
  );
});

test('the limits stop the walk with one error on the config line of paths, and read nothing', async () => {
  const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`workflows/t${i}.yaml`, workflowTemplate(`t${i}`)]));
  const limited = { ...SYNC_LIMITS, maxFiles: 10 };
  assert.deepEqual(errors(await desired(many, CONFIG, limited)), [
    '.skiff.yml:3 sync-limit more than 10 files match the paths and globs; sync reads at most 10',
  ]);
  const entries = { ...SYNC_LIMITS, maxTreeEntries: 5 };
  assert.match(errors(await desired(many, CONFIG, entries))[0]!, /more than 5 entries/);
  const bytes = { ...SYNC_LIMITS, maxTotalBytes: 1000 };
  assert.match(errors(await desired(many, CONFIG, bytes))[0]!, /more than 1000 bytes together/);
  const size = { ...SYNC_LIMITS, maxFileBytes: 100 };
  assert.match(
    errors(await desired({ 'workflows/a.yaml': workflowTemplate('a') }, CONFIG, size))[0]!,
    /workflows\/a.yaml:1 file-too-large .* larger than the 100 bytes limit/,
  );
  assert.match(errors(await desired({ 'workflows/bin.yaml': new Uint8Array([0xff, 0xfe, 0x00]) }))[0]!, /binary-file .*not UTF-8/);
});

test("a pull request's files are read with the base's config; the config file itself is never a manifest", async () => {
  const base = memoryTree({ '.skiff.yml': 'paths: [.]\nnamespace: ci\nexclude: [".github/**"]\n' });
  const head = memoryTree({
    '.skiff.yml': 'paths: [.]\nnamespace: kube-system\n',
    '.github/skiff.yml': 'paths: [.]\nnamespace: kube-system\n',
    'flows/build.yaml': workflowTemplate('build'),
  });
  const result = await desiredSetAt(head, base);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.diagnostics));
  assert.deepEqual(
    result.desired.apply.map((o) => `${o.identity.namespace}/${o.identity.name} @${o.source.file}`),
    ['ci/build @flows/build.yaml'],
  );
  const own = await desiredSetAt(head);
  assert.ok(own.ok && own.desired.apply[0]!.identity.namespace === 'kube-system');
  assert.deepEqual(errors(await desiredSetAt(memoryTree({ 'flows/build.yaml': workflowTemplate('build') }))), [
    '.skiff.yml:1 config-missing no .skiff.yml or .github/skiff.yml at this commit: it says which paths to sync and where',
  ]);
});

const annotated = (name: string, on: string) => `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: ${name}
  annotations:
    skiff.dev/on: ${on}
spec:
  workflowTemplateRef:
    name: build
`;

test('skiff.dev/on on a Workflow names the events that run it; brackets and spaces are allowed', async () => {
  const result = await desired({
    'workflows/both.yaml': annotated('both', '"[push, pull_request]"'),
    'workflows/push.yaml': annotated('pushed', 'push'),
    'workflows/plain.yaml': WORKFLOW,
  });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.diagnostics));
  const byName = Object.fromEntries(result.desired.run.map((run) => [run.name ?? run.generateName, run.on]));
  assert.deepEqual(byName, { both: ['push', 'pull_request'], pushed: ['push'], 'build-': undefined });
});

test('attacker: odd skiff.dev/on values, and one contradicting the config, are errors on the annotation line', async () => {
  assert.deepEqual(
    errors(
      await desired({
        'workflows/a.yaml': annotated('a', 'release'),
        'workflows/b.yaml': annotated('b', '"push, pull_request, $(rm -rf /)"'),
        'workflows/c.yaml': annotated('c', '""'),
        'workflows/d.yaml': annotated('d', '[push]'),
        'workflows/e.yaml': annotated('e', `"${'push,'.repeat(60)}push"`),
      }),
    ),
    [
      'workflows/a.yaml:6 workflow-events skiff.dev/on names "release", not an event Skiff runs on; known: push, pull_request',
      'workflows/b.yaml:6 workflow-events skiff.dev/on names "$(rm -rf /)", not an event Skiff runs on; known: push, pull_request',
      'workflows/c.yaml:6 workflow-events skiff.dev/on names no event; use push, pull_request, or remove it',
      'workflows/d.yaml:6 schema metadata.annotations.skiff.dev/on: expected a string, found a list',
      'workflows/d.yaml:6 workflow-events skiff.dev/on must be a string, as every annotation value: quote it, as in "[push, pull_request]"',
      'workflows/e.yaml:6 workflow-events skiff.dev/on is 304 characters long; it names at most push and pull_request',
    ],
  );
  const withTriggers = `${CONFIG}on:\n  pull_request: {workflows: [pushed]}\n`;
  assert.deepEqual(errors(await desired({ 'workflows/p.yaml': annotated('pushed', 'push') }, withTriggers)), [
    'workflows/p.yaml:6 workflow-events .skiff.yml names pushed under on.pull_request.workflows, but its skiff.dev/on leaves out pull_request: list pull_request here or remove it there',
  ]);
});
