import { loadRunConfigMaps } from '../../engine/driver/load-run-config-maps.js';
import { loadTemplateRefs } from '../../engine/driver/load-template-refs.js';
import { newRunStatus } from '../../engine/advance-run.js';
import { MemoryTemplateStore, type TemplateKind, type TemplateStore } from '../../engine/ports/template-store.js';
import { withOverrides } from '../../engine/submit-overrides.js';
import type { Workflow, WorkflowSpec } from '../../spec/model/workflow.js';
import { envOf, UsageError, type CliIO, type Command } from '../cli-io.js';
import { checkRunEnvironment } from '../local-runtime-factory.js';
import { clusterOnlyFeatures } from '../cluster-only-features.js';
import { continueOrphans } from '../continue-orphans.js';
import { launchRun } from '../launch-run.js';
import { openLocalTarget } from '../local-target.js';
import { parseOutputFormat } from '../output-format.js';
import { parseCommandArgs, STATE_DIR_HELP, STATE_DIR_OPTION } from '../parse-command-args.js';
import { readManifests } from '../read-manifests.js';
import { readRun } from '../read-run.js';
import { workflowFromStored } from '../workflow-from-stored.js';
import { acquireLease } from '../run-lease.js';
import { runSuffix } from '../run-suffix.js';

const USAGE = `Usage: skiff submit [options] FILE
       skiff submit [options] --from KIND/NAME

Runs the Workflow in FILE on this machine: each step's container runs in a sandbox with the
host's tools, artifacts go to the repository the workflow names (or a directory under the
state directory), and the run is kept in the state directory. The file is linted first and
refused with any lint error. WorkflowTemplates in FILE, and those stored with skiff apply, are
found by templateRef. Workflows that need a cluster (resource or plugin templates) are refused;
http templates are sent from this machine, and daemons run in a network of their own.

Parameters with valueFrom.configMapKeyRef read the ConfigMaps stored with skiff apply in the
run's namespace (labelled workflows.argoproj.io/configmap-type: Parameter) when the run is
submitted, and again when skiff retry runs steps again.

Without --wait the run goes on in a background skiff process (its log is
runs/NAME/driver.log in the state directory); submit prints the run's name and exits 0 at once.
Follow it with skiff get, skiff logs --follow or skiff wait. With --wait, submit runs it in
the foreground: a live tree on a terminal, a line per change otherwise, then the result.

Options:
      --from KIND/NAME        run a stored workflowtemplate/NAME, clusterworkflowtemplate/NAME or
                              cronworkflow/NAME (see skiff apply) instead of a file
  -p, --parameter NAME=VALUE  set a workflow argument (repeatable)
      --entrypoint TEMPLATE   run this template instead of spec.entrypoint
  -w, --wait                  run in the foreground until the run finishes
  -o, --output FORMAT         json or yaml: the Workflow object with its status (Argo's format);
                              wide: the result table with phases, start times and outputs
  -n, --namespace NS          namespace of the run (default: the file's, else default)
${STATE_DIR_HELP}
  -h, --help                  show this help

Exit status: 0 submitted (with --wait: the run Succeeded), 1 lint errors, a refused workflow or
(with --wait) a run that did not succeed, 2 usage error.`;

export const submitCommand: Command = {
  name: 'submit',
  summary: 'run a workflow on this machine',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, {
      ...STATE_DIR_OPTION,
      parameter: { type: 'string', short: 'p', multiple: true },
      entrypoint: { type: 'string' },
      wait: { type: 'boolean', short: 'w' },
      output: { type: 'string', short: 'o' },
      namespace: { type: 'string', short: 'n' },
      from: { type: 'string' },
    });
    if (values.from !== undefined && positionals.length > 0) throw new UsageError(`--from ${values.from} runs a stored object: name no file as well (got ${positionals.join(' ')})`);
    if (values.from === undefined && positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'name the workflow file to submit (or --from KIND/NAME)' : `submit one file at a time (got ${positionals.length})`);
    const output = parseOutputFormat(values.output);
    const parameters: Record<string, string> = {};
    for (const given of values.parameter ?? []) {
      const at = given.indexOf('=');
      if (at <= 0) throw new UsageError(`-p ${given}: expected NAME=VALUE`);
      parameters[given.slice(0, at)] = given.slice(at + 1);
    }

    checkRunEnvironment(envOf(io));
    const target = openLocalTarget(io, { stateDir: values['state-dir'], namespace: values.namespace });
    // A stored object was linted when it was applied; a file is linted now.
    const manifests = values.from !== undefined ? [] : await readManifests(positionals, io);
    if (!manifests) return 1;
    const workflows = values.from !== undefined ? [await workflowFromStored(values.from, target.objects, target.objects.namespace)] : manifests.filter((m) => m.object.kind === 'Workflow').map((m) => m.object as Workflow);
    if (workflows.length !== 1) throw new Error(`${positionals[0]} holds ${workflows.length} Workflows; submit needs exactly one`);
    const source = values.from ?? positionals[0]!;

    const overrides = { ...(values.entrypoint ? { entrypoint: values.entrypoint } : {}), parameters };
    let workflow = withOverrides(workflows[0]!, overrides);
    const namespace = values.namespace ?? workflow.metadata?.namespace ?? target.objects.namespace;
    const templates = layered(manifests.map((m) => m.object), target.objects);
    const referenced = await loadTemplateRefs(workflow, templates);
    if (values.entrypoint && !hasTemplate(workflow.spec, values.entrypoint) && !referenced.some((r) => hasTemplate(r.spec, values.entrypoint!))) {
      throw new Error(`--entrypoint ${values.entrypoint}: the workflow has no template by that name`);
    }
    const refused = clusterOnlyFeatures(workflow, referenced);
    if (refused.length > 0) {
      io.stderr.write(`${refused.map((r) => `${source}: ${r}`).join('\n')}\n`);
      throw new Error(`this workflow needs a Kubernetes cluster and cannot run locally`);
    }

    await continueOrphans(target, io);
    const name = workflow.metadata?.name ?? `${workflow.metadata?.generateName ?? 'workflow-'}${runSuffix()}`;
    workflow = { ...workflow, metadata: { ...workflow.metadata, name, namespace } };
    // The lease is taken before the run exists, so no other process mistakes it for an orphan.
    const lease = await acquireLease(target.layout, name);
    if (!lease || (await readRun(target.layout, name))) throw new Error(`a run named "${name}" already exists`);
    // Read once, here: a restart of the run uses the same values even if the ConfigMaps change.
    await target.runs.save({ id: name, workflow, status: newRunStatus(), ...(referenced.length > 0 ? { referenced } : {}), ...(await loadRunConfigMaps(workflow, referenced, target.objects)) });
    await target.runs.closeAll();
    return launchRun(target, io, name, { wait: values.wait === true, output });
  },
};

function hasTemplate(spec: WorkflowSpec, name: string): boolean {
  return (spec.templates ?? []).some((t) => t?.name === name);
}

/** Templates in the submitted file first, then those stored with skiff apply. */
function layered(objects: Array<{ kind: string; metadata: { name?: string }; spec?: unknown }>, stored: TemplateStore): TemplateStore {
  const inFile = new MemoryTemplateStore();
  for (const o of objects) {
    if ((o.kind === 'WorkflowTemplate' || o.kind === 'ClusterWorkflowTemplate') && o.metadata?.name) inFile.add(o.kind, o.metadata.name, o.spec as WorkflowSpec);
  }
  return { get: async (kind: TemplateKind, name: string) => (await inFile.get(kind, name)) ?? (await stored.get(kind, name)) };
}
