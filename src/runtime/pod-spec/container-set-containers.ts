import type { V1Container, V1VolumeMount } from '@kubernetes/client-node';
import type { Container } from '../../spec/model/kubernetes.js';
import type { Template } from '../../spec/model/workflow.js';
import { containerSetProblems, containerSetRetries, containerSetRetryDelay } from '../../spec/rules/container-set-rules.js';
import { mainWrapper, type WrapperOutputs } from './main-wrapper.js';

export interface ContainerSetParts {
  /** The pod's shared run volume, which every container mounts: where exit codes meet. */
  runMount: V1VolumeMount;
  /** Input artifacts at their paths; only `main` gets them, as only main loads inputs. */
  inputMounts: V1VolumeMount[];
  /** The template's outputs, which only `main` keeps for the wait container. */
  outputs: WrapperOutputs;
  /** The shell the wrapper runs in (`/bin/sh -c`, or a busybox's `sh -c`), and that busybox if any. */
  shell: string[];
  busybox?: string;
}

/**
 * The user containers of a containerSet's pod, as Argo's emissary runs them: all start with the
 * pod, each with the set's shared volumeMounts, and each under the wrapper, which holds its
 * command back until its dependencies have exited 0 and retries it per
 * `containerSet.retryStrategy`. Only `main` keeps outputs and stdout for `outputs.result`.
 * A set that could never run (a cycle, a dependency on nothing, a container without a command,
 * since images are not pulled) is refused with what is wrong and where. Pure.
 *
 * @example containerSetContainers(template, parts) // { containers: [{ name: 'a', command: ['/bin/sh', '-c', wrapper, 'skiff-a', 'echo', 'a'] }, ...] }
 */
export function containerSetContainers(template: Template, parts: ContainerSetParts): { containers: V1Container[] } | { error: string } {
  const where = `containerSet of template "${template.name}"`;
  const problem = containerSetProblems(template)[0];
  if (problem) return { error: `${where}: ${problem.message}` };
  const set = template.containerSet!;
  const limit = set.retryStrategy?.retries !== undefined ? containerSetRetries(set.retryStrategy.retries) : 0;
  const delaySeconds = containerSetRetryDelay(set.retryStrategy?.duration ?? '');
  if (limit === undefined) return { error: `${where}: retryStrategy.retries "${String(set.retryStrategy?.retries)}" is not a whole number of retries` };
  if (delaySeconds === undefined)
    return { error: `${where}: retryStrategy.duration "${String(set.retryStrategy?.duration)}" is not a duration such as "500ms" or "10s"` };
  // Every container's log is archived when the template's is (Argo's `<container>-logs`), not only main's.
  const none: WrapperOutputs = { parameters: [], artifacts: [], result: false, ...(parts.outputs.log ? { log: true } : {}) };
  const containers: V1Container[] = [];
  for (const member of set.containers) {
    const { dependencies, ...source } = member as Container & { dependencies?: string[] };
    const argv = [...(source.command ?? []), ...(source.args ?? [])];
    if (argv.length === 0) return { error: `${where}: container "${source.name}" has no command: images are not pulled, so name the command to run` };
    const isMain = source.name === 'main';
    const wrapper = mainWrapper(isMain ? parts.outputs : none, {
      container: source.name,
      dependencies: dependencies ?? [],
      ...(limit > 0 ? { retries: { limit, delaySeconds } } : {}),
      ...(parts.busybox ? { busybox: parts.busybox } : {}),
    });
    containers.push({
      ...(source as V1Container),
      command: [...parts.shell, wrapper, `skiff-${source.name}`, ...argv],
      args: [],
      env: [...((source.env ?? []) as V1Container['env'] & object)],
      volumeMounts: [
        ...((source.volumeMounts ?? []) as V1VolumeMount[]),
        ...((set.volumeMounts ?? []) as V1VolumeMount[]),
        parts.runMount,
        ...(isMain ? parts.inputMounts : []),
      ],
    });
  }
  return { containers };
}
