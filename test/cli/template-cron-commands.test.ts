import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { load } from 'js-yaml';
import { skiff, workspace } from './run-cli.js';

const TEMPLATE = `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: build}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: [echo, hi]}
`;

const hourAgo = new Date(Date.now() - 3_600_000 - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Hourly, created over an hour ago, with a deadline that reaches back to its last hour. */
const CRON = `apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata: {name: hourly, creationTimestamp: "${hourAgo}"}
spec:
  schedule: "@every 1h"
  startingDeadlineSeconds: 7200
  timezone: Europe/Paris
  workflowSpec:
    entrypoint: main
    templates:
    - name: main
      container: {image: busybox, command: [echo, "{{workflow.scheduledTime}}"]}
`;

describe('skiff template, as argo template', () => {
  it('creates, lists, gets, lints and deletes WorkflowTemplates; create refuses one that exists', async () => {
    const dir = workspace({ 'build.yaml': TEMPLATE, 'bad.yaml': TEMPLATE.replace('entrypoint: main', 'entrypoint: nowhere') });
    const created = await skiff(dir, ['template', 'create', 'build.yaml']);
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stdout, /^Name:\s+build\nNamespace:\s+default\nCreated:\s+\S+ \(\d+s ago\)\n$/);
    const again = await skiff(dir, ['template', 'create', 'build.yaml']);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /WorkflowTemplate "build" already exists in namespace default; skiff apply updates it/);
    assert.equal((await skiff(dir, ['template', 'list'])).stdout, 'NAME\nbuild\n');
    assert.match((await skiff(dir, ['template', 'list', '-A'])).stdout, /^default\s+build$/m);
    const yaml = load((await skiff(dir, ['template', 'get', 'build', '-o', 'yaml'])).stdout) as { kind: string; spec: { entrypoint: string } };
    assert.equal(yaml.spec.entrypoint, 'main');
    const run = await skiff(dir, ['submit', '--from', 'wftmpl/build', '-w', '-o', 'name']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal((await skiff(dir, ['template', 'lint', 'build.yaml'])).status, 0);
    const lint = await skiff(dir, ['template', 'lint', 'bad.yaml']);
    assert.equal(lint.status, 1);
    assert.match(lint.stdout + lint.stderr, /nowhere/);
    assert.equal((await skiff(dir, ['template', 'delete', 'build'])).stdout, "WorkflowTemplate 'build' deleted\n");
    const missing = await skiff(dir, ['template', 'get', 'build']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /WorkflowTemplate "build" not found/);
    const unknown = await skiff(dir, ['template', 'frob']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown subcommand "frob": create, list, get, delete, lint/);
  });

  it('creates a template in the namespace its file names; refuses it when -n names another', async () => {
    const dir = workspace({ 'ci.yaml': TEMPLATE.replace('metadata: {name: build}', 'metadata: {name: build, namespace: ci}') });
    const refused = await skiff(dir, ['template', 'create', 'ci.yaml', '-n', 'prod']);
    assert.equal(refused.status, 1);
    assert.equal(refused.stderr, 'skiff template: ci.yaml: WorkflowTemplate "build" is in namespace "ci" but -n says "prod"; nothing was created\n');
    assert.equal((await skiff(dir, ['template', 'list', '-A', '-o', 'name'])).stdout, '');
    const placed = await skiff(dir, ['template', 'create', 'ci.yaml']);
    assert.equal(placed.status, 0, placed.stderr);
    assert.match(placed.stdout, /^Namespace:\s+ci$/m);
    assert.equal((await skiff(dir, ['template', 'list', '-n', 'ci'])).stdout, 'NAME\nbuild\n');
    assert.equal((await skiff(dir, ['template', 'create', 'ci.yaml', '-n', 'ci'])).status, 1, 'the same namespace twice: it exists');
  });
});

