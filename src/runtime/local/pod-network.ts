import { randomInt } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface PodNetworkOptions {
  /** The Unix socket of the relay running inside the pod (see network-relay.ts). */
  relaySocket: string;
  /** The pod's TCP ports to forward from its address (declared container ports and probed ports). */
  ports: number[];
  /** Picks the pod's address; default: a random one in 127.1.0.1–127.254.255.254. */
  pickAddress?: () => string;
}

/** A pod with a network namespace of its own, as this machine reaches it. */
export interface PodNetwork {
  /** The pod's address here: a loopback address of its own, on which its ports are forwarded. */
  readonly ip: string;
  /** A connection to the pod's `port`, made inside its namespace; rejects with the reason when nothing listens. */
  connect(port: number, timeoutMs: number): Promise<Socket>;
  /** Runs a command in the pod's container (exec probes); resolves to its exit code (124 on timeout). */
  exec(argv: string[], timeoutMs: number): Promise<number>;
  /** Resolves once the relay answers, or rejects after `timeoutMs`. */
  waitForRelay(timeoutMs: number): Promise<void>;
  /** Stops forwarding and ends the connections forwarded so far. */
  close(): Promise<void>;
}

const ATTEMPTS = 50;

/**
 * Gives a pod that has a network namespace of its own (a daemon) an address of its own, as a
 * cluster gives every pod an IP: Linux routes all of 127.0.0.0/8 to the loopback interface, so
 * each pod gets a distinct 127.x.y.z, and a connection to one of its ports there is carried into
 * its namespace through its relay. Other pods reach it at that address, and two pods may listen
 * on the same port. Picks another address when one is taken (by another Skiff on this machine).
 *
 * @example
 *   const network = await openPodNetwork({ relaySocket: '/tmp/skiff-net-x/relay.sock', ports: [9999] });
 *   network.ip; // '127.83.4.17': `nc 127.83.4.17 9999` reaches the pod's port 9999
 */
export async function openPodNetwork(options: PodNetworkOptions): Promise<PodNetwork> {
  const pick = options.pickAddress ?? randomAddress;
  const ports = [...new Set(options.ports)];
  const open = new Set<Socket>();
  const through = (port: number, timeoutMs: number): Promise<Socket> => relayed(options.relaySocket, `TCP ${port}`, timeoutMs);

  const forward =
    (port: number) =>
    (client: Socket): void => {
      open.add(client);
      client.on('close', () => open.delete(client));
      client.on('error', () => client.destroy());
      client.pause();
      through(port, 10_000).then(
        (upstream) => {
          open.add(upstream);
          upstream.on('close', () => open.delete(upstream));
          // Half-closes pass through (a client that sends and then shuts its side still gets the answer).
          const abort = (): void => {
            client.destroy();
            upstream.destroy();
          };
          upstream.on('error', abort);
          client.on('error', abort);
          client.pipe(upstream);
          upstream.pipe(client);
          client.resume();
        },
        // Nothing listens on that port in the pod: the client sees the connection refused, as it would in a cluster.
        () => client.resetAndDestroy(),
      );
    };

  let servers: Server[] = [];
  let ip = '';
  for (let attempt = 0; ; attempt++) {
    ip = pick();
    try {
      servers = await listenAll(ip, ports, forward);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= ATTEMPTS) {
        throw new Error(`cannot forward the pod's ports ${ports.join(', ')} on ${ip}: ${(error as Error).message}`);
      }
    }
  }

  return {
    ip,
    connect: through,
    async exec(argv, timeoutMs) {
      const socket = await relayed(options.relaySocket, `EXEC ${JSON.stringify(argv)} ${Math.max(1, Math.round(timeoutMs))}`, timeoutMs + 2000, true);
      const answer = await readLine(socket, timeoutMs + 2000).finally(() => socket.destroy());
      const code = /^EXIT (\d+)$/.exec(answer);
      if (!code) throw new Error(`unexpected answer from the pod's relay: ${answer}`);
      return Number(code[1]);
    },
    async waitForRelay(timeoutMs) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        try {
          const socket = await relayed(options.relaySocket, 'PING', 1000, true);
          socket.destroy();
          return;
        } catch (error) {
          if (Date.now() >= until) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    },
    async close() {
      for (const socket of open) socket.destroy();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}

function randomAddress(): string {
  return `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
}

async function listenAll(ip: string, ports: number[], forward: (port: number) => (client: Socket) => void): Promise<Server[]> {
  const servers: Server[] = [];
  try {
    for (const port of ports) {
      const server = createServer({ allowHalfOpen: true }, forward(port));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: ip, port, exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      servers.push(server);
    }
    return servers;
  } catch (error) {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    throw error;
  }
}

/**
 * Sends one request to the relay. For `TCP`, resolves to the connection once the relay answers
 * `OK` (any bytes after the answer are kept for the caller); `raw` resolves as soon as the request
 * is sent, for requests whose answer the caller reads.
 */
function relayed(relaySocket: string, request: string, timeoutMs: number, raw = false): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect({ path: relaySocket, allowHalfOpen: true });
    const timer = setTimeout(() => fail(new Error(`timed out after ${timeoutMs / 1000}s`)), timeoutMs);
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    socket.on('error', (error: NodeJS.ErrnoException) => {
      fail(error.code === 'ENOENT' || error.code === 'ECONNREFUSED' ? new Error(`the pod's network relay is not running (${error.code})`) : error);
    });
    socket.once('connect', () => {
      socket.write(`${request}\n`);
      if (raw) {
        settled = true;
        clearTimeout(timer);
        return resolve(socket);
      }
      readLine(socket, timeoutMs).then(
        (line) => {
          if (line === 'OK') {
            settled = true;
            clearTimeout(timer);
            resolve(socket);
          } else fail(new Error(line.replace(/^ERR /, '')));
        },
        (error: Error) => fail(error),
      );
    });
  });
}

/** Reads one `\n`-terminated line from `socket`; bytes after it are put back for the next reader. */
function readLine(socket: Socket, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => done(new Error(`timed out after ${timeoutMs / 1000}s`)), timeoutMs);
    const done = (error: Error | undefined, line?: string): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      if (error) reject(error);
      else resolve(line!);
    };
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\n');
      if (end < 0) return;
      socket.pause();
      const rest = text.slice(end + 1);
      if (rest.length > 0) socket.unshift(Buffer.from(rest, 'latin1'));
      done(undefined, text.slice(0, end));
    };
    const onEnd = (): void => done(new Error(text ? `the pod's relay answered "${text}" and closed` : `the pod's relay closed the connection`));
    const onError = (error: Error): void => done(error);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
  });
}
