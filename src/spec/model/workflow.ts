import type { Container, KeySelector, KubernetesObject, PersistentVolumeClaim, Volume, VolumeMount } from './kubernetes.js';

// Argo's argoproj.io/v1alpha1 workflow language, as TypeScript types. Field names and meanings are
// Argo's, so existing Argo YAML is read unchanged. Values that Argo accepts as "any string" (a
// parameter `value: 3`) are typed as the scalars YAML can give.

export const ARGO_API_VERSION = 'argoproj.io/v1alpha1';

export type AnyString = string | number | boolean;
export type IntOrString = number | string;

export interface Parameter {
  name: string;
  value?: AnyString;
  default?: AnyString;
  enum?: AnyString[];
  description?: AnyString;
  globalName?: string;
  valueFrom?: {
    path?: string;
    jsonPath?: string;
    jqFilter?: string;
    event?: string;
    parameter?: string;
    expression?: string;
    default?: AnyString;
    supplied?: Record<string, never>;
    configMapKeyRef?: KeySelector;
  };
}

export interface S3Location {
  endpoint?: string;
  bucket?: string;
  region?: string;
  insecure?: boolean;
  key?: string;
  keyFormat?: string;
  keyPrefix?: string;
  accessKeySecret?: KeySelector;
  secretKeySecret?: KeySelector;
  sessionTokenSecret?: KeySelector;
  useSDKCreds?: boolean;
  addressingStyle?: string;
  createBucketIfNotPresent?: { objectLocking?: boolean };
  [key: string]: unknown;
}

export interface ArtifactLocation {
  archiveLogs?: boolean;
  s3?: S3Location;
  git?: {
    repo: string;
    revision?: string;
    depth?: number;
    branch?: string;
    singleBranch?: boolean;
    usernameSecret?: KeySelector;
    passwordSecret?: KeySelector;
    [key: string]: unknown;
  };
  http?: { url: string; headers?: Array<{ name: string; value: string }>; [key: string]: unknown };
  raw?: { data: string };
  gcs?: Record<string, unknown>;
  oss?: Record<string, unknown>;
  azure?: Record<string, unknown>;
  hdfs?: Record<string, unknown>;
  artifactory?: Record<string, unknown>;
  plugin?: Record<string, unknown>;
}

export type ArtifactGCStrategy = '' | 'OnWorkflowCompletion' | 'OnWorkflowDeletion' | 'Never';

export interface Artifact extends ArtifactLocation {
  name: string;
  path?: string;
  mode?: number;
  from?: string;
  fromExpression?: string;
  globalName?: string;
  archive?: { tar?: { compressionLevel?: number }; none?: Record<string, never>; zip?: Record<string, never> };
  optional?: boolean;
  subPath?: string;
  recurseMode?: boolean;
  artifactGC?: { strategy?: ArtifactGCStrategy; serviceAccountName?: string };
  deleted?: boolean;
}

export interface Arguments {
  parameters?: Parameter[];
  artifacts?: Artifact[];
}

export interface Inputs extends Arguments {}

export interface Outputs extends Arguments {
  result?: string;
  exitCode?: string;
}

export interface TemplateRef {
  name: string;
  template: string;
  clusterScope?: boolean;
}

export interface Sequence {
  count?: IntOrString;
  start?: IntOrString;
  end?: IntOrString;
  format?: string;
}

export interface RetryStrategy {
  limit?: IntOrString;
  retryPolicy?: 'Always' | 'OnFailure' | 'OnError' | 'OnTransientError';
  backoff?: { duration?: string; factor?: IntOrString; maxDuration?: string; cap?: string };
  expression?: string;
}

export interface LifecycleHook {
  template?: string;
  templateRef?: TemplateRef;
  arguments?: Arguments;
  expression?: string;
}

/** What steps and DAG tasks have in common: which template to run, with what, how often, when. */
export interface Invocation {
  name: string;
  template?: string;
  templateRef?: TemplateRef;
  inline?: Template;
  arguments?: Arguments;
  withItems?: unknown[];
  withParam?: string;
  withSequence?: Sequence;
  when?: string;
  continueOn?: { error?: boolean; failed?: boolean };
  onExit?: string;
  hooks?: Record<string, LifecycleHook>;
}