describe('skiff cron, as argo cron', () => {
  it('lists, gets and lints CronWorkflows, suspends and resumes them', async () => {
    const dir = workspace({ 'cron.yaml': CRON, 'bad.yaml': CRON.replace('entrypoint: main', 'entrypoint: nowhere') });
    assert.equal((await skiff(dir, ['cron', 'create', 'cron.yaml', '-o', 'name'])).stdout, 'hourly\n');
    const list = await skiff(dir, ['cron', 'list']);
    assert.match(list.stdout, /^NAME\s+AGE\s+LAST RUN\s+NEXT RUN\s+SCHEDULE\s+TIMEZONE\s+SUSPENDED$/m);
    assert.match(list.stdout, /^hourly\s+\d+s\s+N\/A\s+(1h 0m|59m \d+s)\s+@every 1h\s+Europe\/Paris\s+false$/m);
    assert.equal((await skiff(dir, ['cron', 'suspend', 'hourly'])).stdout, "CronWorkflow 'hourly' suspended\n");
    assert.match((await skiff(dir, ['cron', 'get', 'hourly'])).stdout, /^Suspended:\s+true$/m);
    assert.equal((await skiff(dir, ['cron', 'resume', 'hourly'])).stdout, "CronWorkflow 'hourly' resumed\n");
    const get = await skiff(dir, ['cron', 'get', 'hourly']);
    assert.match(get.stdout, /^Schedule:\s+@every 1h$/m);
    assert.match(get.stdout, /^Suspended:\s+false$/m);
    assert.match(get.stdout, /^ConcurrencyPolicy:\s+Allow$/m);
    assert.match(get.stdout, /^StartingDeadlineSeconds:\s+7200$/m);
    assert.match(get.stdout, /^NextScheduledTime:\s+\S+Z \(in [^)]+\)$/m);
    assert.equal((await skiff(dir, ['cron', 'suspend', 'nope'])).status, 1);
    assert.equal((await skiff(dir, ['cron', 'lint', 'cron.yaml'])).status, 0);
    const bad = await skiff(dir, ['cron', 'lint', 'bad.yaml']);
    assert.equal(bad.status, 1);
    assert.match(bad.stdout + bad.stderr, /nowhere/);
    assert.equal((await skiff(dir, ['cron', 'delete', '--all'])).stdout, "CronWorkflow 'hourly' deleted\n");
  });

  it('schedule runs a due CronWorkflow once, named for its time, through submit, and records it', async () => {
    const dir = workspace({ 'cron.yaml': CRON });
    assert.equal((await skiff(dir, ['apply', 'cron.yaml'])).status, 0);
    const first = await skiff(dir, ['cron', 'schedule', '--once']);
    assert.equal(first.status, 0, first.stderr);
    const started = /started (hourly-(\d+))/.exec(first.stdout);
    assert.ok(started, first.stdout);
    const [, name, seconds] = started;
    const waited = await skiff(dir, ['wait', name!, '-o', 'json']);
    assert.equal(waited.status, 0, waited.stderr);
    const run = JSON.parse(waited.stdout) as { metadata: { labels: Record<string, string>; annotations: Record<string, string> } };
    assert.equal(run.metadata.labels['workflows.argoproj.io/cron-workflow'], 'hourly');
    assert.equal(Date.parse(run.metadata.annotations['workflows.argoproj.io/scheduled-time']!) / 1000, Number(seconds));
    const again = await skiff(dir, ['cron', 'schedule', '--once']);
    assert.doesNotMatch(again.stdout, /started/, 'a scheduled time runs once, also from a new scheduler');
    const get = await skiff(dir, ['cron', 'get', 'hourly', '-o', 'json']);
    const status = (JSON.parse(get.stdout) as { status: { lastScheduledTime: string } }).status;
    assert.equal(Date.parse(status.lastScheduledTime) / 1000, Number(seconds));
    assert.match((await skiff(dir, ['cron', 'list'])).stdout, /^hourly\s+\S+\s+\d+[smh]/m, 'LAST RUN is known now');
    // A second scheduler of the same state directory is refused while the first lives (here: a sleep).
    const holder = spawn('sleep', ['30']);
    try {
      writeFileSync(join(dir, 'state', 'cron-scheduler.json'), JSON.stringify({ pid: holder.pid }));
      const second = await skiff(dir, ['cron', 'schedule', '--once']);
      assert.equal(second.status, 1);
      assert.match(second.stderr, new RegExp(`another skiff cron schedule \\(pid ${holder.pid}\\) is scheduling`));
    } finally {
      holder.kill();
    }
    assert.equal((await skiff(dir, ['cron', 'schedule', '--once'])).status, 0, 'a scheduler that is gone is taken over');
  });

  it('backfills the scheduled times of a range, each once', async () => {
    const daily = CRON.replace('"@every 1h"', '"0 6 * * *"').replace('timezone: Europe/Paris', 'timezone: UTC');
    const dir = workspace({ 'cron.yaml': daily });
    assert.equal((await skiff(dir, ['apply', 'cron.yaml'])).status, 0);
    const dry = await skiff(dir, ['cron', 'backfill', 'hourly', '--start', '2024-01-01T00:00:00Z', '--end', '2024-01-03T00:00:00Z', '--dry-run']);
    assert.equal(dry.stdout, `hourly-${Date.parse('2024-01-01T06:00:00Z') / 1000} (dry run)\nhourly-${Date.parse('2024-01-02T06:00:00Z') / 1000} (dry run)\n`);
    const ran = await skiff(dir, ['cron', 'backfill', 'hourly', '--start', '2024-01-01T00:00:00Z', '--end', '2024-01-02T00:00:00Z']);
    assert.equal(ran.stdout, `hourly-${Date.parse('2024-01-01T06:00:00Z') / 1000}\n`);
    const twice = await skiff(dir, ['cron', 'backfill', 'hourly', '--start', '2024-01-01T00:00:00Z', '--end', '2024-01-02T00:00:00Z']);
    assert.match(twice.stderr, /already ran; left alone/);
    assert.equal((await skiff(dir, ['cron', 'backfill', 'hourly'])).status, 2, '--start is required');
    const tooMany = await skiff(dir, ['cron', 'backfill', 'hourly', '--start', '2020-01-01T00:00:00Z', '--max-workflows', '3']);
    assert.equal(tooMany.status, 1);
    assert.match(tooMany.stderr, /more than 3 scheduled times/);
    assert.equal((await skiff(dir, ['wait', '-l', 'workflows.argoproj.io/cron-workflow=hourly'])).status, 0);
  });
});
