import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { dump, load } from 'js-yaml';
import type { Workflow } from '../../spec/model/workflow.js';
import { envOf, UsageError, type CliIO, type Command } from '../cli-io.js';
import { continueOrphans } from '../continue-orphans.js';
import { followInBackground, launchRun, startDriving } from '../launch-run.js';
import { checkRunEnvironment } from '../local-runtime-factory.js';
import { openRunTarget } from '../open-run-target.js';
import { CLUSTER_TARGET_OPTIONS } from '../run-target.js';
import { parseOutputFormat } from '../output-format.js';
import { parseCommandArgs, STATE_DIR_HELP, STATE_DIR_OPTION } from '../parse-command-args.js';
import { parseAssignments } from '../parse-assignments.js';
import { readManifests } from '../read-manifests.js';
import { prepareRun, saveNewRun, type SubmitChanges } from '../submit-run.js';
import { fromObjectsOf, workflowFromStored } from '../workflow-from-stored.js';

const USAGE = `Usage: skiff submit [options] FILE...
       skiff submit [options] --from KIND/NAME

Runs the Workflows in the FILEs (- reads standard input) on this machine: each step's container
runs in a sandbox with the host's tools, artifacts go to the repository the workflow names (or
a directory under the state directory), and the run is kept in the state directory. The files
are linted first and refused with any lint error. WorkflowTemplates in the files, and those
stored with skiff apply, are found by templateRef. Workflows that need a cluster (resource or
plugin templates) are refused; http templates are sent from this machine, and daemons run in a
network of their own.

Parameters with valueFrom.configMapKeyRef read the ConfigMaps stored with skiff apply in the
run's namespace (labelled workflows.argoproj.io/configmap-type: Parameter) when the run is
submitted, and again when skiff retry runs steps again.

The run goes on in a background skiff process (its log is runs/NAME/driver.log in the state
directory); submit prints the run's name and exits 0 at once. Follow it with skiff watch, skiff
get, skiff logs --follow or skiff wait. --watch and --wait follow it here as argo submit
--watch does: a live tree on a terminal, a line per change otherwise, then the result. Ctrl-C
stops following and leaves the run going (the screen says how to follow or stop it); a second
Ctrl-C within 3 seconds stops the run.

Against a cluster (--kubeconfig or --context), the run is created there as a Workflow labelled
workflows.argoproj.io/controller-instanceid: skiff, and skiff controller drives it; --wait and
--watch follow it from here, with the same output and the same Ctrl-C, and --log streams its
steps' logs from their pods. --from runs the cluster's WorkflowTemplate, ClusterWorkflowTemplate
or CronWorkflow of that name.

Options:
      --from KIND/NAME           run a stored workflowtemplate/NAME, clusterworkflowtemplate/NAME
                                 or cronworkflow/NAME (see skiff apply; in a cluster, its own)
                                 instead of a file
  -p, --parameter NAME=VALUE     set a workflow argument (repeatable)
  -f, --parameter-file FILE      workflow arguments from a YAML or JSON map (-p wins)
      --entrypoint TEMPLATE      run this template instead of spec.entrypoint
  -l, --labels K=V,K=V           labels added to the run (over the workflow's own)
      --name NAME                the run's name, instead of the workflow's
      --generate-name PREFIX     the run's generateName, instead of the workflow's
      --serviceaccount NAME      the run's spec.serviceAccountName
      --priority N               the run's spec.priority
      --watch                    follow the run until it finishes (see above)
      --log                      print the run's logs as its steps write them, until it finishes
  -w, --wait                     follow the run until it finishes (as --watch; see above)
      --dry-run                  print the Workflow that would be submitted; save and run nothing
      --server-dry-run           the same as --dry-run (there is no server here)
  -o, --output FORMAT            name: only the run's name; json or yaml: the Workflow object with
                                 its status (Argo's format); wide: the result table with phases,
                                 start times and outputs
  -n, --namespace NS             namespace of the run (default: the file's, else default; in a
                                 cluster, else the kubeconfig context's)
${STATE_DIR_HELP}
      --kubeconfig FILE          create the run in this cluster instead (see "Against a cluster")
      --context NAME             create the run in this context of the kubeconfig instead
  -h, --help                     show this help

Exit status: 0 submitted (with --wait or --watch: the run Succeeded), 1 lint errors, a refused
workflow or (with --wait or --watch) a run that did not succeed, 2 usage error. A Ctrl-C'd
--watch or --wait exits 130.`;

