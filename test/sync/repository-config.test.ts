import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRepositoryConfig, readRepositoryConfig } from '../../src/sync/repository-config.js';
import { memoryTree } from './memory-tree.js';
import { CONFIG } from './sync-fixtures.js';

function problems(text: string): string[] {
  const result = parseRepositoryConfig('.skiff.yml', text);
  assert.equal(result.ok, false);
  return result.ok ? [] : result.diagnostics.map((d) => `${d.line}:${d.column} ${d.rule} ${d.message}`);
}

test('a full config is read with its values and the line of each setting', () => {
  const result = parseRepositoryConfig('.skiff.yml', CONFIG);
  assert.ok(result.ok);
  assert.deepEqual(result.config, {
    file: '.skiff.yml',
    version: 1,
    paths: ['workflows', 'cluster'],
    include: ['**/*.yaml', '**/*.yml', '**/*.json'],
    exclude: ['**/drafts/**'],
    namespace: 'ci',
    namespaces: ['ci', 'nightly'],
    kinds: ['ConfigMap', 'WorkflowTemplate', 'ClusterWorkflowTemplate', 'CronWorkflow', 'Workflow'],
    prune: true,
    triggers: {},
    artifactLinkSeconds: 7 * 86_400,
    cancelInProgress: false,
    commandTeams: [],
    logExcerptLines: 30,
    lines: { version: 2, paths: 3, exclude: 4, namespace: 5, namespaces: 6, prune: 7 },
  });
});

test('on: what the GitHub App runs on push and on pull requests, every mistake on its line', () => {
  const ok = parseRepositoryConfig(
    '.skiff.yml',
    'paths: [w]\nnamespace: ci\non:\n  push: {branches: [main, release/*], workflows: [build]}\n  pull_request: {workflows: [test]}\n',
  );
  assert.ok(ok.ok);
  assert.deepEqual(ok.config.triggers, { push: { branches: ['main', 'release/*'], workflows: ['build'] }, pullRequest: { workflows: ['test'] } });
  const bad = parseRepositoryConfig(
    '.skiff.yml',
    'paths: [w]\nnamespace: ci\non:\n  push: {workflows: [build], tags: [v1]}\n  pull_request: {workflows: []}\n  release: {}\n',
  );
  assert.ok(!bad.ok);
  assert.deepEqual(
    bad.diagnostics.map((d) => `${d.line} ${d.message}`),
    [
      '4 on.push.branches is required: a list of names',
      '4 unknown setting "tags" of on.push; known: branches, workflows, paths, paths-ignore',
      '5 on.pull_request.workflows must be a non-empty list of names',
      '6 unknown event "release"; known: push, pull_request',
    ],
  );
});

test('artifacts.linkLifetime and concurrency.cancelInProgress: read, bounded to 7 days, every mistake on its line', () => {
  const ok = parseRepositoryConfig('.skiff.yml', 'paths: [w]\nnamespace: ci\nartifacts: {linkLifetime: 12h}\nconcurrency: {cancelInProgress: true}\n');
  assert.ok(ok.ok);
  assert.equal(ok.config.artifactLinkSeconds, 12 * 3600);
  assert.equal(ok.config.cancelInProgress, true);
  for (const [lifetime, accepted] of [
    ['30s', false],
    ['1m', true],
    ['7d', true],
    ['604801s', false],
    ['1w', false],
    ['10', false],
  ] as const) {
    const result = parseRepositoryConfig('.skiff.yml', `paths: [w]\nnamespace: ci\nartifacts: {linkLifetime: "${lifetime}"}\n`);
    assert.equal(result.ok, accepted, lifetime);
  }
  const problems = parseRepositoryConfig(
    '.skiff.yml',
    'paths: [w]\nnamespace: ci\nartifacts: {linkLifetime: 8d, keep: 1}\nconcurrency: {cancelInProgress: "yes"}\n',
  );
  assert.ok(!problems.ok);
  assert.deepEqual(
    problems.diagnostics.map((d) => `${d.line} ${d.message}`),
    [
      '3 artifacts.linkLifetime must be a duration from 1m to 7d, such as 90m, 12h or 7d (S3 links live 7 days at most)',
      '3 unknown setting "keep" of artifacts; known: linkLifetime',
      '4 concurrency.cancelInProgress must be true or false',
    ],
  );
});

