import {
  configMapKeySelector,
  container,
  containerFields,
  hostAlias,
  labelSelector,
  localObjectReference,
  objectMeta,
  persistentVolumeClaim,
  podDisruptionBudgetSpec,
  podDNSConfig,
  podResourceClaim,
  resourceRequirements,
  secretKeySelector,
  toleration,
  volume,
  volumeMount,
} from './kubernetes-shapes.js';
import { artifact, artifactLocation, metadata } from './artifact-shapes.js';
import { any, arrayOf, boolean, integer, intOrString, mapOf, number, object, oneOf, scalar, string, stringMap, type Shape } from './shape.js';

// The shapes of Argo's argoproj.io/v1alpha1 objects, field for field as Argo's Go API types
// define them (names, and the JSON types those fields accept).

const valueFrom = object('ValueFrom', () => ({
  path: string,
  jsonPath: string,
  jqFilter: string,
  event: string,
  parameter: string,
  supplied: object('SuppliedValueFrom', () => ({})),
  configMapKeyRef: configMapKeySelector,
  default: scalar,
  expression: string,
}));

export const parameter = object(
  'Parameter',
  () => ({ name: string, default: scalar, value: scalar, valueFrom, globalName: string, enum: arrayOf(scalar), description: scalar }),
  ['name'],
);

const argumentsShape = object('Arguments', () => ({ parameters: arrayOf(parameter), artifacts: arrayOf(artifact) }));
const inputs = object('Inputs', () => ({ parameters: arrayOf(parameter), artifacts: arrayOf(artifact) }));
const outputs = object('Outputs', () => ({ parameters: arrayOf(parameter), artifacts: arrayOf(artifact), result: string, exitCode: string }));

const templateRef = object('TemplateRef', () => ({ name: string, template: string, clusterScope: boolean }));
const sequence = object('Sequence', () => ({ count: intOrString, start: intOrString, end: intOrString, format: string }));
const continueOn = object('ContinueOn', () => ({ error: boolean, failed: boolean }));
const lifecycleHook = object('LifecycleHook', () => ({ template: string, arguments: argumentsShape, templateRef, expression: string }));
const hooks = mapOf(lifecycleHook);

const retryStrategy = object('RetryStrategy', () => ({
  limit: intOrString,
  retryPolicy: oneOf('Always', 'OnFailure', 'OnError', 'OnTransientError'),
  backoff: object('Backoff', () => ({ duration: string, factor: intOrString, maxDuration: string, cap: string })),
  affinity: object('RetryAffinity', () => ({ nodeAntiAffinity: object('RetryNodeAntiAffinity', () => ({})) })),
  expression: string,
}));

const synchronization = object('Synchronization', () => ({
  semaphores: arrayOf(
    object('SemaphoreRef', () => ({ configMapKeyRef: configMapKeySelector, namespace: string, database: object('SyncDatabaseRef', () => ({ key: string })) })),
  ),
  mutexes: arrayOf(object('Mutex', () => ({ name: string, namespace: string, database: boolean }))),
  // Removed in Argo 3.6 in favour of the plural lists, and still found in older files.
  semaphore: object('SemaphoreRef', () => ({ configMapKeyRef: configMapKeySelector, namespace: string })),
  mutex: object('Mutex', () => ({ name: string, namespace: string })),
}));

const metrics = object('Metrics', () => ({
  prometheus: arrayOf(
    object(
      'Prometheus',
      () => ({
        name: string,
        labels: arrayOf(object('MetricLabel', () => ({ key: string, value: string }), ['key', 'value'])),
        help: string,
        when: string,
        gauge: object('Gauge', () => ({ value: string, realtime: boolean, operation: oneOf('Set', 'Add', 'Sub') })),
        histogram: object('Histogram', () => ({ value: string, buckets: arrayOf(number) })),
        counter: object('Counter', () => ({ value: string })),
      }),
      ['name', 'help'],
    ),
  ),
}));

