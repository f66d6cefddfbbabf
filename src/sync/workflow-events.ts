import type { DocumentPath } from '../spec/diagnostic.js';
import type { RepositoryConfig } from './repository-config.js';

/** The annotation by which a Workflow file says which events run it, e.g. `skiff.dev/on: "push, pull_request"`. */
export const ON_ANNOTATION = 'skiff.dev/on';
export const WORKFLOW_EVENTS = ['push', 'pull_request'] as const;
export type WorkflowEvent = (typeof WORKFLOW_EVENTS)[number];

/**
 * Reads a Workflow's `skiff.dev/on` annotation: event names separated by commas, brackets
 * allowed (`push, pull_request` or `[push]`; an annotation value is a string). Undefined when the
 * Workflow has none; an error (reported at the annotation) when it holds anything else.
 *
 * @example workflowEvents({ 'skiff.dev/on': '[push, pull_request]' }, ...) // → ['push', 'pull_request']
 */
export function workflowEvents(
  metadata: Record<string, unknown>,
  error: (path: DocumentPath, rule: string, message: string) => undefined,
): WorkflowEvent[] | undefined | 'invalid' {
  const annotations = metadata.annotations;
  if (annotations === null || typeof annotations !== 'object' || Array.isArray(annotations)) return undefined;
  const value = (annotations as Record<string, unknown>)[ON_ANNOTATION];
  if (value === undefined) return undefined;
  const at: DocumentPath = ['metadata', 'annotations', ON_ANNOTATION];
  const fail = (message: string) => (error(at, 'workflow-events', message), 'invalid' as const);
  if (typeof value !== 'string') return fail(`${ON_ANNOTATION} must be a string, as every annotation value: quote it, as in "[push, pull_request]"`);
  if (value.length > 200) return fail(`${ON_ANNOTATION} is ${value.length} characters long; it names at most ${WORKFLOW_EVENTS.join(' and ')}`);
  const names = value
    .trim()
    .replace(/^\[(.*)\]$/s, '$1')
    .split(',')
    .map((name) => name.trim());
  if (names.length === 1 && names[0] === '') return fail(`${ON_ANNOTATION} names no event; use ${WORKFLOW_EVENTS.join(', ')}, or remove it`);
  const unknown = names.filter((name) => !(WORKFLOW_EVENTS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    const shown = unknown.map((name) => JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name)).join(', ');
    return fail(`${ON_ANNOTATION} names ${shown}, not an event Skiff runs on; known: ${WORKFLOW_EVENTS.join(', ')}`);
  }
  return [...new Set(names as WorkflowEvent[])];
}

/**
 * A Workflow whose annotation leaves out an event the config names it under (`on.<event>.workflows`)
 * is a contradiction: reported at the annotation rather than silently running or not.
 */
export function contradictsConfig(
  name: string | undefined,
  events: readonly WorkflowEvent[],
  config: RepositoryConfig,
  error: (path: DocumentPath, rule: string, message: string) => undefined,
): boolean {
  if (name === undefined) return false;
  const named: Array<[WorkflowEvent, readonly string[] | undefined]> = [
    ['push', config.triggers.push?.workflows],
    ['pull_request', config.triggers.pullRequest?.workflows],
  ];
  for (const [event, names] of named) {
    if (names?.includes(name) && !events.includes(event)) {
      error(
        ['metadata', 'annotations', ON_ANNOTATION],
        'workflow-events',
        `${config.file} names ${name} under on.${event}.workflows, but its ${ON_ANNOTATION} leaves out ${event}: list ${event} here or remove it there`,
      );
      return true;
    }
  }
  return false;
}
