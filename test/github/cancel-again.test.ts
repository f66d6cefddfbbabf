// `/skiff cancel` terminates with a message naming its comment; the same comment handled again
// (its process killed after it cancelled, before it replied) finds the runs it ended and says so,
// where it used to answer "nothing to cancel".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cancelRunsCommand, type CommandHead } from '../../src/github/run-commands.js';
import type { PullRequestRunPorts } from '../../src/github/pull-request-runs.js';
import type { RunLauncher } from '../../src/ports/run-launcher.js';
import type { StoredRun } from '../../src/ports/run-store.js';
import { SHUTDOWN_MESSAGE_ANNOTATION } from '../../src/spec/model/argo-labels.js';

function runOf(name: string, workflow: string): StoredRun {
  return {
    key: `ci/${name}`,
    workflow: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { name, annotations: { 'skiff.dev/repository': 'acme/flows', 'skiff.dev/workflow': workflow } },
      spec: {},
    } as never,
    status: { phase: 'Running', nodes: {} },
  };
}

test('a cancel handled again reports the runs it cancelled; another comment finds nothing to cancel', async () => {
  const runs = [runOf('slow-abcde', 'slow'), runOf('fast-fghij', 'fast')];
  runs[1]!.status.phase = 'Succeeded';
  const terminated: Array<{ key: string; message: string }> = [];
  const launcher = {
    find: async () => runs,
    terminate: async (key: string, message: string) => {
      terminated.push({ key, message });
      // As the driver does: the message is kept on the workflow, and the run ends.
      const run = runs.find((r) => r.key === key)!;
      run.workflow.metadata!.annotations = { ...run.workflow.metadata!.annotations, [SHUTDOWN_MESSAGE_ANNOTATION]: message };
      run.status.phase = 'Failed';
    },
  } as unknown as RunLauncher;
  const ports = { runs: { launcher } } as unknown as PullRequestRunPorts;
  const head = { headSha: 'a'.repeat(40), labels: {}, definitions: async () => ({ problem: '' }), where: '' } as CommandHead;
  const by = { author: 'bob', commentId: 42 };

  const first = await cancelRunsCommand(ports, 'acme/flows', head, undefined, by);
  assert.equal(first, 'cancel for commit aaaaaaa\n\n- slow (ci/slow-abcde): cancelled');
  assert.deepEqual(terminated, [{ key: 'ci/slow-abcde', message: 'cancelled by bob (/skiff cancel in comment 42)' }]);

  const again = await cancelRunsCommand(ports, 'acme/flows', head, undefined, by);
  assert.equal(again, first, 'the same answer');
  assert.equal(terminated.length, 1, 'nothing terminated twice');

  const other = await cancelRunsCommand(ports, 'acme/flows', head, undefined, { author: 'bob', commentId: 43 });
  assert.equal(other, 'no run is going for commit aaaaaaa: nothing to cancel.');
});
