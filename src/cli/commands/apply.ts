import { STORED_KINDS, type StoredKind } from '../../state/local-object-store.js';
import { UsageError, type CliIO, type Command } from '../cli-io.js';
import { openLocalTarget } from '../local-target.js';
import { parseCommandArgs, STATE_DIR_HELP, STATE_DIR_OPTION } from '../parse-command-args.js';
import { readManifests } from '../read-manifests.js';

const USAGE = `Usage: skiff apply [options] PATH...

Stores ConfigMaps, Secrets, WorkflowTemplates, ClusterWorkflowTemplates and CronWorkflows in the
local state directory, where local runs find them (artifact repositories, S3 credentials,
volumes and env of pods, templateRef and workflowTemplateRef). Directories are searched
recursively for .yaml, .yml and .json files. The files are linted first; with any lint error
nothing is stored. Other documents (Workflows, Deployments, ...) are skipped with a note.

Prints one line per object, as kubectl does: configmap/NAME or workflowtemplate.argoproj.io/NAME,
then created, configured (changed) or unchanged.

Options:
  -n, --namespace NS    namespace of objects that name none (default: default)
${STATE_DIR_HELP}
  -h, --help            show this help

Exit status: 0 stored, 1 lint errors or a failure, 2 usage error.`;

export const applyCommand: Command = {
  name: 'apply',
  summary: 'store ConfigMaps, Secrets and templates for local runs',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, { ...STATE_DIR_OPTION, namespace: { type: 'string', short: 'n' } });
    if (positionals.length === 0) throw new UsageError('name at least one file or directory to apply');
    const manifests = await readManifests(positionals, io);
    if (!manifests) return 1;
    const target = openLocalTarget(io, { stateDir: values['state-dir'], namespace: values.namespace });
    let stored = 0;
    for (const { file, object } of manifests) {
      if (!(STORED_KINDS as readonly string[]).includes(object.kind)) {
        io.stderr.write(
          `${file}: skipped ${object.kind}${object.metadata?.name ? `/${object.metadata.name}` : ''}: skiff apply stores ${STORED_KINDS.join(', ')}\n`,
        );
        continue;
      }
      const withNamespace =
        values.namespace && !object.metadata?.namespace && object.kind !== 'ClusterWorkflowTemplate'
          ? { ...object, metadata: { ...object.metadata, namespace: values.namespace } }
          : object;
      const result = await target.objects.apply(withNamespace);
      io.stdout.write(`${resourceName(object.kind as StoredKind)}/${object.metadata.name} ${result}\n`);
      stored++;
    }
    if (stored === 0) io.stderr.write('nothing to apply: no ConfigMap, Secret, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow found\n');
    return 0;
  },
};

/** kubectl's way of naming a resource: the kind in lower case, with its API group when it has one. */
function resourceName(kind: StoredKind): string {
  return kind === 'ConfigMap' || kind === 'Secret' ? kind.toLowerCase() : `${kind.toLowerCase()}.argoproj.io`;
}
