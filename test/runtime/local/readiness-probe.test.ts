import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import type { V1Container, V1Probe } from '@kubernetes/client-node';
import { podPorts, type ProbeClock, type ProbeTarget, probeProblem, watchReadiness } from '../../../src/runtime/local/readiness-probe.js';

/** A clock whose timers run when the test says, with the delays they were set for. */
class FakeClock implements ProbeClock {
  readonly delays: number[] = [];
  private pending: Array<() => void> = [];
  setTimeout(callback: () => void, ms: number): unknown {
    this.delays.push(ms);
    this.pending.push(callback);
    return callback;
  }
  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((c) => c !== handle);
  }
  /** Fires the next timer and lets the check it starts finish. */
  async step(): Promise<void> {
    const next = this.pending.shift();
    assert.ok(next, 'a timer is set');
    next();
    await new Promise((resolve) => setImmediate(resolve));
  }
  get idle(): boolean {
    return this.pending.length === 0;
  }
}

/** A target whose exec checks answer from a script of exit codes. */
function scripted(codes: number[]): ProbeTarget {
  return {
    ip: '127.1.1.1',
    connect: (): Promise<Socket> => Promise.reject(new Error('no network here')),
    exec: async () => codes.shift() ?? 1,
  };
}

const container: V1Container = {
  name: 'main',
  ports: [
    { name: 'http', containerPort: 8080 },
    { containerPort: 53, protocol: 'UDP' },
  ],
};
const exec = (extra: Partial<V1Probe> = {}): V1Probe => ({ exec: { command: ['check'] }, ...extra });

test('a readiness probe waits initialDelaySeconds, checks every periodSeconds, and needs successThreshold successes', async () => {
  const clock = new FakeClock();
  const changes: boolean[] = [];
  const failures: string[] = [];
  watchReadiness(
    exec({ initialDelaySeconds: 2, periodSeconds: 5, successThreshold: 2 }),
    container,
    scripted([1, 0, 0]),
    { onReady: (r) => changes.push(r), onFailure: (f) => failures.push(f) },
    clock,
  );
  assert.equal(clock.delays[0], 2000);
  await clock.step(); // fails
  assert.deepEqual(failures, ['exec probe exited with code 1']);
  await clock.step(); // first success
  assert.deepEqual(changes, []);
  await clock.step(); // second success in a row
  assert.deepEqual(changes, [true]);
  assert.ok(
    clock.delays.slice(1).every((d) => d > 4000 && d <= 5000),
    `period delays ${clock.delays.join(', ')}`,
  );
});

test('a ready container becomes unready only after failureThreshold failures in a row; a reason is told once per run of failures', async () => {
  const clock = new FakeClock();
  const changes: boolean[] = [];
  const failures: string[] = [];
  watchReadiness(
    exec({ failureThreshold: 2 }),
    container,
    scripted([0, 1, 0, 1, 1]),
    { onReady: (r) => changes.push(r), onFailure: (f) => failures.push(f) },
    clock,
  );
  assert.equal(clock.delays[0], 0, 'no initial delay by default');
  for (let i = 0; i < 4; i++) await clock.step();
  assert.deepEqual(changes, [true], 'single failures between successes do not count');
  await clock.step();
  assert.deepEqual(changes, [true, false]);
  // Told at the first failure of each run of failures, not at the repeats.
  assert.deepEqual(failures, ['exec probe exited with code 1', 'exec probe exited with code 1']);
});

test('stop ends the probing', async () => {
  const clock = new FakeClock();
  const watch = watchReadiness(exec(), container, scripted([1, 1, 1]), { onReady: () => undefined, onFailure: () => undefined }, clock);
  await clock.step();
  watch.stop();
  assert.ok(clock.idle);
});

test('probeProblem names what cannot run: no handler, two handlers, gRPC, an unknown named port, a bad number', () => {
  assert.match(probeProblem({}, container)!, /container "main" readinessProbe must have exactly one of exec, httpGet, tcpSocket \(it has none\)/);
  assert.match(probeProblem({ exec: { command: ['x'] }, tcpSocket: { port: 1 } }, container)!, /it has exec, tcpSocket/);
  assert.match(probeProblem({ grpc: { port: 9090 } }, container)!, /gRPC probes are not run by the local runtime/);
  assert.match(probeProblem({ httpGet: { port: 'admin' } }, container)!, /port "admin" is neither a port number nor the name of one of the container's ports/);
  assert.match(probeProblem({ tcpSocket: { port: 1 }, periodSeconds: -1 }, container)!, /periodSeconds must be a whole number of at least 0 \(it is -1\)/);
  assert.match(probeProblem({ exec: { command: [] } }, container)!, /exec\.command is empty/);
  assert.equal(probeProblem({ httpGet: { port: 'http', path: '/' } }, container), undefined);
});

test('podPorts: declared TCP ports and the ports probes use, named ones resolved', () => {
  assert.deepEqual(
    podPorts({ ...container, readinessProbe: { httpGet: { port: 'http' } }, livenessProbe: { tcpSocket: { port: 9000 } } }).sort(),
    [8080, 9000],
  );
  assert.deepEqual(podPorts({ name: 'main' }), []);
});
