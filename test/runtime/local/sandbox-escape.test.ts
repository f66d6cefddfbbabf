// An attacker's tests: each runs a hostile step as a real pod in the real sandbox and fails if the
// attack succeeds. The step prints what it managed; the assertions look for it on the host.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RuntimeEvent } from '../../../src/ports/runtime.js';
import { createLocalRuntime, defaultProjectDir } from '../../../src/runtime/local/create-local-runtime.js';
import { sandboxIdentity } from '../../../src/runtime/local/sandbox-identity.js';
import type { Template, Workflow } from '../../../src/spec/model/workflow.js';
import { StateLayout } from '../../../src/state/state-layout.js';
import { LocalRunHarness, MemoryObjects, nodesByName } from './local-run-harness.js';
import { splitRunKey } from '../../../src/ports/run-key.js';

const SECRET = 'hunter2-b7c9e1f0a3d5';
const identity = sandboxIdentity();

describe('a hostile step in the local sandbox', () => {
  let layout: StateLayout;
  const objects = new MemoryObjects().addSecret('default', 'creds', { password: SECRET });
  const workflows = new Map<string, Workflow>();
  let runtime: ReturnType<typeof createLocalRuntime>;
  let egressRuntime: ReturnType<typeof createLocalRuntime>;
  let server: Server;
  let port = 0;
  let counter = 0;

  before(async () => {
    layout = new StateLayout(await mkdtemp(join(tmpdir(), 'skiff-escape-')));
    runtime = createLocalRuntime({ layout, objects, runOf: (key) => workflows.get(splitRunKey(key).name) });
    egressRuntime = createLocalRuntime({ layout, objects, runOf: (key) => workflows.get(splitRunKey(key).name), allowEgress: true });
    // A service of the host's, on every address it has.
    server = createServer((socket) => socket.end('host service\n'));
    await new Promise<void>((resolve) => server.listen({ host: '0.0.0.0', port: 0 }, resolve));
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    await runtime.close();
    await egressRuntime.close();
    server.close();
    await rm(layout.root, { recursive: true, force: true });
  });

  /** Runs `script` (sh) as a pod's main container; resolves to its log and the pod's event. */
  const step = async (script: string, extra: Partial<Template> = {}, options: { egress?: boolean; onStart?: (podDir: string) => Promise<void> } = {}) => {
    const name = `attack${++counter}`;
    const workflow: Workflow = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name, namespace: 'default' }, spec: {} };
    workflows.set(name, workflow);
    const template = { name: 't', container: { image: 'python:3', command: ['sh', '-c', script] }, ...extra } as Template;
    const podName = `${name}-pod`;
    const target = options.egress ? egressRuntime : runtime;
    const event = await new Promise<RuntimeEvent>((resolve) => {
      target.run({ workflowName: name, workflowNamespace: 'default', nodeId: `${name}-1`, podName, template, inputs: {} }, (e) => {
        if (e.type === 'pod-started') void options.onStart?.(layout.podDir(`default/${name}`, podName));
        else resolve(e);
      });
    });
    const podDir = layout.podDir(`default/${name}`, podName);
    return { event, podDir, log: await readFile(join(podDir, 'logs', 'main.log'), 'utf8').catch(() => '') };
  };

  it('cannot remount, mount or write outside its own directories', async () => {
    const stateMarker = join(layout.root, 'state-marker');
    const { log } = await step(
      [
        'mount -o remount,rw /usr 2>/dev/null && echo ESCAPED remount-usr',
        'mount -o remount,bind,rw / 2>/dev/null && echo ESCAPED remount-root',
        'mount -t tmpfs none /mnt 2>/dev/null && echo ESCAPED mount-tmpfs',
        'touch /usr/escaped 2>/dev/null && echo ESCAPED usr',
        'touch /etc/escaped 2>/dev/null && echo ESCAPED etc',
        `touch ${stateMarker} 2>/dev/null && echo ESCAPED state`,
        `ls ${layout.root} 2>/dev/null && echo ESCAPED state-visible`,
        'echo done',
      ].join('; '),
    );
    assert.match(log, /done/);
    assert.doesNotMatch(log, /ESCAPED/);
    assert.equal(existsSync('/usr/escaped'), false);
    assert.equal(existsSync('/etc/escaped'), false);
    assert.equal(existsSync(stateMarker), false);
  });

  it('cannot mount a directory of the host with a hostPath volume', async () => {
    const { event, log } = await step('', {
      volumes: [{ name: 'host', hostPath: { path: '/etc' } }],
      container: { image: 'alpine', command: ['sh', '-c', 'cat /host/shadow /host/passwd'], volumeMounts: [{ name: 'host', mountPath: '/host' }] },
    } as Partial<Template>);
    assert.equal(event.type, 'pod-error');
    assert.match((event as { message: string }).message, /hostPath volumes are refused by the local runtime/);
    assert.doesNotMatch(log, /root:/);
  });

  it('is refused open_by_handle_at, mount, unshare, setns, ptrace, keyctl and add_key', async () => {
    // x86_64 numbers; each call's errno, or "ok" when the kernel let it through.
    const probe = `
import ctypes, json
libc = ctypes.CDLL(None, use_errno=True)
def call(nr, *args):
    ctypes.set_errno(0)
    r = libc.syscall(nr, *args)
    return 'ok' if r >= 0 else ctypes.get_errno()
handle = ctypes.create_string_buffer(b'\\x08\\x00\\x00\\x00\\x01\\x00\\x00\\x00' + b'\\x02' + b'\\x00' * 7, 16)
print(json.dumps({
  'open_by_handle_at': call(304, 3, handle, 0),
  'mount': call(165, b'none', b'/mnt', b'tmpfs', 0, 0),
  'unshare_user': call(272, 0x10000000),
  'unshare_net': call(272, 0x40000000),
  'setns': call(308, 0, 0),
  'ptrace_traceme': call(101, 0, 0, 0, 0),
  'keyctl': call(250, 0, 0, 0, 0),
  'add_key': call(248, b'user', b'x', b'y', 1, -2),
}))
`;
    const script =
      'python3 -c "$PROBE"; unshare -r true 2>/dev/null && echo ESCAPED unshare-r; unshare -n true 2>/dev/null && echo ESCAPED unshare-n; echo done';
    const { log } = await step(script, {
      container: { image: 'python:3', command: ['sh', '-c', script], env: [{ name: 'PROBE', value: probe }] },
    } as Partial<Template>);
    const results = JSON.parse(log.split('\n').find((l) => l.startsWith('{')) ?? '{}') as Record<string, unknown>;
    assert.deepEqual(results, { open_by_handle_at: 1, mount: 1, unshare_user: 1, unshare_net: 1, setns: 1, ptrace_traceme: 1, keyctl: 1, add_key: 1 }, log);
    assert.doesNotMatch(log, /ESCAPED/);
  });

  it("cannot read /etc/shadow, another run's files or Skiff's installation", async () => {
    const other = join(layout.podDir('default/another-run', 'another-run-pod'), 'volumes', 'data');
    await mkdir(other, { recursive: true });
    await writeFile(join(other, 'other-run-marker'), 'OTHER RUN DATA');
    const project = defaultProjectDir();
    const { log } = await step(
      [
        'cat /etc/shadow 2>/dev/null && echo ESCAPED shadow',
        `find / -name other-run-marker 2>/dev/null | grep -q . && echo ESCAPED other-run`,
        `cat ${join(other, 'other-run-marker')} 2>/dev/null`,
        `ls ${project} 2>/dev/null | grep -q . && echo ESCAPED project`,
        `test -e ${join(project, 'bin', 'skiff.js')} && echo ESCAPED skiff`,
        'for d in /var /opt /run /srv /home /root /sys; do ls -A $d 2>/dev/null | grep -q . && echo "ESCAPED $d"; done',
        'echo done',
      ].join('; '),
    );
    assert.match(log, /done/);
    assert.doesNotMatch(log, /ESCAPED|OTHER RUN DATA/);
  });

  it('cannot write core_pattern, sees only its own processes, and has no privileges', async () => {
    const { log } = await step(
      [
        'echo "|/tmp/x" > /proc/sys/kernel/core_pattern 2>/dev/null && echo ESCAPED core_pattern',
        'cat /proc/[0-9]*/cmdline 2>/dev/null | tr "\\0" " " | grep -q "sandbox-escape.tes[t]" && echo ESCAPED host-processes',
        'grep -E "^(CapEff|CapPrm|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status',
        'echo done',
      ].join('; '),
    );
    assert.match(log, /done/);
    assert.doesNotMatch(log, /ESCAPED/);
    assert.match(log, /^CapEff:\s+0000000000000000$/m);
    assert.match(log, /^CapPrm:\s+0000000000000000$/m);
    assert.match(log, /^CapBnd:\s+0000000000000000$/m);
    assert.match(log, /^NoNewPrivs:\s+1$/m);
    assert.match(log, /^Seccomp:\s+2$/m);
  });

  it('writes files as an unprivileged user of the host', async () => {
    const { podDir, event } = await step('echo mine > /work/file', {
      volumes: [{ name: 'work', emptyDir: {} }],
      container: { image: 'alpine', command: ['sh', '-c', 'echo mine > /work/file'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
    } as Partial<Template>);
    assert.equal((event as { exitCode?: number }).exitCode, 0);
    const owner = statSync(join(podDir, 'volumes', 'work', 'file')).uid;
    assert.notEqual(owner, 0);
    assert.equal(owner, identity.uid);
  });

  const hostAddresses = (): string[] => [
    '127.0.0.1',
    ...Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a!.address),
  ];
  const connectScript = (addresses: string[]): string =>
    `python3 -c "
import socket
for a in '${addresses.join(' ')}'.split():
    try:
        s = socket.create_connection((a, ${port}), timeout=3); print('REACHED', a, s.recv(100)); s.close()
    except OSError as e:
        print('refused', a, e)
"`;

  it("cannot reach the host's services without egress", async () => {
    const { log } = await step(connectScript(hostAddresses()));
    assert.match(log, /refused 127\.0\.0\.1/);
    assert.doesNotMatch(log, /REACHED/);
  });

  it("reaches the host's services when the run is allowed egress", async () => {
    const { log } = await step(connectScript(['127.0.0.1']), {}, { egress: true });
    assert.match(log, /REACHED 127\.0\.0\.1 b'host service\\n'/);
  });

  it("reaches the run's daemon, and through the daemons' gateway nothing else", { timeout: 60_000 }, async () => {
    const harness = await LocalRunHarness.create();
    try {
      // The step asks the gateway Skiff gives it for the daemon, then for the host's service.
      const probe = `
import socket
def ask(ip, port):
    s = socket.socket(socket.AF_UNIX); s.connect('/skiff/reach/gateway.sock')
    s.sendall(('TCP %s %d\\n' % (ip, port)).encode()); answer = s.recv(200).decode().strip(); s.close(); return answer
d = socket.create_connection(('{{inputs.parameters.ip}}', 8080), timeout=5); print('daemon', d.recv(100).decode().strip())
print('gateway-daemon', ask('{{inputs.parameters.ip}}', 8080).split(chr(10))[0])
print('gateway-host', ask('127.0.0.1', ${port}))
`;
      const { status } = await harness.run(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { generateName: reach- }
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - { name: svc, template: svc }
    - - { name: call, template: call, arguments: { parameters: [{ name: ip, value: "{{steps.svc.ip}}" }] } }
  - name: svc
    daemon: true
    container:
      image: alpine:3.23
      command: [sh, -c, "ncat -lk -p 8080 -c 'echo from-the-daemon'"]
      readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 }
  - name: call
    inputs: { parameters: [{ name: ip }] }
    script:
      image: python:3
      command: [python3]
      source: ${JSON.stringify(probe)}
`);
      const result = nodesByName(status).call?.outputs?.result ?? '';
      assert.equal(status.phase, 'Succeeded', JSON.stringify(Object.values(status.nodes).map((n) => [n.name, n.phase, n.message])));
      assert.match(result, /^daemon from-the-daemon$/m);
      assert.match(result, /^gateway-daemon OK$/m);
      assert.match(result, /^gateway-host ERR not a daemon of this run$/m);
    } finally {
      await harness.close();
    }
  });

  it('keeps Secrets out of every command line and every other environment, and their copies private and short-lived', async () => {
    let seen:
      | {
          cmdlines: string[];
          environs: string[];
          unprotected: string[];
          stepHolders: number;
          secretDir?: { mode: number; uid: number; files: Array<{ mode: number; uid: number }> };
        }
      | undefined;
    const inspect = async (podDir: string): Promise<void> => {
      // The step says it runs by creating a file in its volume, then waits for the word to end.
      const running = join(podDir, 'volumes', 'work', 'running');
      while (!existsSync(running)) await new Promise((resolve) => setTimeout(resolve, 20));
      const cmdlines: string[] = [];
      const environs: string[] = [];
      const unprotected: string[] = [];
      let stepHolders = 0;
      for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
        try {
          if (readFileSync(`/proc/${pid}/cmdline`).includes(SECRET)) cmdlines.push(pid);
          const environ = `/proc/${pid}/environ`;
          if (!readFileSync(environ).includes(SECRET)) continue;
          const owner = statSync(`/proc/${pid}`).uid;
          // Only the step's own processes may hold it, and no other user may read it there.
          if (owner !== identity.uid || owner === process.getuid?.()) environs.push(pid);
          else if ((statSync(environ).mode & 0o077) !== 0) unprotected.push(pid);
          else stepHolders++;
        } catch {
          // the process ended meanwhile
        }
      }
      const dir = join(podDir, 'volumes', 'creds');
      const files = readdirSync(dir).map((f) => statSync(join(dir, f)));
      const dirStat = await stat(dir);
      seen = {
        cmdlines,
        environs,
        unprotected,
        stepHolders,
        secretDir: { mode: dirStat.mode & 0o777, uid: dirStat.uid, files: files.map((f) => ({ mode: f.mode & 0o777, uid: f.uid })) },
      };
      await writeFile(join(podDir, 'volumes', 'work', 'go'), '');
    };
    const { event, podDir, log } = await step(
      '',
      {
        volumes: [
          { name: 'work', emptyDir: {} },
          { name: 'creds', secret: { secretName: 'creds' } },
        ],
        container: {
          image: 'alpine',
          command: ['sh', '-c', 'touch /work/running; while [ ! -e /work/go ]; do sleep 0.05; done; test "$PASSWORD" = "$(cat /creds/password)" && echo same'],
          env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } }],
          volumeMounts: [
            { name: 'work', mountPath: '/work' },
            { name: 'creds', mountPath: '/creds', readOnly: true },
          ],
        },
      } as Partial<Template>,
      { onStart: inspect },
    );
    assert.equal((event as { exitCode?: number }).exitCode, 0, JSON.stringify(event));
    assert.match(log, /same/);
    assert.ok(seen, 'the step was inspected while it ran');
    assert.deepEqual(seen.cmdlines, [], 'a command line shows the Secret');
    assert.deepEqual(seen.environs, [], "a process other than the step's holds the Secret in its environment");
    assert.deepEqual(seen.unprotected, [], "the step's environment is readable by other users");
    // The scan sees the step's own environment, so it would see the Secret anywhere else too.
    if (identity.switchUser) assert.ok(seen.stepHolders > 0, 'the scan found the step itself');
    assert.deepEqual(seen.secretDir, { mode: 0o700, uid: identity.uid, files: [{ mode: 0o600, uid: identity.uid }] });
    assert.equal(existsSync(join(podDir, 'volumes', 'creds')), false, 'the Secret copy is gone after the pod');
    assert.equal(statSync(join(podDir, 'logs', 'main.log')).mode & 0o777, 0o600);
  });

  it('removes the Secret copy of a pod that fails', async () => {
    const { podDir, event } = await step('', {
      volumes: [{ name: 'creds', secret: { secretName: 'creds' } }],
      container: { image: 'alpine', command: ['sh', '-c', 'exit 3'], volumeMounts: [{ name: 'creds', mountPath: '/creds' }] },
    } as Partial<Template>);
    assert.equal((event as { exitCode?: number }).exitCode, 3);
    assert.equal(existsSync(join(podDir, 'volumes', 'creds')), false);
  });
});
