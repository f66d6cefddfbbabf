import { spawn } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { unlinkSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * The relay a daemon pod's container runs beside its command, inside its sandbox and so inside its
 * own network namespace, where Skiff itself cannot connect. Skiff reaches the pod through the
 * relay's Unix socket (on a directory both sides see), one request per connection, a header line:
 *
 * - `TCP <port>`: connect to the pod's `127.0.0.1:<port>`; answers `OK` and then carries bytes
 *   both ways, or `ERR <reason>` and closes. Readiness probes and forwarded connections use it.
 * - `PING`: answers `PONG` (the relay is up).
 * - `EXEC <JSON argv> <timeout ms>`: run a command in the container (exec probes); answers
 *   `EXIT <code>` (124 on timeout, 127 when it cannot start).
 *
 * The relay has nothing of its own to clean up: it ends with the sandbox's PID namespace.
 */
export function runNetworkRelay(socketPath: string): void {
  try {
    unlinkSync(socketPath);
  } catch {
    // not there: the usual case
  }
  const server = createServer({ allowHalfOpen: true }, (client) => {
    let header = '';
    const onData = (chunk: Buffer): void => {
      header += chunk.toString('latin1');
      const end = header.indexOf('\n');
      if (end < 0) {
        if (header.length > 64 * 1024) client.destroy();
        return;
      }
      client.off('data', onData);
      client.pause();
      const line = header.slice(0, end);
      const rest = Buffer.from(header.slice(end + 1), 'latin1');
      handle(line, rest, client);
    };
    client.on('data', onData);
    client.on('error', () => client.destroy());
  });
  server.listen(socketPath);
}

function handle(line: string, rest: Buffer, client: Socket): void {
  if (line === 'PING') {
    client.end('PONG\n');
    return;
  }
  const tcp = /^TCP (\d{1,5})$/.exec(line);
  if (tcp) return relayTcp(Number(tcp[1]), rest, client);
  const exec = /^EXEC (\[.*\]) (\d+)$/.exec(line);
  if (exec) {
    let argv: unknown;
    try {
      argv = JSON.parse(exec[1]!);
    } catch {
      argv = undefined;
    }
    return runExec(argv, Number(exec[2]), client);
  }
  client.end(`ERR unknown request\n`);
}

function relayTcp(port: number, rest: Buffer, client: Socket): void {
  const upstream = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  upstream.once('connect', () => {
    upstream.off('error', refused);
    client.write('OK\n');
    if (rest.length > 0) upstream.write(rest);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
    // Ends pass through both ways (pipe); only an error tears both down.
    const abort = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', abort);
    upstream.on('error', abort);
  });
  const refused = (error: Error): void => {
    client.end(`ERR ${error.message.replace(/\n/g, ' ')}\n`);
  };
  upstream.once('error', refused);
}

function runExec(argv: unknown, timeoutMs: number, client: Socket): void {
  const command = Array.isArray(argv) && argv.every((a) => typeof a === 'string') ? (argv as string[]) : [];
  if (command.length === 0) {
    client.end('EXIT 127\n');
    return;
  }
  const child = spawn(command[0]!, command.slice(1), { stdio: 'ignore' });
  let answered = false;
  const answer = (code: number): void => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    client.end(`EXIT ${code}\n`);
  };
  const timer = setTimeout(() => {
    child.kill('SIGKILL');
    answer(124);
  }, timeoutMs);
  child.on('error', () => answer(127));
  child.on('close', (code, signal) => answer(code ?? (signal ? 128 + 9 : 1)));
}

/**
 * The other direction, for a step in a network of its own: listens on each of the run's daemon
 * addresses (`127.x.y.z:port`, on the step's own loopback) and carries each connection to Skiff
 * through `socketPath` (a `TCP <ip> <port>` header line, then bytes both ways once Skiff answers
 * `OK`; see daemon-gateway.ts), so the step reaches the daemons at the addresses Argo's
 * `{{steps.NAME.ip}}` gives it and nothing else. Writes `readyFile` once every address listens.
 */
export function runDaemonForwarder(socketPath: string, readyFile: string, addresses: Array<{ ip: string; port: number }>): void {
  let listening = 0;
  for (const { ip, port } of addresses) {
    const server = createServer({ allowHalfOpen: true }, (client) => {
      client.pause();
      client.on('error', () => client.destroy());
      const upstream = connect({ path: socketPath, allowHalfOpen: true });
      upstream.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      upstream.once('connect', () => upstream.write(`TCP ${ip} ${port}\n`));
      let answer = '';
      let piped = false;
      upstream.on('close', () => {
        if (!piped) client.resetAndDestroy();
      });
      const onAnswer = (chunk: Buffer): void => {
        answer += chunk.toString('latin1');
        const end = answer.indexOf('\n');
        if (end < 0) return;
        upstream.off('data', onAnswer);
        if (answer.slice(0, end) !== 'OK') {
          client.resetAndDestroy();
          upstream.destroy();
          return;
        }
        const rest = answer.slice(end + 1);
        if (rest.length > 0) client.write(Buffer.from(rest, 'latin1'));
        piped = true;
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      };
      upstream.on('data', onAnswer);
    });
    server.listen({ host: ip, port }, () => {
      if (++listening === addresses.length) writeFileSync(readyFile, '');
    });
  }
}

// Run as a program: `node network-relay.js <socket path>`, or
// `node network-relay.js --forward <socket path> <ready file> <ip:port,...>`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [first, socketPath, readyFile, list] = process.argv.slice(2);
  if (first === '--forward' && socketPath && readyFile && list) {
    runDaemonForwarder(
      socketPath,
      readyFile,
      list.split(',').map((a) => ({ ip: a.slice(0, a.lastIndexOf(':')), port: Number(a.slice(a.lastIndexOf(':') + 1)) })),
    );
  } else if (first && first !== '--forward') {
    runNetworkRelay(first);
  } else {
    process.stderr.write('usage: network-relay <socket path> | --forward <socket path> <ready file> <ip:port,...>\n');
    process.exit(2);
  }
}
