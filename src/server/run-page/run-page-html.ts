import type { NodePhase, NodeStatus, WorkflowPhase } from '../../engine/workflow-status.js';
import type { StoredRun } from '../../ports/run-store.js';
import type { Parameter } from '../../spec/model/workflow.js';
import { formatDuration } from '../../report/format-duration.js';
import { PHASE_SYMBOLS } from '../../report/phase-symbols.js';
import { ansiToHtml } from './ansi-to-html.js';
import { html, SafeHtml } from './html-escape.js';
import { type GraphItem, graphShape, type RunGraph } from './run-graph.js';
import type { NodeLogs } from './node-containers.js';
import type { PageViewer } from './page-access.js';
import type { SecretRedactor } from './secret-redactor.js';

/** Above this many boxes the graph is drawn without its edges (the boxes stay in their layers). */
export const MAX_DRAWN_EDGES = 2000;

/** Everything a page needs besides the run: where its parts are fetched and what the holder may do. */
export interface PageContext {
  /** `/runs/<ns>/<name>`, URL-encoded. */
  base: string;
  /** The link's query (`exp=…&sig=…[&cap=write]`), added to every request the page makes. */
  query: string;
  /** Set on a writer's page: the token its forms post. */
  formToken?: string;
  redactor: SecretRedactor;
  now: number;
  /** What the last action did, said above the graph. */
  notice?: string;
  /** Who is signed in, where a server signs people in (skiff serve with GitHub). */
  viewer?: PageViewer;
}

export function phaseBadge(phase: NodePhase | WorkflowPhase): SafeHtml {
  return html`<span class="phase phase-${phase}"><span aria-hidden="true">${PHASE_SYMBOLS[phase] ?? '?'}</span> ${phase}</span>`;
}

/** The whole run page: its header, parameters, actions, graph and the panel where a node opens. */
export function renderRunPage(run: StoredRun, graph: RunGraph, context: PageContext): string {
  const name = run.workflow.metadata.name ?? '';
  const namespace = run.workflow.metadata.namespace ?? 'default';
  const status = run.status;
  const redact = context.redactor.redact;
  const parameters = run.workflow.spec.arguments?.parameters ?? [];
  const labels = Object.entries(run.workflow.metadata.labels ?? {});
  return `<!doctype html>
${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><link rel="icon" href="data:,">
<title>${name} · ${status.phase} · Skiff</title>
<link rel="stylesheet" href="/_skiff/run-page.css"></head>
<body data-base="${context.base}" data-query="${context.query}">
<a class="skip" href="#graph">Skip to the graph</a>
<header class="run-header">
  <h1><span class="muted">${namespace} /</span> ${name}</h1>
  <p id="run-phase" aria-live="polite">${phaseBadge(status.phase)} <span id="run-message">${redact(status.message ?? '')}</span></p>
  <dl class="facts">
    <div><dt>Started</dt><dd id="run-started">${status.startedAt ?? '—'}</dd></div>
    <div><dt>Finished</dt><dd id="run-finished">${status.finishedAt ?? '—'}</dd></div>
    <div><dt>Duration</dt><dd id="run-duration">${durationOf(status, context.now)}</dd></div>
    <div><dt>Progress</dt><dd id="run-progress">${status.progress ?? '—'}</dd></div>
    ${labels.length > 0 ? html`<div><dt>Labels</dt><dd>${labels.map(([k, v]) => html`<code>${k}=${v}</code> `)}</dd></div>` : ''}
  </dl>
  ${parameters.length > 0 ? html`<details open><summary>Parameters (${parameters.length})</summary>${parameterTable(parameters, context.redactor)}</details>` : ''}
  ${context.viewer ? viewerLine(context.viewer) : ''}
  ${context.formToken !== undefined ? actionForms(context) : ''}
</header>
${context.notice !== undefined ? html`<p class="notice" role="status">${context.notice}</p>` : ''}
<main class="layout">
  <section id="graph" class="graph" aria-label="Steps of the run" tabindex="-1">${renderGraph(graph)}</section>
  <aside id="panel" class="panel" aria-live="polite" hidden></aside>
</main>
<script src="/_skiff/run-page.js" defer></script>
</body></html>`}
`;
}

/** The graph: one row per layer, each box a link to its node (`#node=<id>`) that keyboard and screen readers reach. */
export function renderGraph(graph: RunGraph): SafeHtml {
  const rows: GraphItem[][] = [];
  for (const item of graph.items) (rows[item.rank] ??= []).push(item);
  const drawEdges = graph.items.length <= MAX_DRAWN_EDGES;
  const edgeData = drawEdges ? JSON.stringify(graph.edges) : '[]';
  return html`<div class="graph-rows" data-edges="${edgeData}" data-count="${graph.items.length}" data-shape="${graphShape(graph)}">
${rows.filter((row) => row !== undefined).map((row) => html`<div class="graph-row">${row.map(graphBox)}</div>\n`)}
</div>${drawEdges ? '' : html`<p class="muted">${graph.items.length} boxes: links between them are not drawn.</p>`}`;
}

