import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { V1Container, V1Probe } from '@kubernetes/client-node';

/** How a probe reaches the pod: connections and commands made inside its namespaces (see pod-network.ts). */
export interface ProbeTarget {
  readonly ip: string;
  connect(port: number, timeoutMs: number): Promise<Socket>;
  exec(argv: string[], timeoutMs: number): Promise<number>;
}

export interface ReadinessListener {
  /** The container became ready, or stopped being ready. */
  onReady(ready: boolean): void;
  /** A check failed; called again only when the reason changes, so a log stays short. */
  onFailure(reason: string): void;
}

/** Timers, replaceable in tests. */
export interface ProbeClock {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: ProbeClock = { setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout) };

/**
 * Why a readiness probe cannot be run here (a message naming the field), or undefined when it
 * can: exactly one of `exec`, `httpGet`, `tcpSocket`, with a port the container declares when it
 * is named. gRPC probes are not run locally.
 */
export function probeProblem(probe: V1Probe, container: V1Container): string | undefined {
  const where = `container "${container.name}" readinessProbe`;
  const handlers = (['exec', 'httpGet', 'tcpSocket', 'grpc'] as const).filter((h) => probe[h] !== undefined && probe[h] !== null);
  if (handlers.length !== 1)
    return `${where} must have exactly one of exec, httpGet, tcpSocket (it has ${handlers.length === 0 ? 'none' : handlers.join(', ')})`;
  if (probe.grpc) return `${where}.grpc: gRPC probes are not run by the local runtime; use tcpSocket on the same port`;
  if (probe.exec && (probe.exec.command ?? []).length === 0) return `${where}.exec.command is empty`;
  const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
  if (port !== undefined && resolvePort(port, container) === undefined) {
    return `${where}: port ${JSON.stringify(port)} is neither a port number nor the name of one of the container's ports`;
  }
  for (const [field, value] of Object.entries({
    initialDelaySeconds: probe.initialDelaySeconds,
    periodSeconds: probe.periodSeconds,
    timeoutSeconds: probe.timeoutSeconds,
    successThreshold: probe.successThreshold,
    failureThreshold: probe.failureThreshold,
  })) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0))
      return `${where}.${field} must be a whole number of at least 0 (it is ${JSON.stringify(value)})`;
  }
  return undefined;
}

/** The TCP ports a pod with a network of its own forwards: the container's declared ports and the ports its probes use. */
export function podPorts(container: V1Container): number[] {
  const ports = new Set<number>();
  for (const p of container.ports ?? []) if ((p.protocol ?? 'TCP') === 'TCP' && Number.isInteger(p.containerPort)) ports.add(p.containerPort);
  for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
    const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
    const number = port === undefined ? undefined : resolvePort(port, container);
    if (number !== undefined) ports.add(number);
  }
  return [...ports];
}