const memoize = object('Memoize', () => ({ key: string, cache: object('Cache', () => ({ configMap: localObjectReference })), maxAge: string }), ['key']);
const executor = object('ExecutorConfig', () => ({ serviceAccountName: string }));
const userContainer = object('UserContainer', () => ({ ...containerFields(), mirrorVolumeMounts: boolean }));

/** Fields shared by a step and a DAG task: which template to run, with what, how often, when. */
const invocationFields = (): Record<string, Shape> => ({
  name: string,
  template: string,
  inline: template,
  arguments: argumentsShape,
  templateRef,
  withItems: arrayOf(any),
  withParam: string,
  withSequence: sequence,
  when: string,
  continueOn,
  onExit: string,
  hooks,
});

export const workflowStep = object('WorkflowStep', invocationFields);
export const dagTask = object('DAGTask', () => ({ ...invocationFields(), dependencies: arrayOf(string), depends: string }));

export const template: Shape = object('Template', () => ({
  name: string,
  inputs,
  outputs,
  nodeSelector: stringMap,
  affinity: any,
  metadata,
  daemon: boolean,
  // A steps template is a list of groups; each group is a list of steps run in parallel.
  steps: arrayOf(arrayOf(workflowStep)),
  container,
  containerSet: object('ContainerSetTemplate', () => ({
    containers: arrayOf(object('ContainerNode', () => ({ ...containerFields(), dependencies: arrayOf(string) }))),
    volumeMounts: arrayOf(volumeMount),
    retryStrategy: object('ContainerSetRetryStrategy', () => ({ duration: string, retries: intOrString })),
  })),
  script: object('ScriptTemplate', () => ({ ...containerFields(), source: string }), ['source']),
  resource: object(
    'ResourceTemplate',
    () => ({
      action: string,
      mergeStrategy: oneOf('strategic', 'merge', 'json'),
      manifest: string,
      manifestFrom: object('ManifestFrom', () => ({ artifact })),
      setOwnerReference: boolean,
      successCondition: string,
      failureCondition: string,
      flags: arrayOf(string),
    }),
    ['action'],
  ),
  dag: object('DAGTemplate', () => ({ target: string, tasks: arrayOf(dagTask), failFast: boolean }), ['tasks']),
  suspend: object('SuspendTemplate', () => ({ duration: intOrString })),
  data: object(
    'Data',
    () => ({
      source: object('DataSource', () => ({ artifactPaths: object('ArtifactPaths', () => (artifact.kind === 'object' ? artifact.fields() : {})) })),
      transformation: arrayOf(object('TransformationStep', () => ({ expression: string }), ['expression'])),
    }),
    ['source', 'transformation'],
  ),
  http: object(
    'HTTP',
    () => ({
      method: string,
      url: string,
      headers: arrayOf(
        object('HTTPHeader', () => ({ name: string, value: string, valueFrom: object('HTTPHeaderSource', () => ({ secretKeyRef: secretKeySelector })) }), [
          'name',
        ]),
      ),
      timeoutSeconds: integer,
      successCondition: string,
      body: string,
      bodyFrom: object('HTTPBodySource', () => ({ bytes: string })),
      insecureSkipVerify: boolean,
    }),
    ['url'],
  ),
  plugin: mapOf(any),
  volumes: arrayOf(volume),
  initContainers: arrayOf(userContainer),
  sidecars: arrayOf(userContainer),
  archiveLocation: artifactLocation,
  activeDeadlineSeconds: intOrString,
  retryStrategy,
  parallelism: integer,
  failFast: boolean,
  tolerations: arrayOf(toleration),
  schedulerName: string,
  priorityClassName: string,
  serviceAccountName: string,
  automountServiceAccountToken: boolean,
  executor,
  hostAliases: arrayOf(hostAlias),
  securityContext: any,
  podSpecPatch: string,
  metrics,
  synchronization,
  memoize,
  timeout: string,
  annotations: stringMap,
  pendingTimeout: string,
  podResources: resourceRequirements,
  resourceClaims: arrayOf(podResourceClaim),
  // Accepted by Argo for compatibility: `priority` was removed from templates but still parses.
  priority: integer,
}));

