import { dump } from 'js-yaml';
import type { StoredRun } from '../ports/run-store.js';
import type { NodeStatus } from '../engine/workflow-status.js';
import { UsageError } from './cli-io.js';
import { formatRunDetails, workflowObject } from './format-run.js';
import { splitRunKey } from '../ports/run-key.js';

export type OutputFormat = 'json' | 'yaml' | 'wide' | 'name';

export function parseOutputFormat(value: string | undefined, allowed: OutputFormat[] = ['json', 'yaml', 'wide']): OutputFormat | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as string[]).includes(value)) throw new UsageError(`unknown output format "${value}": use ${allowed.join(', ')}`);
  return value as OutputFormat;
}

/** A run as `get` and `submit --wait` print it: `argo get`'s summary and tree, the Workflow object, or its name. */
export function formatRunOutput(run: StoredRun, format: OutputFormat | undefined, now = Date.now(), shown?: (node: NodeStatus) => boolean): string {
  if (format === 'name') return `${run.workflow.metadata.name ?? splitRunKey(run.key).name}\n`;
  if (format === 'json') return `${JSON.stringify(workflowObject(run), null, 2)}\n`;
  if (format === 'yaml') return dump(workflowObject(run), { noRefs: true, lineWidth: -1 });
  return formatRunDetails(run, now, format === 'wide', shown);
}
