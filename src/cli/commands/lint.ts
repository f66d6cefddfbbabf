import { parseArgs } from 'node:util';
import { compareDiagnostics } from '../../spec/diagnostic.js';
import { lintSources } from '../../spec/lint-sources.js';
import { UsageError, type CliIO, type Command } from '../cli-io.js';
import { collectFiles } from '../collect-files.js';
import { formatHuman, formatJson } from '../format-diagnostics.js';

const USAGE = `Usage: skiff lint [options] PATH...

Checks Argo workflow files (Workflow, WorkflowTemplate, ClusterWorkflowTemplate, CronWorkflow)
and the ConfigMaps and Secrets beside them, and reports each problem on its exact line.
Directories are searched recursively for .yaml, .yml and .json files. Other kinds of
Kubernetes objects are skipped with a note. Files are checked together, so a templateRef
to a WorkflowTemplate among them is verified.

Options:
  -f, --format FORMAT   human (default) or json (the shape GitHub annotations are made from)
      --no-color        plain output even on a terminal
  -h, --help            show this help

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error.`;

export const lintCommand: Command = {
  name: 'lint',
  summary: 'check workflow files, reporting errors on their exact lines',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        options: { format: { type: 'string', short: 'f', default: 'human' }, 'no-color': { type: 'boolean', default: false } },
      });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const format = parsed.values.format;
    if (format !== 'human' && format !== 'json') throw new UsageError(`unknown format "${format}": use human or json`);
    if (parsed.positionals.length === 0) throw new UsageError('name at least one file or directory to lint');

    const collected = await collectFiles(parsed.positionals, io.cwd);
    if (collected.missing.length > 0) {
      throw new UsageError(`no such file or directory: ${collected.missing.join(', ')}`);
    }
    const report = lintSources(collected.sources);
    report.diagnostics.push(...collected.problems);
    report.diagnostics.sort(compareDiagnostics);
    const color = !parsed.values['no-color'] && io.stdout.isTTY === true && !process.env.NO_COLOR;
    io.stdout.write(format === 'json' ? formatJson(report) : formatHuman(report, { color }));
    return report.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
  },
};
