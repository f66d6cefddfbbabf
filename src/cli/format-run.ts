import { ConfigMapParameters } from '../engine/config-map-parameters.js';
import type { StoredRun } from '../ports/run-store.js';
import type { NodeStatus } from '../engine/workflow-status.js';
import type { Parameter, Workflow } from '../spec/model/workflow.js';
import { DEFAULT_NAMESPACE } from '../state/local-object-store.js';
import { formatDuration, spanOf } from '../report/format-duration.js';
import { formatTable } from './format-table.js';
import { phaseSymbol, podNameOfNode, treeRows } from '../report/node-tree.js';
import { formatResourcesDuration, resourcesDuration } from './resources-duration.js';
import { splitRunKey } from '../ports/run-key.js';

export type TreeColumns = 'live' | 'normal' | 'wide';

/**
 * The run's nodes as a table whose first column is the tree: `live` has the step, duration and
 * message (the view redrawn while waiting); `normal` adds template and pod (`argo get`); `wide`
 * adds phase, start time and output parameters.
 */
export function formatTree(
  run: StoredRun,
  now: number,
  columns: TreeColumns,
  noteOf?: (node: NodeStatus) => string | undefined,
  shown: (node: NodeStatus) => boolean = () => true,
): string {
  const name = run.workflow.metadata.name ?? splitRunKey(run.key).name;
  const header =
    columns === 'live'
      ? ['STEP', 'DURATION', 'MESSAGE']
      : columns === 'normal'
        ? ['STEP', 'TEMPLATE', 'PODNAME', 'DURATION', 'MESSAGE']
        : ['STEP', 'PHASE', 'TEMPLATE', 'PODNAME', 'STARTED', 'DURATION', 'OUTPUTS', 'ARTIFACTS', 'MESSAGE', 'RESOURCESDURATION'];
  const rows = [header];
  for (const { prefix, node } of treeRows(run.status, name)) {
    if (!shown(node)) continue;
    const step = `${prefix}${phaseSymbol(node)} ${node.displayName}`;
    const duration = spanOf(node, now);
    // A daemon that is up says where later steps reach it, a cache hit where its outputs came from,
    // a transfer under way how far it got.
    const daemon = node.daemoned && node.phase === 'Running' ? `daemon ready${node.podIP ? ` at ${node.podIP}` : ''}` : undefined;
    const message = [node.message, daemon, cacheNote(node), noteOf?.(node)].filter(Boolean).join(' · ');
    if (columns === 'live') rows.push([step, duration, message]);
    else if (columns === 'normal') rows.push([step, node.templateName ?? '', podNameOfNode(name, node) ?? '', duration, message]);
    else {
      const outputs = (node.outputs?.parameters ?? []).map((p) => `${p.name}=${String(p.value ?? '')}`);
      if (node.outputs?.exitCode !== undefined) outputs.push(`exitCode=${node.outputs.exitCode}`);
      const artifacts = (node.outputs?.artifacts ?? []).map((a) => a.name).join(' ');
      const used = node.type === 'Pod' && node.startedAt && !node.memoizationStatus?.hit ? formatResourcesDuration(resourcesDuration(run, node, now)) : '';
      rows.push([
        step,
        node.phase,
        node.templateName ?? '',
        podNameOfNode(name, node) ?? '',
        node.startedAt ?? '',
        duration,
        outputs.join(' '),
        artifacts,
        message,
        used,
      ]);
    }
  }
  return formatTable(rows);
}

/** A node taken from a memoization cache ran nothing: say where its outputs came from. */
function cacheNote(node: NodeStatus): string | undefined {
  const memo = node.memoizationStatus;
  // Resubmit's kept nodes say so in their message already ("original pod: ...").
  return memo?.hit && node.type !== 'Skipped' ? `from cache ${memo.cacheName} (key ${memo.key})` : undefined;
}

/** A workflow argument as the run sees it: a ConfigMap's value as the run read it, or where it comes from. */
function parameterText(parameter: Parameter, configMaps: ConfigMapParameters): string {
  const ref = parameter.valueFrom?.configMapKeyRef;
  if ((parameter.value === undefined || parameter.value === null) && ref) {
    const read = configMaps.resolve(parameter.valueFrom!, ref, true);
    return 'value' in read ? read.value : `(ConfigMap "${String(ref.name ?? '')}", key "${String(ref.key ?? '')}")`;
  }
  return String(parameter.value ?? parameter.default ?? '');
}

/** `argo get`: the run's summary, then its tree. */
export function formatRunDetails(run: StoredRun, now: number, wide = false, shown?: (node: NodeStatus) => boolean): string {
  const status = run.status;
  const fields: Array<[string, string | undefined]> = [
    ['Name', run.workflow.metadata.name ?? splitRunKey(run.key).name],
    ['Namespace', run.workflow.metadata.namespace ?? DEFAULT_NAMESPACE],
    ['Status', status.phase],
    ['Message', status.message],
    ['Held', run.held ? `since ${run.held.since}: its state cannot be saved (${run.held.problem}); it goes on once it can` : undefined],
    ['Started', status.startedAt],
    ['Finished', status.finishedAt],
    ['Duration', status.startedAt ? formatDuration((status.finishedAt ? Date.parse(status.finishedAt) : now) - Date.parse(status.startedAt)) : undefined],
    ['Progress', status.progress],
    [
      'ResourcesDuration',
      Object.values(status.nodes).some((n) => n.type === 'Pod' && n.startedAt)
        ? formatResourcesDuration(resourcesDuration(run, { id: run.workflow.metadata.name ?? splitRunKey(run.key).name, type: 'Steps' } as NodeStatus, now))
        : undefined,
    ],
  ];
  const lines = fields.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${`${k}:`.padEnd(19)}${v}`);
  const parameters = run.workflow.spec.arguments?.parameters ?? [];
  if (parameters.length > 0) {
    lines.push('Parameters:');
    const configMaps = new ConfigMapParameters(run.workflow.metadata.namespace ?? DEFAULT_NAMESPACE, run.configMaps);
    for (const p of parameters) lines.push(`  ${p.name}: ${parameterText(p, configMaps)}`);
  }
  const outputs = status.outputs?.parameters ?? [];
  if (outputs.length > 0) {
    lines.push('Outputs:');
    for (const p of outputs) lines.push(`  ${p.name}: ${String(p.value ?? '')}`);
  }
  return `${lines.join('\n')}\n\n${formatTree(run, now, wide ? 'wide' : 'normal', undefined, shown)}\n`;
}

/** The run as an argoproj.io/v1alpha1 Workflow with its status in Argo's format (`-o json|yaml`). */
export function workflowObject(run: StoredRun): Workflow {
  const { status: _ignored, ...workflow } = run.workflow;
  const metadata = {
    ...workflow.metadata,
    name: workflow.metadata.name ?? splitRunKey(run.key).name,
    namespace: workflow.metadata.namespace ?? DEFAULT_NAMESPACE,
  };
  if (run.status.startedAt && !metadata.creationTimestamp) metadata.creationTimestamp = run.status.startedAt;
  return { ...workflow, metadata, status: run.status as unknown as Record<string, unknown> };
}