function graphBox(item: GraphItem): SafeHtml {
  const href = item.kind === 'loop' ? `#loop=${encodeURIComponent(item.id)}` : `#node=${encodeURIComponent(item.id)}`;
  const detail =
    item.kind === 'loop'
      ? html`<span class="box-detail" data-counts>${loopSummary(item)}</span>`
      : item.attempt !== undefined
        ? html`<span class="box-detail">attempt ${item.attempt}</span>`
        : item.hooked
          ? html`<span class="box-detail">exit handler</span>`
          : html`<span class="box-detail">${item.type}</span>`;
  return html`<a class="box box-${item.kind} type-${item.type} phase-${item.phase}${item.hooked ? ' hooked' : ''}" id="box-${item.id}" data-item="${item.id}" href="${href}"><span class="box-phase" data-phase="${item.phase}"><span aria-hidden="true">${PHASE_SYMBOLS[item.phase]}</span> <span class="phase-word">${item.phase}</span></span><span class="box-label">${item.label}</span>${detail}</a>`;
}

/** A folded loop's line: how many iterations, and how many in each phase. */
export function loopSummary(item: GraphItem): string {
  const counts = Object.entries(item.counts ?? {}).map(([phase, n]) => `${n} ${PHASE_SYMBOLS[phase as NodePhase]} ${phase}`);
  return `${item.members?.length ?? 0} iterations: ${counts.join(', ')}`;
}

/** A folded loop opened: its iterations, each a link to its node. */
export function renderLoopView(run: StoredRun, item: GraphItem): SafeHtml {
  const nodes = (item.members ?? []).map((id) => run.status.nodes[id]).filter((n): n is NodeStatus => n !== undefined);
  return html`<h2>${item.label} <span class="muted">(loop)</span></h2><p>${phaseBadge(item.phase)} ${loopSummary(item)}</p>
<ol class="iterations">${nodes.map((n) => html`<li><a href="#node=${encodeURIComponent(n.id)}">${phaseBadge(n.phase)} ${n.displayName}</a></li>`)}</ol>`;
}

/** A node opened: what it is, when it ran, its inputs and outputs, and (for a pod) its log. */
export function renderNodeView(node: NodeStatus, logs: NodeLogs | undefined, context: PageContext): SafeHtml {
  const pod = logs?.pod;
  const redact = context.redactor.redact;
  const idQuery = `id=${encodeURIComponent(node.id)}&${context.query}`;
  const template = node.templateRef ? `${node.templateRef.name}/${node.templateRef.template}` : (node.templateName ?? '—');
  const outputs = node.outputs;
  return html`<div class="node-view" data-node="${node.id}" data-phase="${node.phase}">
<p class="panel-tools"><a href="#node=${encodeURIComponent(node.id)}" class="copy-link">Link to this step</a> <button type="button" class="close" aria-label="Close">×</button></p>
<h2>${node.displayName}</h2>
<p>${phaseBadge(node.phase)} <span class="node-message">${redact(node.message ?? '')}</span></p>
<dl class="facts">
  <div><dt>Type</dt><dd>${node.type}</dd></div>
  <div><dt>Template</dt><dd>${template}</dd></div>
  <div><dt>Started</dt><dd>${node.startedAt ?? '—'}</dd></div>
  <div><dt>Finished</dt><dd>${node.finishedAt ?? '—'}</dd></div>
  <div><dt>Duration</dt><dd>${durationOf(node, context.now)}</dd></div>
  ${pod !== undefined ? html`<div><dt>Pod</dt><dd><code>${pod}</code></dd></div>` : ''}
  <div><dt>Node</dt><dd><code>${node.id}</code></dd></div>
  ${outputs?.exitCode !== undefined ? html`<div><dt>Exit code</dt><dd>${outputs.exitCode}</dd></div>` : ''}
</dl>
<h3>Inputs</h3>
${section(node.inputs?.parameters ?? [], node.inputs?.artifacts?.map((a) => html`<li><code>${a.name}</code>${a.path ? html` at <code>${a.path}</code>` : ''}</li>`) ?? [], context)}
<h3>Outputs</h3>
${outputs?.result !== undefined ? html`<p>Result:</p><pre class="result">${new SafeHtml(ansiToHtml(redact(outputs.result)))}</pre>` : ''}
${section(
  outputs?.parameters ?? [],
  (outputs?.artifacts ?? []).map((a) => {
    const url = `${context.base}/artifact?${idQuery}&name=${encodeURIComponent(a.name)}`;
    return html`<li><a href="${url}" download>${a.name}</a> <span class="artifact-info muted" data-info="${context.base}/artifact-info?${idQuery}&name=${encodeURIComponent(a.name)}"></span></li>`;
  }),
  context,
)}
${logs !== undefined ? logSection(node, logs, idQuery, context) : ''}
</div>`;
}

