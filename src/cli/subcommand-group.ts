import { type CliIO, type Command, UsageError } from './cli-io.js';

export interface Subcommand {
  name: string;
  run(args: string[], io: CliIO): Promise<number>;
}

/**
 * A command of subcommands (`skiff template create ...`, `skiff cron list`), as argo's are: the
 * first argument picks the subcommand; an unknown one is a usage error that lists them.
 */
export function subcommandGroup(name: string, summary: string, usage: string, subcommands: Subcommand[]): Command {
  return {
    name,
    summary,
    usage,
    async run(args: string[], io: CliIO): Promise<number> {
      const [which, ...rest] = args;
      const subcommand = subcommands.find((s) => s.name === which);
      if (!subcommand)
        throw new UsageError(`${which === undefined ? 'name a subcommand' : `unknown subcommand "${which}"`}: ${subcommands.map((s) => s.name).join(', ')}`);
      return subcommand.run(rest, io);
    },
  };
}
