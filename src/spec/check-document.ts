import type { DocumentPath, Finding } from './diagnostic.js';
import type { ConfigMap } from './model/kubernetes.js';
import type { WorkflowSpec } from './model/workflow.js';
import { checkArtifactRepositoryConfigMap, checkArtifactRepositoryRef, isArtifactRepositoryConfigMap } from './rules/artifact-repository-rules.js';
import { checkArtifactsAndParameters } from './rules/artifact-rules.js';
import { checkParameterConfigMaps } from './rules/config-map-parameter-rules.js';
import { checkContainerSets } from './rules/container-set-rules.js';
import { checkDags } from './rules/dag-rules.js';
import { checkLoops } from './rules/loop-rules.js';
import { checkMemoize } from './rules/memoize-rules.js';
import { checkObjectName } from './rules/object-name-rules.js';
import { checkPodGC } from './rules/pod-gc-rules.js';
import { buildSpecContext, isRecord, type LintCatalog, type SpecKind, type SpecRule } from './rules/spec-context.js';
import { checkEntrypoint, checkNames, checkTemplateReferences, checkTemplateTypes } from './rules/template-rules.js';
import { checkDeadlines } from './rules/deadline-rules.js';
import { checkFunctions } from './rules/function-rules.js';
import { checkRetryStrategies } from './rules/retry-rules.js';
import { checkVariables } from './rules/variable-rules.js';
import { clusterWorkflowTemplate, cronWorkflow, workflow, workflowTemplate } from './schema/argo-shapes.js';
import { checkShape } from './schema/check-shape.js';
import { configMap, secret } from './schema/kubernetes-shapes.js';
import type { Shape } from './schema/shape.js';

const ARGO_KINDS: Record<SpecKind, Shape> = {
  Workflow: workflow,
  WorkflowTemplate: workflowTemplate,
  ClusterWorkflowTemplate: clusterWorkflowTemplate,
  CronWorkflow: cronWorkflow,
};

const SPEC_RULES: SpecRule[] = [
  checkEntrypoint,
  checkTemplateTypes,
  checkNames,
  checkTemplateReferences,
  checkDags,
  checkContainerSets,
  checkLoops,
  checkRetryStrategies,
  checkDeadlines,
  checkArtifactsAndParameters,
  checkVariables,
  checkFunctions,
  checkArtifactRepositoryRef,
  checkParameterConfigMaps,
  checkMemoize,
  checkPodGC,
];

export type DocumentCheck =
  | { checked: true; kind: string; findings: Finding[] }
  /** Not something Skiff manages; `reason` says what it was. */
  | { checked: false; reason: string };

/**
 * Checks one parsed document: its structure against the schema of its kind, then the semantic
 * rules. Rules never throw out of here: a rule that fails on malformed input it did not expect
 * becomes a finding, so one odd document cannot stop the lint of the rest.
 */
export function checkDocument(value: unknown, catalog: LintCatalog): DocumentCheck {
  if (!isRecord(value)) return { checked: false, reason: 'not a Kubernetes object (no apiVersion and kind)' };
  const { apiVersion, kind } = value;
  if (typeof kind !== 'string') return { checked: false, reason: 'not a Kubernetes object (no kind)' };
  if (kind in ARGO_KINDS) {
    const specKind = kind as SpecKind;
    const findings: Finding[] = [];
    if (apiVersion !== 'argoproj.io/v1alpha1') {
      findings.push({
        path: apiVersion === undefined ? [] : ['apiVersion'],
        at: apiVersion === undefined ? 'key' : 'value',
        severity: 'error',
        rule: 'api-version',
        message: `${kind} must have apiVersion "argoproj.io/v1alpha1"${apiVersion === undefined ? '' : `, not "${String(apiVersion)}"`}`,
      });
    }
    findings.push(...checkShape(value, ARGO_KINDS[specKind]));
    findings.push(...checkObjectName(kind, value.metadata));
    const specPath: DocumentPath = specKind === 'CronWorkflow' ? ['spec', 'workflowSpec'] : ['spec'];
    const spec = specKind === 'CronWorkflow' ? (isRecord(value.spec) ? value.spec.workflowSpec : undefined) : value.spec;
    if (isRecord(spec)) {
      const context = buildSpecContext(specKind, value.metadata, spec as WorkflowSpec, specPath, catalog);
      for (const rule of SPEC_RULES) findings.push(...runSafely(rule.name, () => rule(context), specPath));
    }
    return { checked: true, kind, findings };
  }
  if (kind === 'ConfigMap' && (apiVersion === 'v1' || apiVersion === undefined)) {
    const findings = [...checkShape(value, configMap), ...checkObjectName(kind, value.metadata)];
    if (isArtifactRepositoryConfigMap(value as unknown as ConfigMap)) {
      findings.push(...runSafely('checkArtifactRepositoryConfigMap', () => checkArtifactRepositoryConfigMap(value as unknown as ConfigMap), []));
    }
    return { checked: true, kind, findings };
  }
  if (kind === 'Secret' && (apiVersion === 'v1' || apiVersion === undefined)) {
    return { checked: true, kind, findings: [...checkShape(value, secret), ...checkObjectName(kind, value.metadata)] };
  }
  return { checked: false, reason: `${kind}${typeof apiVersion === 'string' ? ` (${apiVersion})` : ''} is not a kind Skiff checks` };
}

function runSafely(name: string, rule: () => Finding[], path: DocumentPath): Finding[] {
  try {
    return rule();
  } catch (error) {
    return [{ path, at: 'key', severity: 'error', rule: 'internal', message: `the ${name} check could not run on this document: ${(error as Error).message}` }];
  }
}

/** Adds the documents other documents may refer to (templates, ConfigMaps) to the catalog. */
export function addToCatalog(catalog: LintCatalog, value: unknown): void {
  if (!isRecord(value) || !isRecord(value.metadata) || typeof value.metadata.name !== 'string') return;
  const name = value.metadata.name;
  if (value.kind === 'WorkflowTemplate' && isRecord(value.spec)) catalog.workflowTemplates.set(name, value.spec as WorkflowSpec);
  if (value.kind === 'ClusterWorkflowTemplate' && isRecord(value.spec)) catalog.clusterWorkflowTemplates.set(name, value.spec as WorkflowSpec);
  if (value.kind === 'ConfigMap') catalog.configMaps.set(name, value as unknown as ConfigMap);
}

export function emptyCatalog(): LintCatalog {
  return { workflowTemplates: new Map(), clusterWorkflowTemplates: new Map(), configMaps: new Map() };
}