export const submitCommand: Command = {
  name: 'submit',
  summary: 'run a workflow on this machine, or in a cluster',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, {
      ...STATE_DIR_OPTION,
      ...CLUSTER_TARGET_OPTIONS,
      parameter: { type: 'string', short: 'p', multiple: true },
      'parameter-file': { type: 'string', short: 'f' },
      entrypoint: { type: 'string' },
      wait: { type: 'boolean', short: 'w' },
      watch: { type: 'boolean' },
      log: { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      namespace: { type: 'string', short: 'n' },
      from: { type: 'string' },
      labels: { type: 'string', short: 'l' },
      name: { type: 'string' },
      'generate-name': { type: 'string' },
      serviceaccount: { type: 'string' },
      priority: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'server-dry-run': { type: 'boolean' },
    });
    if (values.from !== undefined && positionals.length > 0)
      throw new UsageError(`--from ${values.from} runs a stored object: name no file as well (got ${positionals.join(' ')})`);
    if (values.from === undefined && positionals.length === 0) throw new UsageError('name the workflow file to submit (or --from KIND/NAME)');
    const output = parseOutputFormat(values.output, ['json', 'yaml', 'wide', 'name']);
    const dryRun = values['dry-run'] === true || values['server-dry-run'] === true;
    const follow = values.watch === true || values.log === true;
    const changes: SubmitChanges = {
      entrypoint: values.entrypoint,
      parameters: {
        ...(values['parameter-file'] !== undefined ? await readParameterFile(values['parameter-file'], io) : {}),
        ...parseAssignments(values.parameter ?? [], '-p'),
      },
      labels: parseAssignments(values.labels === undefined ? [] : values.labels.split(','), '-l'),
      name: values.name,
      generateName: values['generate-name'],
      serviceAccount: values.serviceaccount,
      priority: values.priority === undefined ? undefined : parsePriority(values.priority),
      namespace: values.namespace,
    };

    const target = openRunTarget(io, values);
    if (!dryRun && target.kind === 'local') checkRunEnvironment(envOf(io));
    // A stored object was linted when it was applied; a file is linted now.
    const manifests = values.from !== undefined ? [] : await readManifests(positionals, io);
    if (!manifests) return 1;
    const given =
      values.from !== undefined
        ? [
            {
              source: values.from,
              workflow: await workflowFromStored(values.from, fromObjectsOf(target), target.kind === 'local' ? target.objects.namespace : target.namespace),
            },
          ]
        : manifests.filter((m) => m.object.kind === 'Workflow').map((m) => ({ source: m.file, workflow: m.object as Workflow }));
    if (given.length === 0) throw new Error(`${positionals.join(' ')}: no Workflow to submit`);
    if (given.length > 1 && values.name !== undefined) throw new UsageError(`--name ${values.name} names one run, but ${given.length} Workflows were given`);
    if (given.length > 1 && follow) throw new UsageError(`--${values.watch ? 'watch' : 'log'} follows one run, but ${given.length} Workflows were given`);

    // Every workflow is prepared (and refused) before any is saved: a bad one submits none.
    const prepared = [];
    for (const { source, workflow } of given) {
      const run = await prepareRun(
        target,
        workflow,
        changes,
        source,
        manifests.map((m) => m.object),
      );
      if (run.refused.length > 0) {
        io.stderr.write(`${run.refused.join('\n')}\n`);
        throw new Error(`this workflow needs a Kubernetes cluster and cannot run locally`);
      }
      prepared.push(run);
    }
    if (dryRun) {
      // As argo submit --dry-run: the Workflow that would be created, nothing saved.
      for (const { workflow } of prepared)
        io.stdout.write(
          output === 'name'
            ? `${workflow.metadata.name}\n`
            : output === 'json'
              ? `${JSON.stringify(workflow, null, 2)}\n`
              : `${given.length > 1 ? '---\n' : ''}${dump(workflow, { noRefs: true, lineWidth: -1 })}`,
        );
      return 0;
    }

    if (target.kind === 'local') await continueOrphans(target, io);
    const names: string[] = [];
    for (const run of prepared) names.push(await saveNewRun(target, run));
    if (follow) return launchRun(target, io, names[0]!, { wait: false, follow: values.log === true ? 'log' : 'watch', output });
    if (values.wait !== true) {
      for (const name of names) await launchRun(target, io, name, { wait: false, output });
      return 0;
    }
    // Every run starts at once, as argo submit --wait starts them; then each is followed in turn.
    for (const name of names) await startDriving(target, io, name);
    let status = 0;
    for (const name of names) {
      const followed = await followInBackground(target, io, name, { wait: true, follow: 'watch', output });
      if (followed === 130) return 130; // Ctrl-C: the person stopped waiting for all of them
      status = Math.max(status, followed);
    }
    return status;
  },
};

function parsePriority(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || Math.abs(value) > 2 ** 31 - 1) throw new UsageError(`--priority ${text}: expected a whole number`);
  return value;
}

/** `-f FILE`, as argo submit reads it: a YAML or JSON map of parameter names to values. */
async function readParameterFile(path: string, io: CliIO): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, path), 'utf8');
  } catch (error) {
    throw new UsageError(`--parameter-file ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  const values = load(text);
  if (values === null || values === undefined) return {};
  if (typeof values !== 'object' || Array.isArray(values)) throw new UsageError(`--parameter-file ${path}: expected a map of parameter names to values`);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) out[name] = typeof value === 'string' ? value : JSON.stringify(value);
  return out;
}
