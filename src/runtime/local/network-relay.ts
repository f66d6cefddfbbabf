import { spawn } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { unlinkSync } from 'node:fs';
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

// Run as a program: `node network-relay.js <socket path>`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const socketPath = process.argv[2];
  if (!socketPath) {
    process.stderr.write('usage: network-relay <socket path>\n');
    process.exit(2);
  }
  runNetworkRelay(socketPath);
}
