import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createArtifactDriver } from '../../src/artifacts/index.js';
import { executorWait } from '../../src/executor/executor-wait.js';
import { archivesLogs } from '../../src/runs/archive-logs.js';
import { buildPodSpec } from '../../src/runtime/pod-spec/build-pod-spec.js';
import { type ExecutorPlan, PLAN_ENV, RUN_DIR } from '../../src/runtime/pod-spec/executor-plan.js';
import { mainWrapper, type WrapperOptions, type WrapperOutputs } from '../../src/runtime/pod-spec/main-wrapper.js';
import type { PodRequest } from '../../src/engine/engine-events.js';
import type { Template, Workflow } from '../../src/spec/model/workflow.js';

const run = promisify(execFile);

/** A real BusyBox: SKIFF_TEST_BUSYBOX, else Debian's static one that the image build unpacks into .cache (fetched once). */
async function realBusybox(): Promise<string> {
  if (process.env.SKIFF_TEST_BUSYBOX) return process.env.SKIFF_TEST_BUSYBOX;
  const { stdout } = await run('bash', [join(process.cwd(), 'scripts', 'busybox-static.sh')]);
  return stdout.trim();
}

describe('archiveLogs: which pods archive their logs (Argo’s rule)', () => {
  const t = (archiveLogs?: boolean): Template => ({
    name: 't',
    container: { image: 'x' },
    ...(archiveLogs === undefined ? {} : { archiveLocation: { archiveLogs } }),
  });
  it('archives when the repository says so, whatever the workflow and template say', () => {
    assert.equal(archivesLogs({ s3: { bucket: 'b' }, archiveLogs: true }, false, t(false)), true);
  });
  it("lets the template's archiveLocation.archiveLogs overrule the workflow's spec.archiveLogs", () => {
    assert.equal(archivesLogs({ s3: { bucket: 'b' } }, true, t(false)), false);
    assert.equal(archivesLogs({ s3: { bucket: 'b' } }, false, t(true)), true);
  });
  it('follows spec.archiveLogs when the template says nothing, and archives nothing by default', () => {
    assert.equal(archivesLogs(undefined, true, t()), true);
    assert.equal(archivesLogs({ s3: { bucket: 'b' }, archiveLogs: false }, undefined, t()), false);
  });
});

describe('archiveLogs: the pod spec', () => {
  const workflow: Workflow = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name: 'wf', namespace: 'ns' }, spec: {} };
  const request = {
    workflowName: 'wf',
    workflowNamespace: 'ns',
    nodeId: 'wf',
    podName: 'wf',
    template: { name: 't', container: { image: 'x', command: ['echo', 'hi'] } },
    inputs: {},
  } as unknown as PodRequest;
  const archiveLocation = { s3: { bucket: 'b', endpoint: 'minio:9000', key: 'wf/wf' } };
  it('tells the executor to archive the logs, and the wrapper to keep them', () => {
    const built = buildPodSpec(request, { workflow, archiveLocation, archiveLogs: true });
    assert.ok('pod' in built);
    const wait = built.pod.spec!.containers.find((c) => c.name === 'wait')!;
    const plan = JSON.parse(wait.env!.find((e) => e.name === PLAN_ENV)!.value!) as ExecutorPlan;
    assert.equal(plan.archiveLogs, true);
    assert.match(built.pod.spec!.containers.find((c) => c.name === 'main')!.command![2]!, /combined/);
  });
  it('keeps no log copy when logs are not archived', () => {
    const built = buildPodSpec(request, { workflow, archiveLocation });
    assert.ok('pod' in built);
    assert.doesNotMatch(built.pod.spec!.containers.find((c) => c.name === 'main')!.command![2]!, /combined/);
  });
  it('refuses to archive logs with no repository, saying so', () => {
    const built = buildPodSpec(request, { workflow, archiveLogs: true });
    assert.ok('error' in built);
    assert.match(built.error, /archives its logs, but no artifact repository/);
  });
});

