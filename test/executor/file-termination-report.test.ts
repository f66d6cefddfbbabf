// The wait container's report as its termination message: whole when it fits, else stored in the
// repository (a local directory repository here) behind a pointer the runtime can verify, and
// with no repository a failure that names the limit. Read back through KubeExecutorReports, as
// the cluster runtime reads it from the pod's status.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { createArtifactDriver } from '../../src/artifacts/index.js';
import { fileTerminationReport } from '../../src/executor/file-termination-report.js';
import { KubeExecutorReports } from '../../src/runtime/cluster/kube-executor-reports.js';
import { type ExecutorPlan, type ExecutorReport, PLAN_ENV } from '../../src/runtime/pod-spec/executor-plan.js';
import { parseReportMessage } from '../../src/runtime/pod-spec/report-message.js';

describe('fileTerminationReport and KubeExecutorReports', () => {
  let dir: string;
  const driver = () => createArtifactDriver({ secrets: { get: async () => undefined }, namespace: 'default', localRoot: async (root) => root });
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-report-test-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const plan = (overflow: boolean): ExecutorPlan => ({
    namespace: 'default',
    inputs: [],
    parameters: [],
    artifacts: [],
    result: true,
    report: {
      terminationMessagePath: join(dir, `termination-${overflow}`),
      ...(overflow ? { overflow: { local: { root: join(dir, 'repo'), key: 'wf/pod/skiff-executor-report.json' } } } : {}),
    },
  });
  /** The pod as the API server shows it once wait has ended with `message`. */
  const podWith = (p: ExecutorPlan, message: string): V1Pod => ({
    metadata: { name: 'pod', namespace: 'default' },
    spec: { containers: [{ name: 'wait', env: [{ name: PLAN_ENV, value: JSON.stringify(p) }] }] },
    status: {
      containerStatuses: [
        { name: 'wait', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, message, finishedAt: new Date(1000) } } },
      ],
    },
  });
  const read = async (p: ExecutorPlan, message: string) =>
    new KubeExecutorReports({ podOf: () => podWith(p, message), driverFor: driver }).read({ run: 'default/wf', podName: 'pod' });
  const opened = async () => {
    const d = driver();
    return { driver: d, close: () => d.close() };
  };

  it('a short report is the message itself', async () => {
    const p = plan(true);
    const report: ExecutorReport = { exitCode: 0, result: 'hi' };
    await fileTerminationReport(p, report, { driver: opened });
    const message = await readFile(p.report!.terminationMessagePath, 'utf8');
    assert.deepEqual(parseReportMessage(message), { report });
    assert.deepEqual((await read(p, message))?.report, report);
    assert.equal((await read(p, message))?.filedAt, 1000);
  });

  it('a long report is stored in the repository and read back through the pointer, checked', async () => {
    const p = plan(true);
    const report: ExecutorReport = { exitCode: 0, result: 'x'.repeat(10_000) };
    await fileTerminationReport(p, report, { driver: opened });
    const message = await readFile(p.report!.terminationMessagePath, 'utf8');
    assert.ok(message.length < 400, message);
    assert.ok('pointer' in parseReportMessage(message)!);
    assert.equal((await read(p, message))?.report.result?.length, 10_000);
    // Someone rewrote the stored report: refused, not believed.
    await import('node:fs/promises').then((fs) =>
      fs.writeFile(join(dir, 'repo', 'wf/pod/skiff-executor-report.json'), JSON.stringify({ exitCode: 0, result: 'forged' })),
    );
    const forged = await read(p, message);
    assert.equal(forged?.malformed, true);
    assert.match(forged?.report.error ?? '', /bytes, not the|SHA-256/);
  });

  it('a smaller limit (a pod of many containers) sends a report over it through the repository', async () => {
    const p = plan(true);
    p.report!.limit = 1024;
    const report: ExecutorReport = { exitCode: 0, result: 'y'.repeat(2000) };
    await fileTerminationReport(p, report, { driver: opened });
    const message = await readFile(p.report!.terminationMessagePath, 'utf8');
    assert.ok('pointer' in parseReportMessage(message)!);
    assert.equal((await read(p, message))?.report.result, 'y'.repeat(2000));
  });

  it('a pointer to any other key than the pod plan names is refused', async () => {
    const p = plan(true);
    const message = JSON.stringify({ skiffReportPointer: { key: '../../etc/passwd', sha256: 'a'.repeat(64), size: 10 } });
    const read1 = await read(p, message);
    assert.equal(read1?.malformed, true);
    assert.match(read1?.report.error ?? '', /not the pod's own report location/);
  });

  it('with no repository, a long report is filed as a failure naming the limit, and the exit code is kept', async () => {
    const p = plan(false);
    const filed = await fileTerminationReport(p, { exitCode: 3, result: 'x'.repeat(10_000) });
    assert.equal(filed.exitCode, 3);
    assert.match(filed.error ?? '', /more than the 4096-byte termination message.*no artifact repository/);
    const message = await readFile(p.report!.terminationMessagePath, 'utf8');
    assert.deepEqual((await read(p, message))?.report, filed);
  });

  it("a message that is not Skiff's is no report; its words are the wait container's reason", async () => {
    const p = plan(false);
    const reports = new KubeExecutorReports({ podOf: () => podWith(p, 'OOMKilled'), driverFor: driver });
    assert.equal(await reports.read({ run: 'default/wf', podName: 'pod' }), undefined);
    assert.equal(await reports.terminationMessage({ run: 'default/wf', podName: 'pod' }, 'wait'), 'OOMKilled');
  });
});
