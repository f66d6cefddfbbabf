import { fileURLToPath } from 'node:url';
import type { V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { HOST_SYSTEM_DIRS } from './sandbox-mounts.js';

/** Where Skiff's relay script appears in a sandbox; `.mjs`, as Node reads it there without the project's package.json. */
const RELAY_SCRIPT = '/skiff/relay/network-relay.mjs';

/** What a container needs to run Skiff's network relay (network-relay.ts) beside its command. */
export interface RelayProgram {
  /** The relay's command in the sandbox, to which its own arguments are added. */
  command: string[];
  volumes: V1Volume[];
  mounts: V1VolumeMount[];
}

/**
 * The relay as a container runs it: this Node.js and the relay's one script file, both mounted
 * read-only (Node.js only when it lives outside the system directories every sandbox sees), and
 * nothing else of Skiff's installation.
 *
 * @example relayProgram('/usr/bin/node', 'daemon').command // ['/usr/bin/node', '/skiff/relay/network-relay.mjs']
 */
export function relayProgram(nodePath: string, prefix: string): RelayProgram {
  const script = fileURLToPath(new URL('./network-relay.js', import.meta.url));
  const files = [{ name: `${prefix}-relay-script`, path: script, mountPath: RELAY_SCRIPT }];
  if (!HOST_SYSTEM_DIRS.some((dir) => nodePath.startsWith(`/${dir}/`))) files.push({ name: `${prefix}-relay-node`, path: nodePath, mountPath: nodePath });
  return {
    command: [nodePath, RELAY_SCRIPT],
    volumes: files.map((f) => ({ name: f.name, hostPath: { path: f.path } })),
    mounts: files.map((f) => ({ name: f.name, mountPath: f.mountPath, readOnly: true })),
  };
}