test('on.*.paths, commands.teams and logs.excerptLines: read with their defaults, every mistake on its line', () => {
  const ok = parseRepositoryConfig(
    '.skiff.yml',
    [
      'paths: [w]',
      'namespace: ci',
      'on:',
      "  push: {branches: [main], paths: ['src/**', 'w/*.yaml']}",
      "  pull_request: {workflows: [test], paths: ['**/*.go']}",
      'commands: {teams: [acme/release-team, acme/on_call]}',
      'logs: {excerptLines: 120}',
      '',
    ].join('\n'),
  );
  assert.ok(ok.ok, JSON.stringify(!ok.ok && ok.diagnostics));
  assert.deepEqual(ok.config.triggers, {
    push: { branches: ['main'], paths: ['src/**', 'w/*.yaml'] },
    pullRequest: { workflows: ['test'], paths: ['**/*.go'] },
  });
  assert.deepEqual(ok.config.commandTeams, ['acme/release-team', 'acme/on_call']);
  assert.equal(ok.config.logExcerptLines, 120);
  for (const [lines, accepted] of [
    [1, true],
    [500, true],
    [0, false],
    [501, false],
    [2.5, false],
    ['"30"', false],
  ] as const) {
    assert.equal(parseRepositoryConfig('.skiff.yml', `paths: [w]\nnamespace: ci\nlogs: {excerptLines: ${lines}}\n`).ok, accepted, String(lines));
  }
  assert.deepEqual(problems(['paths: [w]', 'namespace: ci', 'logs: {excerptLines: 9999, tail: 1}', 'commands: {teams: []}', ''].join('\n')), [
    '3:22 config-invalid logs.excerptLines must be a whole number from 1 to 500 (default 30)',
    '3:28 config-invalid unknown setting "tail" of logs; known: excerptLines',
    '4:19 config-invalid commands.teams must be a list of 1 to 20 teams, each as org/team-slug',
  ]);
});

test('on.*.paths-ignore: read as paths is, its mistakes on their lines, and never together with paths', () => {
  const ok = parseRepositoryConfig(
    '.skiff.yml',
    [
      'paths: [w]',
      'namespace: ci',
      'on:',
      "  push: {branches: [main], paths-ignore: ['docs/**', '**/*.md']}",
      "  pull_request: {workflows: [test], paths-ignore: ['docs/**']}",
      '',
    ].join('\n'),
  );
  assert.ok(ok.ok, JSON.stringify(!ok.ok && ok.diagnostics));
  assert.deepEqual(ok.config.triggers, {
    push: { branches: ['main'], pathsIgnore: ['docs/**', '**/*.md'] },
    pullRequest: { workflows: ['test'], pathsIgnore: ['docs/**'] },
  });
  assert.deepEqual(
    problems(
      [
        'paths: [w]',
        'namespace: ci',
        'on:',
        '  push:',
        '    branches: [main]',
        "    paths: ['src/**']",
        "    paths-ignore: ['docs/**']",
        '  pull_request:',
        '    workflows: [test]',
        '    paths-ignore:',
        "    - '../secrets/**'",
        "    - '{a,b'",
        "    - '*a*a*a*a*a*a*a*a*a*b'",
        '',
      ].join('\n'),
    ).map((p) => p.replace(/ config-invalid/, '')),
    [
      '7:5 on.push sets both paths and paths-ignore: use one (paths runs when a changed file matches; paths-ignore skips when every changed file matches)',
      '11:7 path glob "../secrets/**" must name files inside the repository, without "." or ".." segments',
      '12:7 path glob "{a,b" is malformed: unclosed "{" in glob',
      '13:7 path glob "*a*a*a*a*a*a*a*a*a*b" has more than 8 wildcards',
    ],
  );
  assert.deepEqual(problems('paths: [w]\nnamespace: ci\non:\n  pull_request: {workflows: [test], paths-ignore: []}\n'), [
    '4:51 config-invalid on.pull_request.paths-ignore must be a non-empty list of globs',
  ]);
  const many = Array.from({ length: 51 }, (_, i) => `'d${i}/**'`).join(', ');
  assert.match(
    problems(`paths: [w]\nnamespace: ci\non:\n  push: {branches: [main], paths-ignore: [${many}]}\n`)[0]!,
    /^4:\d+ config-invalid at most 50 path globs, not 51$/,
  );
});

