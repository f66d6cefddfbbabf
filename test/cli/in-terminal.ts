import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The package's `skiff`, from dist/test/cli/. */
export const SKIFF_BIN = fileURLToPath(new URL('../../../bin/skiff.js', import.meta.url));

/**
 * Runs a command in a pseudo-terminal (Python's pty module, so the test needs no native
 * package), waits until its output shows `ready`, then types Ctrl-C `interrupts` times, 200 ms
 * apart, as a person at the terminal would: the terminal sends SIGINT to the command. Resolves
 * with everything the command wrote and its exit status once it has exited.
 */
export function inTerminal(
  command: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; ready: RegExp; interrupts: number },
): Promise<{ output: string; status: number }> {
  const script = `
import json, os, pty, re, select, sys, time
command, ready, interrupts = json.loads(sys.argv[1]), re.compile(sys.argv[2]), int(sys.argv[3])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)
output, sent, deadline = b"", 0, time.time() + 60
while time.time() < deadline:
    if sent < interrupts and ready.search(output.decode("utf-8", "replace")):
        time.sleep(0.3 if sent == 0 else 0.2)
        os.write(fd, b"\\x03")
        sent += 1
        continue
    readable, _, _ = select.select([fd], [], [], 0.1)
    if readable:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.write(json.dumps({"output": output.decode("utf-8", "replace"), "status": os.waitstatus_to_exitcode(status)}))
`;
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', script, JSON.stringify(command), options.ready.source, String(options.interrupts)], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(out) as { output: string; status: number });
      } catch {
        reject(new Error(`the terminal helper said: ${out}`));
      }
    });
  });
}
