import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { relayProgram } from './relay-program.js';
import { handToSandbox, type SandboxIdentity } from './sandbox-identity.js';

/** Where the relay's directory appears in the daemon's sandbox. */
export const RELAY_DIR = '/skiff/net';

// Starts the relay in the background, detached from the command (a subshell that exits at once
// leaves it to the sandbox's init, so no program of the user's inherits it as a child), then
// becomes the container's own command. The relay's output goes nowhere: the container log is the user's.
const LAUNCH = '( "$1" "$2" "$3" </dev/null >/dev/null 2>&1 & ); shift 3; exec "$@"';

export interface DaemonPod {
  /** The pod, its main container started beside the relay. */
  pod: V1Pod;
  /** The relay's socket on this machine (for runPod's `network`). */
  relaySocket: string;
  /** Removes the relay's directory once the pod has ended. */
  dispose(): Promise<void>;
}

/**
 * Prepares a daemon's pod for a network of its own: its main container will run in a network
 * namespace of its own (see runPod's `network`), where Skiff cannot connect, so it starts Skiff's
 * relay (network-relay.ts, run by this Node.js) beside the user's command, listening on a Unix
 * socket in a short-named directory both sides see (the step's user's, so the relay can make it).
 */
export async function prepareDaemonPod(pod: V1Pod, options: { nodePath: string; identity: SandboxIdentity; container?: string }): Promise<DaemonPod> {
  const name = options.container ?? 'main';
  // A Unix socket path must stay short (about 100 bytes): the state directory may be deep, the temp directory is not.
  const dir = await mkdtemp(join(tmpdir(), 'skiff-net-'));
  await handToSandbox(dir, options.identity);
  const relay = relayProgram(options.nodePath, 'skiff-daemon');
  const volumes = [...relay.volumes, { name: 'skiff-relay', hostPath: { path: dir } }];
  let found = false;
  const containers = pod.spec!.containers.map((c) => {
    if (c.name !== name) return c;
    found = true;
    return {
      ...c,
      command: ['/bin/sh', '-c', LAUNCH, 'skiff-relay', ...relay.command, `${RELAY_DIR}/relay.sock`, ...(c.command ?? []), ...(c.args ?? [])],
      args: [],
      volumeMounts: [...(c.volumeMounts ?? []), ...relay.mounts, { name: 'skiff-relay', mountPath: RELAY_DIR }],
    };
  });
  const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true, maxRetries: 5 });
  if (!found) {
    await dispose();
    throw new Error(`the pod has no container "${name}"`);
  }
  return {
    pod: { ...pod, spec: { ...pod.spec!, containers, volumes: [...(pod.spec!.volumes ?? []), ...volumes] } },
    relaySocket: join(dir, 'relay.sock'),
    dispose,
  };
}
