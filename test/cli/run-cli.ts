import { Readable } from 'node:stream';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `skiff` in process with the instant runtime, in `dir`, against `dir/state`. */
export async function skiff(dir: string, args: string[], options: { env?: Record<string, string>; tty?: boolean; stdin?: string } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const status = await main(args, {
    stdout: { write: (t: string) => (stdout += t), isTTY: options.tty ?? false, columns: 120 },
    stderr: { write: (t: string) => (stderr += t) },
    cwd: dir,
    ...(options.stdin !== undefined ? { stdin: Readable.from([Buffer.from(options.stdin)]) } : {}),
    env: { SKIFF_RUNTIME: 'instant', SKIFF_STATE_DIR: join(dir, 'state'), ...options.env },
  });
  return { status, stdout, stderr };
}

export function workspace(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-cli-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

export const HELLO = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: hello-
spec:
  entrypoint: main
  arguments:
    parameters:
    - name: message
      value: hello
  templates:
  - name: main
    container:
      image: busybox
      command: [echo, "{{workflow.parameters.message}}"]
  - name: other
    container:
      image: busybox
      command: [echo, other]
`;

/** Two steps in sequence, then an exit handler: \`first\` (template say), \`second\` (template flaky). */
export const TWO_STEPS = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: two-
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    steps:
    - - name: first
        template: say
    - - name: second
        template: flaky
  - name: say
    container: {image: busybox, command: [echo, hi]}
  - name: flaky
    container: {image: busybox, command: [sh, -c, "exit 0"]}
  - name: bye
    container: {image: busybox, command: [echo, bye]}
`;

/** The run name a plain `submit` prints, or the Name: line of a --wait. */
export function runName(stdout: string): string {
  const named = /^Name:\s+(\S+)$/m.exec(stdout);
  return named ? named[1]! : stdout.trim().split('\n')[0]!;
}