test('attacker: path globs leaving the repository or too costly, and team names with path characters, are errors on their lines', () => {
  const huge = `${'*/'.repeat(150)}x`;
  assert.deepEqual(
    problems(
      [
        'paths: [w]',
        'namespace: ci',
        'on:',
        '  pull_request:',
        '    workflows: [test]',
        '    paths:',
        "    - '../**'",
        "    - 'src/../../etc/passwd'",
        "    - '/etc/**'",
        `    - '${huge}'`,
        "    - '*a*a*a*a*a*a*a*a*a*b'",
        "    - '{a,b'",
        'commands:',
        '  teams:',
        '  - acme/../admins',
        '  - acme/team/extra',
        '  - "acme/team?per_page=100"',
        '  - "../orgs/acme"',
        '  - acme',
        '  - 42',
        '',
      ].join('\n'),
    ).map((p) => p.replace(/ config-invalid/, '')),
    [
      '7:7 path glob "../**" must name files inside the repository, without "." or ".." segments',
      '8:7 path glob "src/../../etc/passwd" must name files inside the repository, without "." or ".." segments',
      '9:7 path glob "/etc/**" is malformed: a glob is relative to the repository root and must not start with "/"',
      `10:7 path glob "${huge.slice(0, 60)}…" is 301 characters long; at most 200`,
      '11:7 path glob "*a*a*a*a*a*a*a*a*a*b" has more than 8 wildcards',
      '12:7 path glob "{a,b" is malformed: unclosed "{" in glob',
      '15:5 "acme/../admins" is not a team: write org/team-slug (letters, digits, "-" and "_")',
      '16:5 "acme/team/extra" is not a team: write org/team-slug (letters, digits, "-" and "_")',
      '17:5 "acme/team?per_page=100" is not a team: write org/team-slug (letters, digits, "-" and "_")',
      '18:5 "../orgs/acme" is not a team: write org/team-slug (letters, digits, "-" and "_")',
      '19:5 "acme" is not a team: write org/team-slug (letters, digits, "-" and "_")',
      '20:5 this entry is not a team: write org/team-slug (letters, digits, "-" and "_")',
    ],
  );
  const many = Array.from({ length: 51 }, (_, i) => `'d${i}/**'`).join(', ');
  assert.match(
    problems(`paths: [w]\nnamespace: ci\non:\n  push: {branches: [main], paths: [${many}]}\n`)[0]!,
    /^4:\d+ config-invalid at most 50 path globs, not 51$/,
  );
});

test('defaults: every kind, no prune, only the default namespace; paths are normalised', () => {
  const result = parseRepositoryConfig('.skiff.yml', 'paths: [./flows/, .]\nnamespace: ci\n');
  assert.ok(result.ok);
  assert.deepEqual(result.config.paths, ['flows', '']);
  assert.deepEqual(result.config.namespaces, ['ci']);
  assert.equal(result.config.prune, false);
  assert.equal(result.config.kinds.length, 5);
});