export interface WorkflowStep extends Invocation {}

export interface DagTask extends Invocation {
  dependencies?: string[];
  depends?: string;
}

export interface ScriptTemplate extends Container {
  source: string;
}

export interface Template {
  name: string;
  inputs?: Inputs;
  outputs?: Outputs;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  daemon?: boolean;
  steps?: WorkflowStep[][];
  dag?: { target?: string; tasks: DagTask[]; failFast?: boolean };
  container?: Container;
  script?: ScriptTemplate;
  containerSet?: {
    containers: Array<Container & { dependencies?: string[] }>;
    volumeMounts?: VolumeMount[];
    retryStrategy?: { duration?: string; retries?: IntOrString };
  };
  resource?: { action: string; manifest?: string; successCondition?: string; failureCondition?: string; [key: string]: unknown };
  suspend?: { duration?: IntOrString };
  data?: { source: { artifactPaths?: Artifact }; transformation: Array<{ expression: string }> };
  http?: { url: string; method?: string; [key: string]: unknown };
  plugin?: Record<string, unknown>;
  volumes?: Volume[];
  initContainers?: Container[];
  sidecars?: Container[];
  archiveLocation?: ArtifactLocation;
  activeDeadlineSeconds?: IntOrString;
  retryStrategy?: RetryStrategy;
  parallelism?: number;
  failFast?: boolean;
  timeout?: string;
  /** Longest time the node may stay Pending (its pod not started), from the node's start. */
  pendingTimeout?: string;
  memoize?: { key: string; maxAge?: string; cache?: { configMap: { name: string } } };
  podSpecPatch?: string;
  serviceAccountName?: string;
  [key: string]: unknown;
}

export interface ArtifactRepositoryRef {
  configMap?: string;
  key?: string;
}

export interface WorkflowSpec {
  entrypoint?: string;
  templates?: Template[];
  arguments?: Arguments;
  onExit?: string;
  volumes?: Volume[];
  volumeClaimTemplates?: PersistentVolumeClaim[];
  parallelism?: number;
  activeDeadlineSeconds?: number;
  artifactRepositoryRef?: ArtifactRepositoryRef;
  /** Archive every pod's logs in the artifact repository (see runs/archive-logs.ts). */
  archiveLogs?: boolean;
  workflowTemplateRef?: { name: string; clusterScope?: boolean };
  templateDefaults?: Partial<Template>;
  retryStrategy?: RetryStrategy;
  serviceAccountName?: string;
  artifactGC?: { strategy?: ArtifactGCStrategy; forceFinalizerRemoval?: boolean; serviceAccountName?: string };
  hooks?: Record<string, LifecycleHook>;
  suspend?: boolean;
  shutdown?: '' | 'Terminate' | 'Stop';
  [key: string]: unknown;
}

export interface Workflow extends KubernetesObject {
  kind: 'Workflow';
  spec: WorkflowSpec;
  status?: Record<string, unknown>;
}

export interface WorkflowTemplate extends KubernetesObject {
  kind: 'WorkflowTemplate';
  spec: WorkflowSpec;
}

export interface ClusterWorkflowTemplate extends KubernetesObject {
  kind: 'ClusterWorkflowTemplate';
  spec: WorkflowSpec;
}

export interface CronWorkflow extends KubernetesObject {
  kind: 'CronWorkflow';
  spec: {
    workflowSpec: WorkflowSpec;
    schedule?: string;
    schedules?: string[];
    concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
    suspend?: boolean;
    timezone?: string;
    startingDeadlineSeconds?: number;
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
    workflowMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    when?: string;
  };
}

/** The kinds whose `spec` (or `spec.workflowSpec`) is a workflow spec. */
export type WorkflowSpecHolder = Workflow | WorkflowTemplate | ClusterWorkflowTemplate | CronWorkflow;
