import { open, stat } from 'node:fs/promises';
import type { StoredRun } from '../../engine/ports/run-store.js';
import type { NodeStatus } from '../../engine/workflow-status.js';
import { isWorkflowDone } from '../../engine/workflow-status.js';
import type { CliIO, Command } from '../cli-io.js';
import { openLocalTarget } from '../local-target.js';
import { podNameOfNode } from '../node-tree.js';
import { oneName, parseCommandArgs, STATE_DIR_HELP, STATE_DIR_OPTION } from '../parse-command-args.js';
import { requireRun } from '../read-run.js';
import { leaseOwner } from '../run-lease.js';

const USAGE = `Usage: skiff logs [options] NAME

Prints what the run's steps wrote (stdout and stderr of each pod's container), step by step in
the order they started. With several steps, each line starts with the step's name.

Options:
      --node NAME         only this step (its name, display name, node id or pod name)
  -c, --container NAME    which container of each pod (default: main; every container of a
                          containerSet)
  -f, --follow            keep printing as the steps write, until the run finishes
${STATE_DIR_HELP}
  -h, --help              show this help

Exit status: 0 printed, 1 no such run or step, or a damaged run, 2 usage error.`;

interface PodLog {
  label: string;
  path: string;
  offset: number;
  partial: string;
}

export const logsCommand: Command = {
  name: 'logs',
  summary: 'print the logs of a run\'s steps',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, {
      ...STATE_DIR_OPTION,
      node: { type: 'string' },
      container: { type: 'string', short: 'c' },
      follow: { type: 'boolean', short: 'f' },
    });
    const runId = oneName(positionals);
    const target = openLocalTarget(io, { stateDir: values['state-dir'] });
    let run = await requireRun(target.layout, runId);
    if (values.node !== undefined && !run.status.nodes[values.node] && !podsOf(run, values.node).length && !values.follow) {
      throw new Error(`run "${runId}" has no step "${values.node}"`);
    }
    const logs = new Map<string, PodLog>();
    const pump = async (flush: boolean): Promise<void> => {
      const pods = podsOf(run, values.node);
      // A containerSet's pod has a log per container: without --container, each is printed.
      const wanted = pods.flatMap((node) => {
        const containers = values.container !== undefined ? [values.container] : containerSetMembers(run, node);
        return containers.length === 0 ? [{ node, container: 'main', label: node.displayName }] : containers.map((container) => ({ node, container, label: `${node.displayName}/${container}` }));
      });
      const prefixed = (podsOf(run, undefined).length > 1 && values.node === undefined) || wanted.length > 1;
      for (const { node, container, label } of wanted) {
        const pod = logNameOf(run.workflow.metadata.name ?? run.id, node)!;
        let log = logs.get(`${pod}/${container}`);
        if (!log) logs.set(`${pod}/${container}`, (log = { label, path: target.layout.containerLog(run.id, pod, container), offset: 0, partial: '' }));
        await readNew(log, io, prefixed, flush);
      }
    };
    if (!values.follow) {
      await pump(true);
      return 0;
    }
    for (;;) {
      const done = isWorkflowDone(run.status.phase) || (await leaseOwner(target.layout, runId)) === undefined;
      await pump(done);
      if (done) return 0;
      await new Promise((resolve) => setTimeout(resolve, 200));
      run = await requireRun(target.layout, runId);
    }
  },
};

/** Where a node's log is kept: under its pod's name; an HTTP node, which has no pod, under the name a pod of it would have. */
function logNameOf(workflowName: string, node: NodeStatus): string | undefined {
  return podNameOfNode(workflowName, node.type === 'HTTP' ? { ...node, type: 'Pod' } : node);
}

/** Pod and HTTP nodes, in the order they started, optionally only the one named. */
function podsOf(run: StoredRun, wanted: string | undefined): NodeStatus[] {
  const name = run.workflow.metadata.name ?? run.id;
  return Object.values(run.status.nodes)
    .filter((n) => n.type === 'Pod' || n.type === 'HTTP')
    .filter((n) => wanted === undefined || n.id === wanted || n.name === wanted || n.displayName === wanted || logNameOf(name, n) === wanted)
    .sort((a, b) => (a.startedAt ?? '\uffff').localeCompare(b.startedAt ?? '\uffff'));
}

/** The containers of a containerSet's pod node, in order (none for any other pod). */
function containerSetMembers(run: StoredRun, pod: NodeStatus): string[] {
  return Object.values(run.status.nodes)
    .filter((n) => n.type === 'Container' && n.boundaryID === pod.id)
    .map((n) => n.displayName);
}

/** Prints what was added to a log since the last look; a line is printed only once it is whole. */
async function readNew(log: PodLog, io: CliIO, prefixed: boolean, flush: boolean): Promise<void> {
  let size: number;
  try {
    size = (await stat(log.path)).size;
  } catch {
    return; // the step has not written anything (or has not started)
  }
  if (size > log.offset) {
    const handle = await open(log.path, 'r');
    try {
      const buffer = Buffer.alloc(size - log.offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, log.offset);
      log.offset += bytesRead;
      log.partial += buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  }
  const lines = log.partial.split('\n');
  log.partial = lines.pop() ?? '';
  if (flush && log.partial !== '') {
    lines.push(log.partial);
    log.partial = '';
  }
  if (lines.length > 0) io.stdout.write(lines.map((line) => `${prefixed ? `${log.label}: ` : ''}${line}\n`).join(''));
}