/**
 * A step's log: the first container's, and for a containerSet a choice of the others (the page's
 * script points the log, its stream and its download at the chosen container).
 */
function logSection(node: NodeStatus, logs: NodeLogs, idQuery: string, context: PageContext): SafeHtml {
  const first = logs.containers[0]!;
  const query = `${idQuery}&container=${encodeURIComponent(first)}`;
  const choice =
    logs.containers.length > 1
      ? html`<label>Container <select class="log-container">${logs.containers.map((c) => html`<option value="${c}">${c}</option>`)}</select></label> `
      : '';
  return html`<h3>Log</h3>
<p class="log-tools">${choice}<button type="button" class="log-earlier" hidden>Show earlier lines</button> <a class="log-download" href="${context.base}/log?${query}&download=1" download>Download the whole log</a></p>
<pre class="log" tabindex="0" aria-label="Log of ${node.displayName}" data-container="${first}" data-log="${context.base}/log?${query}" data-follow="${context.base}/log-events?${query}"></pre>`;
}

function section(parameters: Parameter[], artifacts: SafeHtml[], context: PageContext): SafeHtml {
  if (parameters.length === 0 && artifacts.length === 0) return html`<p class="muted">None.</p>`;
  return html`${parameters.length > 0 ? parameterTable(parameters, context.redactor) : ''}${artifacts.length > 0 ? html`<p>Artifacts:</p><ul class="artifacts">${artifacts}</ul>` : ''}`;
}

function parameterTable(parameters: Parameter[], redactor: SecretRedactor): SafeHtml {
  return html`<table class="params"><tbody>${parameters.map(
    (p) => html`<tr><th scope="row"><code>${p.name}</code></th><td><code>${redactor.redact(String(p.value ?? p.default ?? ''))}</code></td></tr>`,
  )}</tbody></table>`;
}

/** Who is signed in and how to sign out, or how to sign in; and why there are no actions. */
function viewerLine(viewer: PageViewer): SafeHtml {
  if (viewer.login === undefined)
    return html`<p class="viewer">${viewer.signInUrl !== undefined ? html`<a href="${viewer.signInUrl}">Sign in with GitHub</a> to retry or stop this run.` : ''}</p>`;
  return html`<form class="viewer" method="post" action="${viewer.signOutUrl ?? ''}">Signed in as <strong>${viewer.login}</strong>. <button type="submit">Sign out</button>${viewer.note !== undefined ? html` <span class="muted">${viewer.note}</span>` : ''}</form>`;
}

function actionForms(context: PageContext): SafeHtml {
  const action = `${context.base}/action?${context.query}`;
  const button = (op: string, label: string) =>
    html`<form method="post" action="${action}"><input type="hidden" name="token" value="${context.formToken}"><input type="hidden" name="op" value="${op}"><button type="submit" data-op="${op}">${label}</button></form>`;
  return html`<div class="actions" role="group" aria-label="Actions">${button('retry-failed', 'Retry failed steps')}${button('retry-all', 'Retry all')}${button('stop', 'Stop')}${button('terminate', 'Terminate')}</div>`;
}

/** The page of a refused link: says why, and nothing of the run. */
export function renderForbidden(reason: string, signInUrl?: string): string {
  return renderMessagePage('403: this link does not open a run', reason, true, undefined, signInUrl);
}

/** A page of one message (a refused link, a refused action), with the way back when there is one. */
export function renderMessagePage(title: string, message: string, askForLink: boolean, back?: string, signInUrl?: string): string {
  return `<!doctype html>
${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · Skiff</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/_skiff/run-page.css"></head><body><main class="forbidden"><h1>${title}</h1><p>${message}</p>
${askForLink ? html`<p>Ask for a new link: <code>skiff ui --link NAME</code> or <code>skiff get NAME</code> with a UI address configured.</p>` : ''}
${signInUrl !== undefined ? html`<p>Or, with read access to the run's repository, <a href="${signInUrl}">sign in with GitHub</a>.</p>` : ''}
${back !== undefined ? html`<p><a href="${back}">Back to the run</a></p>` : ''}</main></body></html>`}
`;
}

function durationOf(item: { startedAt?: string; finishedAt?: string }, now: number): string {
  if (!item.startedAt) return '—';
  const end = item.finishedAt ? Date.parse(item.finishedAt) : now;
  return formatDuration(Math.max(0, end - Date.parse(item.startedAt)));
}
