import { chown, mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { relayProgram } from './relay-program.js';
import { handToSandbox, type SandboxIdentity } from './sandbox-identity.js';

/** A daemon of the run, as other pods reach it: its own address and its forwarded ports. */
export interface DaemonAddress {
  ip: string;
  ports: number[];
}

/** Where the gateway's directory appears in a step's sandbox. */
const GATEWAY_DIR = '/skiff/reach';

// Starts the forwarder in the background (detached, as daemon-pod.ts does with its relay), waits
// up to 5 s for it to listen on every address, then becomes the container's own command.
const LAUNCH =
  '( "$1" "$2" --forward "$3" "$4" "$5" </dev/null >/dev/null 2>&1 & ); n=0; while [ ! -e "$4" ] && [ "$n" -lt 500 ]; do sleep 0.01; n=$((n+1)); done; shift 5; exec "$@"';

export interface DaemonGateway {
  /** The pod, its named containers started beside a forwarder. */
  pod: V1Pod;
  /** Stops the gateway and removes its directory once the pod has ended. */
  close(): Promise<void>;
}

/**
 * Lets the given containers, each in a network of its own, reach the run's daemons at their
 * addresses: a forwarder in each container (network-relay.ts) listens on those addresses and
 * hands every connection to this gateway through a Unix socket; the gateway connects to the
 * daemon on this machine, and only to a daemon `live()` still lists, so the way out leads to the
 * run's daemons and nowhere else.
 */
export async function openDaemonGateway(
  pod: V1Pod,
  options: { containers: string[]; daemons: DaemonAddress[]; live(): DaemonAddress[]; nodePath: string; identity: SandboxIdentity },
): Promise<DaemonGateway> {
  // A Unix socket path must stay short: the temp directory, not the state directory.
  const dir = await mkdtemp(join(tmpdir(), 'skiff-reach-'));
  await handToSandbox(dir, options.identity);
  const socketPath = join(dir, 'gateway.sock');
  const open = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    let header = '';
    const onData = (chunk: Buffer): void => {
      header += chunk.toString('latin1');
      const end = header.indexOf('\n');
      if (end < 0) {
        if (header.length > 1024) client.destroy();
        return;
      }
      client.off('data', onData);
      client.pause();
      const request = /^TCP (127\.\d{1,3}\.\d{1,3}\.\d{1,3}) (\d{1,5})$/.exec(header.slice(0, end));
      const rest = Buffer.from(header.slice(end + 1), 'latin1');
      const allowed = request !== null && options.live().some((d) => d.ip === request[1] && d.ports.includes(Number(request[2])));
      if (!allowed) {
        client.end('ERR not a daemon of this run\n');
        return;
      }
      const upstream = connect({ host: request[1]!, port: Number(request[2]), allowHalfOpen: true });
      open.add(upstream);
      upstream.on('close', () => open.delete(upstream));
      upstream.once('error', (error) => {
        client.end(`ERR ${error.message.replace(/\n/g, ' ')}\n`);
        upstream.destroy();
      });
      upstream.once('connect', () => {
        client.write('OK\n');
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
      });
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  // The forwarder runs as the step's user: the socket must be its to connect to.
  if (options.identity.switchUser) await chown(socketPath, options.identity.uid, options.identity.gid);

  const relay = relayProgram(options.nodePath, 'skiff-reach');
  const addresses = options.daemons.flatMap((d) => d.ports.map((port) => `${d.ip}:${port}`)).join(',');
  const containers = pod.spec!.containers.map((c) => {
    if (!options.containers.includes(c.name)) return c;
    return {
      ...c,
      command: [
        '/bin/sh',
        '-c',
        LAUNCH,
        'skiff-reach',
        ...relay.command,
        `${GATEWAY_DIR}/gateway.sock`,
        `${GATEWAY_DIR}/ready-${c.name}`,
        addresses,
        ...(c.command ?? []),
        ...(c.args ?? []),
      ],
      args: [],
      volumeMounts: [...(c.volumeMounts ?? []), ...relay.mounts, { name: 'skiff-reach', mountPath: GATEWAY_DIR }],
    };
  });
  return {
    pod: {
      ...pod,
      spec: { ...pod.spec!, containers, volumes: [...(pod.spec!.volumes ?? []), ...relay.volumes, { name: 'skiff-reach', hostPath: { path: dir } }] },
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
