import { parseArgs } from 'node:util';
import { compareDiagnostics } from '../../spec/diagnostic.js';
import { ARGO_KIND_NAMES, lintSources } from '../../spec/lint-sources.js';
import { UsageError, type CliIO, type Command } from '../cli-io.js';
import { collectFiles } from '../collect-files.js';
import { formatHuman, formatJson, formatSimple } from '../format-diagnostics.js';

const USAGE = `Usage: skiff lint [options] PATH...

Checks Argo workflow files (Workflow, WorkflowTemplate, ClusterWorkflowTemplate, CronWorkflow)
and the ConfigMaps and Secrets beside them, and reports each problem on its exact line.
Directories are searched recursively for .yaml, .yml and .json files; - reads standard input.
Other kinds of Kubernetes objects are skipped with a note. Files are checked together, so a
templateRef to a WorkflowTemplate among them is verified.

Options:
  -o, --output FORMAT   human (default; also pretty), simple (one line per problem), or json
                        (the shape GitHub annotations are made from); -f, --format is the same
      --strict[=BOOL]   unknown fields are errors, as in argo lint (default true);
                        --strict=false or --no-strict keeps them warnings
      --kinds LIST      the Argo kinds to check, comma-separated: all (default), workflows,
                        workflowtemplates, cronworkflows, clusterworkflowtemplates
      --no-color        plain output even on a terminal
  -h, --help            show this help

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error.`;

const FORMATS = ['human', 'pretty', 'simple', 'json'] as const;

export const lintCommand: Command = {
  name: 'lint',
  summary: 'check workflow files, reporting errors on their exact lines',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    let parsed: ReturnType<typeof parseLintArgs>;
    try {
      parsed = parseLintArgs(args);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const { values, positionals } = parsed;
    const format = values.output ?? values.format ?? 'human';
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown output format "${format}": use ${FORMATS.join(', ')}`);
    if (positionals.length === 0) throw new UsageError('name at least one file or directory to lint (or - for standard input)');
    const kinds = values.kinds === undefined ? undefined : parseKinds(values.kinds);

    const collected = await collectFiles(positionals, io.cwd, io.stdin);
    if (collected.missing.length > 0) {
      throw new UsageError(`no such file or directory: ${collected.missing.join(', ')}`);
    }
    const report = lintSources(collected.sources, { strict: values.strict, ...(kinds ? { kinds } : {}) });
    report.diagnostics.push(...collected.problems);
    report.diagnostics.sort(compareDiagnostics);
    const color = !values['no-color'] && io.stdout.isTTY === true && !process.env.NO_COLOR;
    io.stdout.write(format === 'json' ? formatJson(report) : format === 'simple' ? formatSimple(report) : formatHuman(report, { color }));
    return report.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
  },
};

function parseLintArgs(args: string[]) {
  // Go's flag package spells a false boolean --strict=false; Node's parser knows --no-strict.
  const normalized = args.map((arg) => (arg === '--strict=false' ? '--no-strict' : arg === '--strict=true' ? '--strict' : arg));
  return parseArgs({
    args: normalized,
    allowPositionals: true,
    allowNegative: true,
    options: {
      output: { type: 'string', short: 'o' },
      format: { type: 'string', short: 'f' },
      strict: { type: 'boolean', default: true },
      kinds: { type: 'string' },
      'no-color': { type: 'boolean', default: false },
    },
  });
}

/** `--kinds workflows,cronworkflows` as kind names; `all` is every kind. */
function parseKinds(list: string): ReadonlySet<string> | undefined {
  const names = list
    .split(',')
    .map((k) => k.trim().toLowerCase())
    .filter(Boolean);
  if (names.includes('all')) return undefined;
  const kinds = new Set<string>();
  for (const name of names) {
    const kind = ARGO_KIND_NAMES[name] ?? ARGO_KIND_NAMES[`${name}s`];
    if (!kind) throw new UsageError(`unknown kind "${name}" in --kinds: use all, ${Object.keys(ARGO_KIND_NAMES).join(', ')}`);
    kinds.add(kind);
  }
  if (kinds.size === 0) throw new UsageError('--kinds names no kind');
  return kinds;
}
