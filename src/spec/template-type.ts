import type { Template } from './model/workflow.js';

/** The field that says what a template does; a template must have exactly one of them. */
export const TEMPLATE_TYPES = ['container', 'script', 'steps', 'dag', 'resource', 'suspend', 'containerSet', 'data', 'http', 'plugin'] as const;
export type TemplateType = (typeof TEMPLATE_TYPES)[number];

/** The template types present on a template, in the order above (normally exactly one). */
export function templateTypesOf(template: Partial<Template>): TemplateType[] {
  return TEMPLATE_TYPES.filter((type) => template[type] !== undefined && template[type] !== null);
}

export function templateTypeOf(template: Partial<Template>): TemplateType | undefined {
  return templateTypesOf(template)[0];
}

/** Leaf templates do work themselves; steps, DAG and suspend templates only orchestrate. */
export function isLeafTemplate(template: Partial<Template>): boolean {
  const type = templateTypeOf(template);
  return type !== undefined && type !== 'steps' && type !== 'dag' && type !== 'suspend';
}

/** Templates that run as a pod of their own (HTTP and plugin templates share an agent pod). */
export function isPodTemplate(template: Partial<Template>): boolean {
  const type = templateTypeOf(template);
  return type === 'container' || type === 'script' || type === 'resource' || type === 'containerSet' || type === 'data';
}

/** Templates whose node has `outputs.result` and `outputs.exitCode`. */
export function hasResultOutput(template: Partial<Template>): boolean {
  const type = templateTypeOf(template);
  if (type === 'containerSet') return (template.containerSet?.containers ?? []).some((c) => c?.name === 'main');
  return type === 'container' || type === 'script' || type === 'data' || type === 'http' || type === 'plugin';
}
