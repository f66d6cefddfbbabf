import type { NodeStatus } from '../engine/workflow-status.js';
import { kubeArtifactAccess } from '../kube/kube-artifact-access.js';
import { KubeNotFoundError } from '../kube/kube-errors.js';
import type { StoredRun } from '../ports/run-store.js';
import { readArchivedLog } from '../runs/archived-log.js';
import { splitRunKey, type RunKey } from '../ports/run-key.js';
import type { CliIO } from './cli-io.js';
import type { ClusterTarget } from './cluster-target.js';
import { describeRun } from './describe-run.js';
import { COLORS, containerSetMembers, type LogOptions, logNameOf, podsOf } from './print-run-logs.js';
import { requireTargetRun } from './read-run.js';

/**
 * Prints the logs of a run's steps in a cluster as `argo logs` does, the same way as for a local
 * run: each step's pod's log read through the API server with the options a kubelet applies
 * (`tailLines`, `sinceSeconds`, `sinceTime`), its lines after the pod's name. Times are always
 * asked for (`timestamps`), so `--grep` matches what the step wrote, and shown with --timestamps.
 * Returns 1 if `node` names nothing.
 */
export async function printClusterLogs(target: ClusterTarget, io: CliIO, runId: RunKey, options: LogOptions): Promise<number> {
  const run = await requireTargetRun(target, runId);
  // A node that finished before --since cannot have written since: podsOf leaves it out; the kubelet filters the lines.
  const pods = podsOf(run, { ...options, since: undefined }).filter(({ node }) => node.type === 'Pod');
  if (options.node !== undefined && pods.length === 0) {
    io.stderr.write(`skiff logs: ${describeRun(runId)} has no step "${options.node}"\n`);
    return 1;
  }
  const name = run.workflow.metadata.name ?? splitRunKey(runId).name;
  const { namespace } = splitRunKey(runId);
  let count = 0;
  for (const { node, attempt } of pods) {
    const members = options.container !== undefined ? [options.container] : containerSetMembers(run, node);
    for (const container of members.length === 0 ? ['main'] : members) {
      const pod = logNameOf(name, node)!;
      const label = `${pod}${members.length > 1 ? `/${container}` : ''}${attempt ? ` (attempt ${attempt})` : ''}`;
      const color = COLORS[count++ % COLORS.length]!;
      let text: string;
      let archived = false;
      try {
        const chunks: Buffer[] = [];
        for await (const chunk of target.podLogs.podLog(namespace, pod, container, {
          timestamps: true,
          ...(options.tail !== undefined ? { tailLines: options.tail } : {}),
          // --since as the API's sinceSeconds, --since-time as its sinceTime (which the API server
          // passes on to the second): the kubelet keeps the lines since then, and those of the last
          // fraction of a second are kept here by their own times.
          ...(options.sinceSeconds !== undefined
            ? { sinceSeconds: options.sinceSeconds }
            : options.since !== undefined
              ? { sinceTime: new Date(Math.floor(options.since / 1000) * 1000).toISOString().replace('.000Z', 'Z') }
              : {}),
        }))
          chunks.push(chunk);
        text = Buffer.concat(chunks).toString('utf8');
      } catch (error) {
        if (!(error instanceof KubeNotFoundError)) throw error;
        // A pod deleted since (by podGC, or with its run's artifacts) has no log left to read,
        // unless the step archived it (archiveLogs): then that copy is the log, without times.
        const kept = await archivedLog(target, run, node, container);
        if (kept === undefined) continue;
        io.stderr.write(`skiff logs: pod ${pod} is gone; its log below is the copy archiveLogs kept in the artifact repository\n`);
        const lines = kept
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== '');
        text = (options.tail !== undefined ? lines.slice(-options.tail) : lines).map((line) => ` ${line}`).join('\n');
        archived = true;
      }
      const format = clusterLineFormat(label, color, options);
      let out = '';
      for (const line of text.split('\n')) if (line !== '') out += format(line, archived);
      if (out) io.stdout.write(out);
    }
  }
  return 0;
}

/**
 * Turns a line of a pod's log, as the API server sends it with `timestamps` (its time, a space,
 * what the step wrote), into the line printed: after the pod's label, with its time if asked, or
 * into nothing when --since or --grep leaves it out. An archived line has no time (it was given
 * one leading space): --since and --timestamps pass it as it is.
 */
export function clusterLineFormat(label: string, color: number, options: LogOptions): (line: string, archived: boolean) => string {
  const prefix = options.color ? `\u001b[${color}m${label}\u001b[0m: ` : `${label}: `;
  return (line, archived) => {
    const space = line.indexOf(' ');
    const time = space < 0 ? line : line.slice(0, space);
    const said = space < 0 ? '' : line.slice(space + 1);
    if (!archived && options.since !== undefined && Date.parse(time) < options.since) return '';
    if (options.grep && !options.grep.test(said)) return '';
    return `${prefix}${options.timestamps && !archived ? `${time} ` : ''}${said}\n`;
  };
}

/** The log archiveLogs kept of a container whose pod is gone, read through the run's repository. */
export async function archivedLog(target: ClusterTarget, run: StoredRun, node: NodeStatus, container: string): Promise<Buffer | undefined> {
  if (!node.outputs?.artifacts?.some((a) => a.name === `${container}-logs`)) return undefined;
  const access = await kubeArtifactAccess(run, target.objects);
  try {
    return await readArchivedLog(access, node, container);
  } finally {
    access.close();
  }
}