function resolvePort(port: number | string, container: V1Container): number | undefined {
  if (typeof port === 'number') return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
  if (/^\d+$/.test(port)) return resolvePort(Number(port), container);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/**
 * Runs a readiness probe as the kubelet does: the first check after `initialDelaySeconds` (0),
 * then every `periodSeconds` (10), each given `timeoutSeconds` (1); ready after
 * `successThreshold` (1) successes in a row, not ready again after `failureThreshold` (3)
 * failures in a row. The container starts not ready. A probe that fails only keeps the container
 * from being ready, as in Kubernetes; the listener hears why. Check `probeProblem` first.
 */
export function watchReadiness(
  probe: V1Probe,
  container: V1Container,
  target: ProbeTarget,
  listener: ReadinessListener,
  clock: ProbeClock = realClock,
): { stop(): void } {
  const seconds = (value: number | undefined, fallback: number, least: number): number => Math.max(least, value ?? fallback);
  const period = seconds(probe.periodSeconds, 10, 1) * 1000;
  const timeout = seconds(probe.timeoutSeconds, 1, 1) * 1000;
  const successes = seconds(probe.successThreshold, 1, 1);
  const failures = seconds(probe.failureThreshold, 3, 1);
  let ready = false;
  let inARow = 0;
  let lastOk: boolean | undefined;
  let lastReason: string | undefined;
  let stopped = false;
  let timer: unknown;

  const tick = async (): Promise<void> => {
    if (stopped) return;
    const started = Date.now();
    const result = await checkOnce(probe, container, target, timeout);
    if (stopped) return;
    inARow = result.ok === lastOk ? inARow + 1 : 1;
    lastOk = result.ok;
    if (result.ok) {
      lastReason = undefined;
      if (!ready && inARow >= successes) {
        ready = true;
        listener.onReady(true);
      }
    } else {
      if (result.reason !== lastReason) listener.onFailure(result.reason);
      lastReason = result.reason;
      if (ready && inARow >= failures) {
        ready = false;
        listener.onReady(false);
      }
    }
    if (!stopped) timer = clock.setTimeout(() => void tick(), Math.max(0, period - (Date.now() - started)));
  };
  timer = clock.setTimeout(() => void tick(), seconds(probe.initialDelaySeconds, 0, 0) * 1000);
  return {
    stop() {
      stopped = true;
      clock.clearTimeout(timer);
    },
  };
}

/** One check of a probe: ok, or why not. */
export async function checkOnce(
  probe: V1Probe,
  container: V1Container,
  target: ProbeTarget,
  timeoutMs: number,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    if (probe.exec) {
      const code = await target.exec(probe.exec.command ?? [], timeoutMs);
      return code === 0
        ? { ok: true }
        : { ok: false, reason: code === 124 ? `exec probe timed out after ${timeoutMs / 1000}s` : `exec probe exited with code ${code}` };
    }
    const port = resolvePort((probe.httpGet?.port ?? probe.tcpSocket?.port)!, container)!;
    const socket = await target.connect(port, timeoutMs);
    if (probe.tcpSocket) {
      socket.destroy();
      return { ok: true };
    }
    const status = await httpStatus(socket, probe, target.ip, port, timeoutMs);
    return status >= 200 && status < 400 ? { ok: true } : { ok: false, reason: `HTTP probe failed with statuscode: ${status}` };
  } catch (error) {
    const kind = probe.exec ? 'exec' : probe.httpGet ? 'HTTP' : 'TCP';
    return { ok: false, reason: `${kind} probe failed: ${(error as Error).message}` };
  }
}

/** Sends the probe's GET over `socket` and reads the status code of the answer. */
function httpStatus(raw: Socket, probe: V1Probe, ip: string, port: number, timeoutMs: number): Promise<number> {
  const get = probe.httpGet!;
  const socket: Socket = get.scheme === 'HTTPS' ? tlsConnect({ socket: raw, rejectUnauthorized: false, servername: get.host || undefined }) : raw;
  return new Promise<number>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => done(new Error(`timed out after ${timeoutMs / 1000}s`)), timeoutMs);
    const done = (error: Error | undefined, status?: number): void => {
      clearTimeout(timer);
      socket.destroy();
      raw.destroy();
      if (error) reject(error);
      else resolve(status!);
    };
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const line = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(text);
      if (line) done(undefined, Number(line[1]));
      else if (text.includes('\n') || text.length > 1024) done(new Error(`not an HTTP answer: ${JSON.stringify(text.slice(0, 80))}`));
    });
    socket.on('error', (error) => done(error));
    socket.on('end', () => done(new Error('the connection closed before an answer')));
    const headers = new Map<string, string>([
      ['Host', `${get.host || ip}:${port}`],
      ['User-Agent', 'kube-probe/skiff'],
      ['Accept', '*/*'],
    ]);
    for (const header of get.httpHeaders ?? []) headers.set(header.name, header.value);
    headers.set('Connection', 'close');
    const path = get.path ? (get.path.startsWith('/') ? get.path : `/${get.path}`) : '/';
    socket.write(`GET ${path} HTTP/1.1\r\n${[...headers].map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
    // The relay's answer left the connection paused; a new 'data' listener does not resume it.
    socket.resume();
  });
}