describe('archiveLogs: the wrapper keeps the log, the wait container archives it as main.log', () => {
  let dir: string;
  let pods = 0;
  const driver = createArtifactDriver({ secrets: { get: async () => undefined }, namespace: 'default' });
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-archlogs-'));
  });
  after(async () => {
    driver.close();
    await rm(dir, { recursive: true, force: true });
  });

  const wrap = async (outputs: WrapperOutputs, script: string, options: WrapperOptions & { containers?: string[]; shell?: string[] } = {}) => {
    const pod = join(dir, `pod-${++pods}`);
    const runDir = join(pod, 'run');
    await mkdir(runDir, { recursive: true });
    const names = options.containers ?? ['main'];
    const results = await Promise.all(
      names.map((name) =>
        run(
          (options.shell ?? ['/bin/sh'])[0]!,
          [
            ...(options.shell ?? ['/bin/sh']).slice(1),
            '-c',
            mainWrapper(outputs, { ...options, container: name }).replaceAll(RUN_DIR, runDir),
            `skiff-${name}`,
            'sh',
            '-c',
            script,
          ],
          {
            env: { ...process.env, RUN: runDir, NAME: name },
          },
        ).catch((error: { stdout: string; stderr: string }) => error),
      ),
    );
    const repo = join(pod, 'repo');
    const report = await executorWait(
      {
        namespace: 'default',
        inputs: [],
        parameters: outputs.parameters,
        artifacts: outputs.artifacts,
        result: outputs.result,
        archiveLogs: true,
        archiveLocation: { local: { root: repo, key: 'wf/pod' } },
        ...(options.containers ? { containers: options.containers } : {}),
      },
      {
        paths: {
          mainDir: join(runDir, 'ctr', 'main'),
          outputsDir: join(runDir, 'outputs'),
          reportPath: join(runDir, 'report.json'),
          secretsDir: join(pod, 'secrets'),
        },
        driver,
        pollMs: 5,
      },
    );
    return { report, repo, stdout: results[0]!.stdout, stderr: results[0]!.stderr };
  };

  it('archives stdout and stderr uncompressed at <key>/main.log, and records main-logs after the outputs', async () => {
    const { report, repo, stdout, stderr } = await wrap(
      { parameters: [], artifacts: [], result: true, log: true },
      'echo out-line; echo err-line >&2; echo second-out',
    );
    assert.equal(report.error, undefined);
    assert.equal(report.result, 'out-line\nsecond-out\n');
    // The container's own streams stay apart, as `kubectl logs` and the run page read them.
    assert.equal(stdout, 'out-line\nsecond-out\n');
    assert.equal(stderr, 'err-line\n');
    assert.deepEqual(report.artifacts, [{ name: 'main-logs', local: { key: 'wf/pod/main.log' } }]);
    const log = await readFile(join(repo, 'wf', 'pod', 'main.log'), 'utf8');
    assert.deepEqual(log.split('\n').filter(Boolean).sort(), ['err-line', 'out-line', 'second-out']);
  });

  // Images without a shell: the wrapper runs under the executor image's static busybox, its tee an applet.
  it("keeps the log under BusyBox's sh and tee (the cluster's busybox shell)", async () => {
    const busybox = await realBusybox();
    const { report, repo, stdout } = await wrap({ parameters: [], artifacts: [], result: true, log: true }, 'echo boxed; echo boxed-err >&2; exit 4', {
      busybox,
      shell: [busybox, 'sh'],
    });
    assert.equal(report.exitCode, 4);
    assert.equal(stdout, 'boxed\n');
    assert.equal(report.result, 'boxed\n');
    assert.deepEqual((await readFile(join(repo, 'wf', 'pod', 'main.log'), 'utf8')).split('\n').filter(Boolean).sort(), ['boxed', 'boxed-err']);
  });

  it('keeps the exit code of a failed step and archives its log too', async () => {
    const { report, repo } = await wrap({ parameters: [], artifacts: [], result: false, log: true }, 'echo dying >&2; exit 7');
    assert.equal(report.exitCode, 7);
    assert.equal(report.error, undefined);
    assert.equal(await readFile(join(repo, 'wf', 'pod', 'main.log'), 'utf8'), 'dying\n');
  });

  it('archives the log beside the outputs when an output artifact fails to save', async () => {
    const { report, repo } = await wrap({ parameters: [], artifacts: [{ name: 'a', path: '/skiff/none/such' }], result: false, log: true }, 'echo still here');
    assert.match(report.error ?? '', /"a"/);
    assert.equal(await readFile(join(repo, 'wf', 'pod', 'main.log'), 'utf8'), 'still here\n');
  });

  it("archives each container's log of a containerSet as <name>-logs", async () => {
    const { report, repo } = await wrap({ parameters: [], artifacts: [], result: false, log: true }, 'echo "I am $NAME"', { containers: ['main', 'side'] });
    assert.deepEqual(
      report.artifacts?.map((a) => a.name),
      ['main-logs', 'side-logs'],
    );
    assert.equal(await readFile(join(repo, 'wf', 'pod', 'side.log'), 'utf8'), 'I am side\n');
  });

  it('refuses a log the step replaced by a link to what only the wait container can read', async () => {
    const secret = join(dir, 'wait-only-secret');
    await import('node:fs/promises').then((fs) => fs.writeFile(secret, 'TOP-SECRET\n'));
    // The wrapper's tee may create the log again between the step's rm and ln (its open races the
    // step): the step tries until its link is there, as an attacker would.
    const { report, repo } = await wrap(
      { parameters: [], artifacts: [], result: false, log: true },
      `echo hi; f="$RUN/ctr/main/combined"; for i in 1 2 3 4 5 6 7 8 9 10; do rm -f "$f"; ln -s ${secret} "$f" 2>/dev/null && break; sleep 0.05; done; [ -L "$f" ]`,
    );
    assert.match(report.error ?? '', /log of container "main" was replaced by something that is not a file/);
    await assert.rejects(readFile(join(repo, 'wf', 'pod', 'main.log'), 'utf8'), /ENOENT/);
  });
});
