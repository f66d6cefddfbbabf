import { createHash } from 'node:crypto';
import type { NodeStatus, WorkflowStatus } from '../../src/engine/workflow-status.js';

/** A node id as the engine makes them: the run's name and a 10-digit hash of the node's path. */
function nodeId(run: string, path: string): string {
  return `${run}-${BigInt(`0x${createHash('sha256').update(path).digest('hex').slice(0, 12)}`) % 10_000_000_000n}`;
}

/**
 * The status of a finished steps run of `count` pod nodes, under one Steps node and step groups of
 * 100 pods each: nodes shaped as the engine records them (ids hashed, times, parameters, an
 * artifact each), so sizes measured on it are those of a real run's, not of repeated text.
 */
export function syntheticStatus(run: string, count: number): WorkflowStatus {
  const nodes: Record<string, NodeStatus> = {};
  const rootId = run;
  const groups: string[] = [];
  const start = Date.parse('2026-12-01T00:00:00Z');
  const at = (seconds: number) => new Date(start + seconds * 1000).toISOString().replace('.000Z', 'Z');
  for (let g = 0; g * 100 < count; g++) {
    const groupName = `${run}[${g}]`;
    const groupId = nodeId(run, groupName);
    groups.push(groupId);
    const children: string[] = [];
    for (let i = g * 100; i < Math.min(count, (g + 1) * 100); i++) {
      const name = `${groupName}.shard(${i}:${i * 7})`;
      const id = nodeId(run, name);
      children.push(id);
      nodes[id] = {
        id,
        name,
        displayName: `shard(${i}:${i * 7})`,
        type: 'Pod',
        templateName: 'process-shard',
        phase: 'Succeeded',
        boundaryID: rootId,
        startedAt: at(i),
        finishedAt: at(i + 3 + (i % 17)),
        inputs: {
          parameters: [
            { name: 'index', value: String(i) },
            { name: 'offset', value: String(i * 7) },
          ],
        },
        outputs: {
          parameters: [{ name: 'checksum', value: createHash('md5').update(String(i)).digest('hex') }],
          artifacts: [{ name: 'result', s3: { key: `${run}/${id}/result.tgz` } }],
          exitCode: '0',
        },
        hostNodeName: `worker-${i % 13}`,
      } as NodeStatus;
    }
    nodes[groupId] = {
      id: groupId,
      name: groupName,
      displayName: `[${g}]`,
      type: 'StepGroup',
      templateName: 'main',
      phase: 'Succeeded',
      boundaryID: rootId,
      startedAt: at(g * 100),
      finishedAt: at(g * 100 + 120),
      children,
    };
  }
  nodes[rootId] = {
    id: rootId,
    name: run,
    displayName: run,
    type: 'Steps',
    templateName: 'main',
    phase: 'Succeeded',
    startedAt: at(0),
    finishedAt: at(count + 120),
    children: groups.slice(0, 1),
  };
  return { phase: 'Succeeded', startedAt: at(0), finishedAt: at(count + 120), progress: `${count}/${count}`, nodes };
}
