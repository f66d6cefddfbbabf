// The test node's watchdog, a program of its own: started by startKubeNode() under `flock` (so it
// holds the machine's one-node lock for as long as it lives), it waits for its stdin to close. When
// stop() has cleaned up, it says `clean` first and the watchdog just exits. When the test process
// dies without that (a crash, SIGKILL, a forgotten stop()), the pipe closes all the same and the
// watchdog restores the host from the state file before it lets the lock go.
import { readFileSync, rmSync } from 'node:fs';
import { type HostState, restoreHost } from './host-state.js';

const statePath = process.argv[2];
if (!statePath) {
  process.stderr.write('usage: node-watchdog.js STATE_FILE\n');
  process.exit(2);
}
// It must outlive the test process's signals: it is in a session of its own, and ignores these.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined);

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => (input += chunk));
process.stdin.on('end', () => void finish());
process.stdout.write('ready\n');

async function finish(): Promise<void> {
  if (input.includes('clean')) process.exit(0);
  let state: HostState;
  try {
    state = JSON.parse(readFileSync(statePath as string, 'utf8')) as HostState;
  } catch {
    process.exit(0); // the node never changed anything
  }
  const problems = await restoreHost(state);
  for (const problem of problems) process.stderr.write(`restoring the host after the test process died: ${problem}\n`);
  // A state file left behind makes the next node on this machine try again before it starts.
  if (problems.length === 0) rmSync(statePath as string, { force: true });
  process.exit(problems.length === 0 ? 0 : 1);
}
