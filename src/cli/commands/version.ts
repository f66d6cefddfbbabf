import { type CliIO, type Command, UsageError } from '../cli-io.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { packageVersion } from '../package-version.js';

const USAGE = `Usage: skiff version [--short]

Prints skiff's version as argo version prints its own: the version, then the Node.js version and
the platform it runs on.

Options:
      --short     only the version line
  -h, --help      show this help

Exit status: 0 printed, 2 usage error.`;

export const versionCommand: Command = {
  name: 'version',
  summary: 'print the version',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, { short: { type: 'boolean' } });
    if (positionals.length > 0) throw new UsageError(`version takes no arguments (got ${positionals.join(' ')})`);
    const lines = [`skiff: v${packageVersion()}`];
    if (!values.short) lines.push(`  NodeVersion: ${process.version}`, `  Platform: ${process.platform}/${process.arch}`);
    io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};