test('every problem is reported at once, on its own line and column', () => {
  assert.deepEqual(
    problems(
      [
        'version: 2',
        'paths: [/etc, ../up, ok]',
        'include: ["**/*.yaml", "{a,b"]',
        'namespace: Not_A_Namespace',
        'namespaces: [ok, "bad ns"]',
        'kinds: [Secret, Deployment]',
        'prune: yes please',
        'extra: 1',
        '',
      ].join('\n'),
    ),
    [
      '1:10 config-invalid version must be 1',
      '2:9 config-invalid path "/etc" must be relative to the repository root and stay inside it',
      '2:15 config-invalid path "../up" must be relative to the repository root and stay inside it',
      '3:24 config-invalid glob "{a,b" is malformed: unclosed "{" in glob',
      '4:12 config-invalid namespace must be a Kubernetes namespace name (lowercase letters, digits and "-", at most 63)',
      '5:18 config-invalid "bad ns" is not a Kubernetes namespace name',
      '6:9 config-invalid Secrets are never read from git: keep them in the cluster',
      '6:17 config-invalid kind "Deployment" cannot be synced; use one of ConfigMap, WorkflowTemplate, ClusterWorkflowTemplate, CronWorkflow, Workflow',
      '7:8 config-invalid prune must be true or false',
      '8:1 config-invalid unknown setting "extra"; known settings: version, paths, include, exclude, namespace, namespaces, kinds, prune, on, artifacts, concurrency, commands, logs',
    ],
  );
});

test('missing required settings, a YAML error, several documents and a non-map are refused', () => {
  assert.deepEqual(problems('prune: true\n'), [
    '1:1 config-invalid paths is required: a list of strings',
    '1:1 config-invalid namespace is required: the namespace given to objects that name none',
  ]);
  assert.match(problems('paths: [a\nnamespace: ci\n')[0]!, /config-yaml-syntax/);
  assert.deepEqual(problems('paths: [a]\nnamespace: ci\n---\npaths: [b]\n'), ['4:1 config-shape .skiff.yml must hold exactly one YAML document']);
  assert.deepEqual(problems('- a\n'), ['1:1 config-invalid .skiff.yml must be a map of settings (paths, namespace, ...)']);
  assert.deepEqual(problems('paths: []\nnamespace: ci\n'), ['1:8 config-invalid paths must be a non-empty list of strings']);
});

test('.skiff.yml is preferred, .github/skiff.yml is the fallback, and no config is an error', async () => {
  const both = await readRepositoryConfig(memoryTree({ '.skiff.yml': 'paths: [a]\nnamespace: one\n', '.github/skiff.yml': 'paths: [b]\nnamespace: two\n' }));
  assert.ok(both.ok && both.config.namespace === 'one');
  const github = await readRepositoryConfig(memoryTree({ '.github/skiff.yml': 'paths: [b]\nnamespace: two\n' }));
  assert.ok(github.ok && github.config.file === '.github/skiff.yml');
  const none = await readRepositoryConfig(memoryTree({ 'flows/a.yaml': 'kind: Workflow\n' }));
  assert.ok(!none.ok && none.diagnostics[0]!.rule === 'config-missing');
});

test('a config that is a symbolic link or too large is refused without being followed or read', async () => {
  const linked = memoryTree({ '.skiff.yml': { symlink: '/etc/passwd' } });
  const result = await readRepositoryConfig(linked);
  assert.ok(!result.ok);
  assert.equal(result.diagnostics[0]!.rule, 'config-symlink');
  assert.deepEqual(linked.reads, []);
  const large = await readRepositoryConfig(memoryTree({ '.skiff.yml': `# ${'x'.repeat(70_000)}\npaths: [a]\nnamespace: ci\n` }));
  assert.ok(!large.ok);
  assert.match(large.diagnostics[0]!.message, /larger than the 64 KiB limit/);
});
