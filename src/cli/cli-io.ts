/** What a command may touch of the outside world; tests pass their own. */
export interface CliIO {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown };
  cwd: string;
  /** Standard input, for `skiff lint -`; absent where there is none. */
  stdin?: AsyncIterable<Buffer | string>;
  /** The environment (SKIFF_STATE_DIR, SKIFF_RUNTIME, ...); `process.env` when not given. */
  env?: NodeJS.ProcessEnv;
}

/** A command's own usage error: printed with the command's usage, exit status 2. */
export class UsageError extends Error {}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Internal commands (the background driver) are left out of the help. */
  hidden?: boolean;
  run(args: string[], io: CliIO): Promise<number>;
}

export function envOf(io: CliIO): NodeJS.ProcessEnv {
  return io.env ?? process.env;
}
