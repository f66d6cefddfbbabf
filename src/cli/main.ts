import { UsageError, type CliIO, type Command } from './cli-io.js';
import { applyCommand } from './commands/apply.js';
import { executorCommand } from './commands/executor.js';
import { driveCommand } from './commands/drive.js';
import { lintCommand } from './commands/lint.js';
import { submitCommand } from './commands/submit.js';
import { deleteCommand } from './commands/delete.js';
import { getCommand } from './commands/get.js';
import { listCommand } from './commands/list.js';
import { logsCommand } from './commands/logs.js';
import { resubmitCommand } from './commands/resubmit.js';
import { resumeCommand } from './commands/resume.js';
import { retryCommand } from './commands/retry.js';
import { stopCommand } from './commands/stop.js';
import { terminateCommand } from './commands/terminate.js';
import { waitCommand } from './commands/wait.js';
import { usageErrorMessage } from './usage-error-message.js';
import { packageVersion } from './package-version.js';
import { versionCommand } from './commands/version.js';
import { watchCommand } from './commands/watch.js';
import { templateCommand } from './commands/template.js';
import { cronCommand } from './commands/cron.js';
import { cpCommand } from './commands/cp.js';
import { diffCommand, planCommand } from './commands/plan.js';
import { syncCommand } from './commands/sync.js';
import { controllerCommand } from './commands/controller.js';
import { serveCommand } from './commands/serve.js';
import { uiCommand } from './commands/ui.js';

const COMMANDS: Command[] = [
  lintCommand,
  planCommand,
  diffCommand,
  syncCommand,
  serveCommand,
  applyCommand,
  submitCommand,
  listCommand,
  getCommand,
  logsCommand,
  watchCommand,
  waitCommand,
  retryCommand,
  resubmitCommand,
  resumeCommand,
  stopCommand,
  terminateCommand,
  deleteCommand,
  cpCommand,
  uiCommand,
  templateCommand,
  cronCommand,
  controllerCommand,
  versionCommand,
  executorCommand,
  driveCommand,
];

function topLevelHelp(): string {
  const listed = COMMANDS.filter((c) => !c.hidden);
  const width = Math.max(...listed.map((c) => c.name.length));
  return [
    'skiff: run Argo-style workflows straight from git',
    '',
    'Usage: skiff <command> [options]',
    '',
    'Commands:',
    ...listed.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show help (also: skiff <command> --help)',
    '  -v, --version  show the version',
    '',
  ].join('\n');
}

/**
 * The `skiff` command line. Returns the exit status instead of exiting, so tests can run it in
 * process. Nothing escapes as a stack trace: unexpected failures are reported in one line.
 */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    const wanted = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.stdout.write(wanted ? `${wanted.usage}\n` : topLevelHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '-v' || name === '--version') {
    io.stdout.write(`skiff ${packageVersion()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`skiff: unknown command "${name}"\n\n${topLevelHelp()}`);
    return 2;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    io.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(usageErrorMessage(command.name, error.message, command.usage));
      return 2;
    }
    io.stderr.write(`skiff ${command.name}: ${(error as Error).message ?? String(error)}\n`);
    return 1;
  }
}
