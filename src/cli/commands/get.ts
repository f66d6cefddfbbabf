import { type CliIO, type Command, envOf, UsageError } from '../cli-io.js';
import { openRunTarget } from '../open-run-target.js';
import { CLUSTER_TARGET_HELP, CLUSTER_TARGET_OPTIONS } from '../run-target.js';
import { parseNodeFieldSelector } from '../node-field-selector.js';
import { formatRunOutput, parseOutputFormat } from '../output-format.js';
import { NAMESPACE_HELP, NAMESPACE_OPTION, parseCommandArgs, STATE_DIR_HELP, STATE_DIR_OPTION } from '../parse-command-args.js';
import { requireTargetRun } from '../read-run.js';
import { resolveRunName } from '../select-runs.js';
import { runPageLink, UI_URL_ENV } from '../../server/run-page/run-page-link.js';
import { runPageSecretDir } from '../run-page-secret-dir.js';

const USAGE = `Usage: skiff get [options] NAME...

Shows runs as argo get does: each run's phase, times, progress, resources used and parameters,
then its steps as a tree with each step's phase symbol (✔ Succeeded, ✖ Failed, ⚠ Error,
● Running, ◷ Pending, ○ Skipped or Omitted, ǁ suspended), template, pod, duration and message.
Steps that ran side by side hang off one branch (├─┬─). NAME may be @latest, the newest run.

Options:
      --status PHASE               only steps in this phase (Pending, Running, Succeeded,
                                   Skipped, Failed, Error)
      --node-field-selector SEL    only steps whose fields match: FIELD=VALUE or FIELD!=VALUE,
                                   comma-separated (id, name, displayName, templateName, phase,
                                   type, templateRef.name, inputs.parameters.NAME.value)
  -o, --output FORMAT              name: only the name; json or yaml: the Workflow object with
                                   its status in Argo's format; wide: the tree with phases, start
                                   times, output parameters and artifacts, and resources used
      --ui-url URL                 also print a signed link to the run's page where skiff ui
                                   serves it (also ${UI_URL_ENV})
${NAMESPACE_HELP}
${STATE_DIR_HELP}
${CLUSTER_TARGET_HELP}
  -h, --help                       show this help

Exit status: 0 shown, 1 no such run or a damaged run (its file and record are named; the other
runs are still shown), 2 usage error.`;

export const getCommand: Command = {
  name: 'get',
  summary: 'show runs and their steps',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, {
      ...STATE_DIR_OPTION,
      ...CLUSTER_TARGET_OPTIONS,
      ...NAMESPACE_OPTION,
      output: { type: 'string', short: 'o' },
      status: { type: 'string' },
      'node-field-selector': { type: 'string' },
      'ui-url': { type: 'string' },
    });
    const uiUrl = values['ui-url'] ?? envOf(io)[UI_URL_ENV];
    if (positionals.length === 0) throw new UsageError('name the run (NAME, or @latest)');
    const output = parseOutputFormat(values.output, ['json', 'yaml', 'wide', 'name']);
    const selected = values['node-field-selector'] === undefined ? undefined : parseNodeFieldSelector(values['node-field-selector']);
    const phase = values.status?.toLowerCase();
    const shown =
      selected || phase
        ? (node: Parameters<NonNullable<typeof selected>>[0]) => (!phase || node.phase.toLowerCase() === phase) && (!selected || selected(node))
        : undefined;
    const target = openRunTarget(io, values);
    let status = 0;
    for (const [index, given] of positionals.entries()) {
      try {
        const run = await requireTargetRun(target, await resolveRunName(target, given, values.namespace));
        io.stdout.write(`${index > 0 && output !== 'name' ? (output === 'yaml' ? '---\n' : '\n') : ''}${formatRunOutput(run, output, Date.now(), shown)}`);
        if (uiUrl && (output === undefined || output === 'wide'))
          io.stdout.write(`Run page: ${await runPageLink(runPageSecretDir(target, envOf(io)), uiUrl, run.key)}\n`);
      } catch (error) {
        if (positionals.length === 1) throw error;
        io.stderr.write(`skiff get: ${(error as Error).message}\n`);
        status = 1;
      }
    }
    return status;
  },
};