const workflowMetadata = object('WorkflowMetadata', () => ({
  labels: stringMap,
  annotations: stringMap,
  labelsFrom: mapOf(object('LabelValueFrom', () => ({ expression: string }), ['expression'])),
}));

export const workflowSpec = object('WorkflowSpec', () => ({
  templates: arrayOf(template),
  entrypoint: string,
  arguments: argumentsShape,
  serviceAccountName: string,
  automountServiceAccountToken: boolean,
  executor,
  volumes: arrayOf(volume),
  volumeClaimTemplates: arrayOf(persistentVolumeClaim),
  parallelism: integer,
  artifactRepositoryRef: object('ArtifactRepositoryRef', () => ({ configMap: string, key: string })),
  suspend: boolean,
  nodeSelector: stringMap,
  affinity: any,
  tolerations: arrayOf(toleration),
  imagePullSecrets: arrayOf(localObjectReference),
  hostNetwork: boolean,
  dnsPolicy: oneOf('ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'),
  dnsConfig: podDNSConfig,
  onExit: string,
  ttlStrategy: object('TTLStrategy', () => ({ secondsAfterCompletion: integer, secondsAfterSuccess: integer, secondsAfterFailure: integer })),
  activeDeadlineSeconds: integer,
  priority: integer,
  schedulerName: string,
  podGC: object('PodGC', () => ({
    strategy: oneOf('', 'OnPodCompletion', 'OnPodSuccess', 'OnWorkflowCompletion', 'OnWorkflowSuccess'),
    labelSelector,
    deleteDelayDuration: string,
  })),
  podPriorityClassName: string,
  podPriority: integer,
  hostAliases: arrayOf(hostAlias),
  securityContext: any,
  podSpecPatch: string,
  podDisruptionBudget: podDisruptionBudgetSpec,
  metrics,
  shutdown: oneOf('', 'Terminate', 'Stop'),
  workflowTemplateRef: object('WorkflowTemplateRef', () => ({ name: string, clusterScope: boolean })),
  synchronization,
  volumeClaimGC: object('VolumeClaimGC', () => ({ strategy: oneOf('', 'OnWorkflowCompletion', 'OnWorkflowSuccess') })),
  retryStrategy,
  podMetadata: metadata,
  templateDefaults: template,
  archiveLogs: boolean,
  hooks,
  workflowMetadata,
  artifactGC: object('WorkflowLevelArtifactGC', () => ({
    strategy: oneOf('', 'OnWorkflowCompletion', 'OnWorkflowDeletion', 'Never'),
    podMetadata: metadata,
    serviceAccountName: string,
    forceFinalizerRemoval: boolean,
    podSpecPatch: string,
  })),
  executorPlugins: arrayOf(any),
  podResources: resourceRequirements,
  resourceClaims: arrayOf(podResourceClaim),
}));

const resourceHeader = (): Record<string, Shape> => ({ apiVersion: string, kind: string, metadata: objectMeta });

export const workflow = object('Workflow', () => ({ ...resourceHeader(), spec: workflowSpec, status: any }), ['spec']);
export const workflowTemplate = object('WorkflowTemplate', () => ({ ...resourceHeader(), spec: workflowSpec }), ['spec']);
export const clusterWorkflowTemplate = object('ClusterWorkflowTemplate', () => ({ ...resourceHeader(), spec: workflowSpec }), ['spec']);
export const cronWorkflow = object(
  'CronWorkflow',
  () => ({
    ...resourceHeader(),
    spec: object(
      'CronWorkflowSpec',
      () => ({
        workflowSpec,
        schedule: string,
        schedules: arrayOf(string),
        concurrencyPolicy: oneOf('', 'Allow', 'Forbid', 'Replace'),
        suspend: boolean,
        startingDeadlineSeconds: integer,
        successfulJobsHistoryLimit: integer,
        failedJobsHistoryLimit: integer,
        timezone: string,
        workflowMetadata: objectMeta,
        stopStrategy: object('StopStrategy', () => ({ expression: string, condition: string })),
        when: string,
      }),
      ['workflowSpec'],
    ),
    status: any,
  }),
  ['spec'],
);
