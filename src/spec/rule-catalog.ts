import type { Severity } from './diagnostic.js';

/**
 * Every rule `skiff lint` reports, with the severity it normally has and what it means. The
 * README's rule table and the test that every rule has a failing fixture are both built on this.
 */
export const RULES: Readonly<Record<string, { severity: Severity; summary: string }>> = {
  'yaml-syntax': { severity: 'error', summary: 'the file is not valid YAML' },
  'duplicate-key': { severity: 'warning', summary: 'a map gives the same key twice; the later value silently wins' },
  'yaml-aliases': { severity: 'error', summary: 'a document expands too many aliases (a "billion laughs" attack)' },
  'too-deep': { severity: 'error', summary: 'a document nests deeper than the limit' },
  'too-many-documents': { severity: 'error', summary: 'a file holds more YAML documents than the limit' },
  'file-too-large': { severity: 'error', summary: 'a file is over the size limit and is not read' },
  'binary-file': { severity: 'error', summary: 'a file is binary or not UTF-8' },
  unreadable: { severity: 'error', summary: 'a file cannot be read' },
  'api-version': { severity: 'error', summary: 'an Argo kind has an apiVersion other than argoproj.io/v1alpha1' },
  schema: { severity: 'error', summary: 'a field has the wrong type, a value outside its allowed set, or a required field is missing' },
  'unknown-key': { severity: 'warning', summary: 'a field Argo does not know (and would silently drop), with a "did you mean"' },
  'no-templates': { severity: 'error', summary: 'a Workflow has neither templates nor a workflowTemplateRef' },
  entrypoint: { severity: 'error', summary: 'the entrypoint is missing or names no template' },
  'template-type': { severity: 'error', summary: 'a template has no type (container, script, steps, dag, ...) or more than one' },
  'object-name': {
    severity: 'error',
    summary: 'metadata.name or generateName is missing or does not make a valid Kubernetes name (lowercase, at most 253 characters; a CronWorkflow at most 52)',
  },
  'invalid-name': { severity: 'error', summary: 'a template, step, task, parameter or artifact name is missing or malformed' },
  'duplicate-name': { severity: 'error', summary: 'a name is used twice in the same scope' },
  'unknown-template': { severity: 'error', summary: 'a step, task, hook or exit handler runs a template that does not exist' },
  'external-template': { severity: 'notice', summary: 'a templateRef names a WorkflowTemplate that is not among the linted files' },
  'dag-dependency': { severity: 'error', summary: 'a DAG dependency or target names no task, or the DAG mixes depends with dependencies' },
  'dag-cycle': { severity: 'error', summary: 'DAG tasks wait for each other in a cycle (the cycle is named)' },
  'container-set': {
    severity: 'error',
    summary:
      'a containerSet cannot run as one pod: a container name, a dependency (or a cycle of them), a mount path, a missing "main" for inputs or outputs, or its retryStrategy',
  },
  'depends-syntax': { severity: 'error', summary: 'a depends expression does not parse' },
  loop: { severity: 'error', summary: 'withItems, withParam or withSequence is malformed, or more than one is set' },
  deadline: { severity: 'error', summary: 'activeDeadlineSeconds, timeout or a suspend duration is malformed or on a template that cannot honour it' },
  'pod-gc': { severity: 'error', summary: 'podGC.deleteDelayDuration is not a duration (such as "30s") or is negative' },
  parallelism: { severity: 'error', summary: 'parallelism is set on a template that is not steps or DAG' },
  'retry-strategy': { severity: 'error', summary: 'a retryStrategy limit, backoff or expression is malformed' },
  artifact: { severity: 'error', summary: 'an artifact is declared so that it cannot be produced or consumed (from, path, source)' },
  archive: { severity: 'error', summary: 'archive settings conflict or are out of range' },
  'output-parameter': { severity: 'error', summary: 'an output parameter has no source, two sources, or one its template type cannot use' },
  'unresolved-variable': { severity: 'error', summary: 'a {{...}} reference names nothing declared and visible at that point' },
  'template-syntax': { severity: 'error', summary: 'a {{ tag is never closed' },
  'expression-syntax': { severity: 'error', summary: 'a {{= ...}} expression does not parse' },
  'unknown-function': {
    severity: 'error',
    summary:
      'an expression calls a function Skiff does not offer: misspelt (with a "did you mean"), refused (such as sprig.env), or random where no node seeds it',
  },
  'artifact-repository': { severity: 'error', summary: 'an artifact-repositories ConfigMap, or a reference to one, is wrong' },
  'external-artifact-repository': { severity: 'notice', summary: 'an artifactRepositoryRef names a ConfigMap that is not among the linted files' },
  'parameter-config-map': {
    severity: 'error',
    summary: 'a configMapKeyRef parameter names a key its ConfigMap lacks, or a ConfigMap without the Parameter label',
  },
  'external-parameter-config-map': { severity: 'notice', summary: 'a configMapKeyRef parameter names a ConfigMap that is not among the linted files' },
  memoize: { severity: 'error', summary: 'a memoized template names no cache, or a key, maxAge or cache ConfigMap Argo would refuse' },
  internal: { severity: 'error', summary: 'a check could not run on a malformed document (please report it)' },
};
