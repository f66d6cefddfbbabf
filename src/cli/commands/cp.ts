import { resolve } from 'node:path';
import { inputLocation } from '../../artifacts/index.js';
import type { StorageLocation } from '../../artifacts/artifact-location.js';
import { kubeArtifactAccess } from '../../kube/kube-artifact-access.js';
import type { ArtifactAccess } from '../../ports/run-page-source.js';
import type { StoredRun } from '../../ports/run-store.js';
import { DEFAULT_NAMESPACE } from '../../state/local-object-store.js';
import { type CliIO, type Command, envOf, UsageError } from '../cli-io.js';
import type { ClusterTarget } from '../cluster-target.js';
import type { LocalTarget } from '../local-target.js';
import { openRunTarget } from '../open-run-target.js';
import { NAMESPACE_HELP, NAMESPACE_OPTION, STATE_DIR_HELP, STATE_DIR_OPTION, parseCommandArgs } from '../parse-command-args.js';
import { requireTargetRun } from '../read-run.js';
import { localArtifactAccess } from '../local-artifact-access.js';
import { CLUSTER_TARGET_HELP, CLUSTER_TARGET_OPTIONS } from '../run-target.js';
import { resolveRunName } from '../select-runs.js';
import { splitRunKey } from '../../ports/run-key.js';

const DEFAULT_PATH = '{namespace}/{workflowName}/{nodeId}/outputs/{artifactName}';

const USAGE = `Usage: skiff cp [options] NAME OUTPUT_DIR

Downloads the output artifacts of a run's steps into OUTPUT_DIR, as argo cp does, from the
repository the run saved them to (a tarball is unpacked). Each goes to a path under OUTPUT_DIR
made from --path, whose placeholders are {namespace}, {workflowName}, {nodeId}, {templateName}
and {artifactName}. NAME may be @latest.

Against a cluster (--kubeconfig or --context), the artifacts are read from the repository the
run recorded (else the namespace's artifact-repositories ConfigMap), with the credentials of
the cluster's Secrets it names, as the run page reads them.

Options:
      --artifact-name NAME   only artifacts of this name
      --template-name NAME   only artifacts of steps of this template
      --node-id ID           only artifacts of this step (its node id)
      --path PATTERN         where under OUTPUT_DIR (default: ${DEFAULT_PATH})
${NAMESPACE_HELP}
${STATE_DIR_HELP}
${CLUSTER_TARGET_HELP}
  -h, --help                 show this help

Exit status: 0 downloaded (also when nothing matched), 1 no such run or an artifact that could
not be downloaded, 2 usage error.`;

export const cpCommand: Command = {
  name: 'cp',
  summary: "download a run's output artifacts",
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, {
      ...STATE_DIR_OPTION,
      ...CLUSTER_TARGET_OPTIONS,
      ...NAMESPACE_OPTION,
      'artifact-name': { type: 'string' },
      'template-name': { type: 'string' },
      'node-id': { type: 'string' },
      path: { type: 'string' },
    });
    if (positionals.length !== 2) throw new UsageError('name the run and the directory: NAME OUTPUT_DIR');
    const target = openRunTarget(io, { ...values, namespace: undefined });
    const run = await requireTargetRun(target, await resolveRunName(target, positionals[0]!, values.namespace));
    const outputDir = resolve(io.cwd, positionals[1]!);
    const namespace = run.workflow.metadata.namespace ?? DEFAULT_NAMESPACE;
    const { driver, repository, close } = await artifactAccess(target, run, io);
    let status = 0;
    try {
      for (const node of Object.values(run.status.nodes)) {
        if (values['node-id'] !== undefined && node.id !== values['node-id']) continue;
        if (values['template-name'] !== undefined && node.templateName !== values['template-name']) continue;
        for (const artifact of node.outputs?.artifacts ?? []) {
          if (values['artifact-name'] !== undefined && artifact.name !== values['artifact-name']) continue;
          const location = inputLocation(artifact, repository as StorageLocation | undefined);
          if (!location) continue; // an optional artifact that was not produced
          const relative = (values.path ?? DEFAULT_PATH).replace(
            /\{(namespace|workflowName|nodeId|templateName|artifactName)\}/g,
            (_, key: string) =>
              ({
                namespace,
                workflowName: run.workflow.metadata.name ?? splitRunKey(run.key).name,
                nodeId: node.id,
                templateName: node.templateName ?? '',
                artifactName: artifact.name,
              })[key] ?? '',
          );
          const destination = resolve(outputDir, relative);
          // The pattern comes from the command line, but its values come from the run: keep them inside.
          if (destination !== outputDir && !destination.startsWith(`${outputDir}/`)) throw new Error(`--path ${values.path}: ${relative} leaves ${outputDir}`);
          try {
            await driver.load(location, destination, 'auto', artifact.name);
            io.stdout.write(`${node.displayName}/${artifact.name} -> ${destination}\n`);
          } catch (error) {
            io.stderr.write(`skiff cp: ${node.displayName}/${artifact.name}: ${(error as Error).message}\n`);
            status = 1;
          }
        }
      }
    } finally {
      close();
    }
    return status;
  },
};

/** Where a run's artifacts are read from: this machine's repositories, or the cluster's through its Secrets. */
function artifactAccess(target: LocalTarget | ClusterTarget, run: StoredRun, io: CliIO): Promise<ArtifactAccess> {
  return target.kind === 'cluster' ? kubeArtifactAccess(run, target.objects) : localArtifactAccess(target, run, envOf(io));
}
