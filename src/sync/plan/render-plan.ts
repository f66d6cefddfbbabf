import type { FieldChange } from './field-diff.js';
import type { FieldOwner } from './managed-fields.js';
import { countPlan, type PlannedObject, type SyncPlan } from './sync-plan.js';

const MARK: Record<PlannedObject['action'], string> = { create: '+', change: '~', unchanged: '=', prune: '-', error: '!' };
const VERB: Record<PlannedObject['action'], string> = { create: 'create', change: 'change', unchanged: 'unchanged', prune: 'prune', error: 'error' };
/** A value longer than this is shortened: a plan is read, not diffed by machine. */
const VALUE_LIMIT = 120;

/**
 * The plan for a terminal: a summary line, then one line per object that is not unchanged (and
 * those with drift), each with its changed fields, drift and conflicts indented under it.
 *
 * @example
 *   renderPlanText(plan)
 *   // Plan for acme/flows at c0ffee1: 1 to create, 1 to change, 0 to prune, 2 unchanged.
 *   //
 *   // + ConfigMap ci/settings (config/settings.yaml:1)
 *   // ~ WorkflowTemplate ci/build (templates/build.yaml:1)
 *   //     spec.templates[0].container.image: "alpine:3.19" -> "alpine:3.20"
 */
export function renderPlanText(plan: SyncPlan): string {
  const lines = [`${summaryLine(plan)}`];
  const shown = plan.objects.filter(worthShowing);
  if (shown.length > 0) lines.push('');
  for (const object of shown) {
    lines.push(`${MARK[object.action]} ${title(object)}${object.source ? ` (${object.source.file}:${object.source.line})` : ''}`);
    if (object.error) lines.push(`    ${object.error}`);
    for (const change of object.changes) lines.push(`    ${changeText(change)}`);
    for (const path of object.conflicts) lines.push(`    conflict: ${path} is owned by another manager; apply stops here unless forced`);
    for (const owner of object.drift) lines.push(`    drift: ${ownerText(owner)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The plan for a GitHub check run or comment: a summary, a table of the objects that change, and
 * each change's fields in a diff block. Unchanged objects are counted, not listed.
 */
export function renderPlanMarkdown(plan: SyncPlan): string {
  const out = [`### ${summaryLine(plan)}`];
  const shown = plan.objects.filter(worthShowing);
  if (shown.length === 0) return `${out[0]}\n\nNo changes.\n`;
  out.push('', '| | Object | Source | |', '|---|---|---|---|');
  for (const object of shown) {
    const notes = [
      object.drift.length > 0 ? `drift (${object.drift.length} field${object.drift.length === 1 ? '' : 's'})` : '',
      object.conflicts.length > 0 ? 'conflict' : '',
    ]
      .filter(Boolean)
      .join(', ');
    out.push(
      `| ${VERB[object.action]} | \`${escapeCell(title(object))}\` | ${object.source ? `\`${escapeCell(object.source.file)}:${object.source.line}\`` : ''} | ${notes} |`,
    );
  }
  for (const object of shown) {
    const body: string[] = [];
    if (object.error) body.push(`! ${object.error}`);
    for (const change of object.changes) body.push(...diffLines(change));
    for (const path of object.conflicts) body.push(`! conflict: ${path} is owned by another manager`);
    for (const owner of object.drift) body.push(`# drift: ${ownerText(owner)}`);
    if (body.length === 0) continue;
    out.push(
      '',
      `<details><summary>${VERB[object.action]} <code>${escapeHtml(title(object))}</code></summary>`,
      '',
      '```diff',
      ...body.map(fence),
      '```',
      '</details>',
    );
  }
  return `${out.join('\n')}\n`;
}

function summaryLine(plan: SyncPlan): string {
  const c = countPlan(plan);
  const parts = [`${c.create} to create`, `${c.change} to change`, `${c.prune} to prune`, `${c.unchanged} unchanged`];
  if (c.error > 0) parts.push(`${c.error} with errors`);
  if (c.drifted > 0) parts.push(`${c.drifted} drifted`);
  // A commit id is shortened as git shortens it; anything else (`working-tree`) is shown whole.
  const commit = /^[0-9a-f]{12,}$/.test(plan.commit) ? plan.commit.slice(0, 7) : plan.commit;
  return `Plan for ${plan.repository} at ${commit}: ${parts.join(', ')}.`;
}

function title(object: PlannedObject): string {
  const { kind, namespace, name } = object.identity;
  return `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

function changeText(change: FieldChange): string {
  if (!('before' in change)) return `${change.path}: (none) -> ${show(change.after)}`;
  if (!('after' in change)) return `${change.path}: ${show(change.before)} -> (removed)`;
  return `${change.path}: ${show(change.before)} -> ${show(change.after)}`;
}

function diffLines(change: FieldChange): string[] {
  const lines: string[] = [];
  if ('before' in change) lines.push(`- ${change.path}: ${show(change.before)}`);
  if ('after' in change) lines.push(`+ ${change.path}: ${show(change.after)}`);
  return lines;
}

function ownerText(owner: FieldOwner): string {
  return `${owner.path} set by ${owner.manager}${owner.operation ? ` (${owner.operation}${owner.time ? `, ${owner.time}` : ''})` : ''}`;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > VALUE_LIMIT ? `${text.slice(0, VALUE_LIMIT - 3)}...` : text;
}

// A value may hold backticks or newlines: it must not close the fence it sits in.
function fence(line: string): string {
  return line.replace(/```/g, '`\u200b``').replace(/\n/g, '\\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/`/g, "'");
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Unchanged objects are only counted, unless someone changed them by hand or owns fields Skiff declares. */
function worthShowing(object: PlannedObject): boolean {
  return object.action !== 'unchanged' || object.drift.length > 0 || object.conflicts.length > 0;
}
