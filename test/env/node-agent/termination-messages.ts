import { closeSync, openSync, readSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1ContainerStatus, V1Pod, V1PodStatus } from '@kubernetes/client-node';
import { handToSandbox, type SandboxIdentity } from '../../../src/runtime/local/sandbox-identity.js';

/** The most a kubelet keeps of a termination message. */
const LIMIT = 4096;

/**
 * A kubelet's termination messages, for the node agent: each container's `terminationMessagePath`
 * becomes a file of its own, bind-mounted at that path (an empty file the container may write),
 * and when the container has ended its content (at most 4096 bytes) is the `message` of its
 * terminated state, in the same status update that shows it ended, as the kubelet reports it.
 * Paths under /dev are left out: the sandbox makes a fresh /dev after its mounts.
 */
export async function withTerminationFiles(pod: V1Pod, podDir: string, identity: SandboxIdentity): Promise<{ pod: V1Pod; files: Map<string, string> }> {
  const dir = join(podDir, 'termination');
  await mkdir(dir, { recursive: true });
  const files = new Map<string, string>();
  const add = async <C extends { name: string; terminationMessagePath?: string; volumeMounts?: Array<{ name: string; mountPath: string; subPath?: string }> }>(
    container: C,
  ): Promise<C> => {
    const path = container.terminationMessagePath;
    if (!path || path === '/dev' || path.startsWith('/dev/')) return container;
    const file = join(dir, container.name);
    await writeFile(file, '', { mode: 0o644 });
    await handToSandbox(file, identity);
    files.set(container.name, file);
    return { ...container, volumeMounts: [...(container.volumeMounts ?? []), { name: 'skiff-termination', mountPath: path, subPath: container.name }] };
  };
  const spec = pod.spec!;
  const initContainers = await Promise.all((spec.initContainers ?? []).map(add));
  const containers = await Promise.all(spec.containers.map(add));
  if (files.size === 0) return { pod, files };
  return {
    pod: { ...pod, spec: { ...spec, initContainers, containers, volumes: [...(spec.volumes ?? []), { name: 'skiff-termination', hostPath: { path: dir } }] } },
    files,
  };
}

/** The status with each ended container's termination message filled in from its file. */
export function withTerminationMessages(status: V1PodStatus, files: Map<string, string>): V1PodStatus {
  const fill = (statuses: V1ContainerStatus[] | undefined): V1ContainerStatus[] | undefined =>
    statuses?.map((s) => {
      const terminated = s.state?.terminated;
      const file = files.get(s.name);
      if (!terminated || !file) return s;
      const message = readHead(file);
      return message ? { ...s, state: { terminated: { ...terminated, message } } } : s;
    });
  return { ...status, initContainerStatuses: fill(status.initContainerStatuses), containerStatuses: fill(status.containerStatuses) };
}

function readHead(file: string): string {
  try {
    const fd = openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(LIMIT);
      const n = readSync(fd, buffer, 0, LIMIT, 0);
      return buffer.subarray(0, n).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}
