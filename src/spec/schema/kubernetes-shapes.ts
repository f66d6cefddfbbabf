import { any, arrayOf, boolean, integer, intOrString, mapOf, object, oneOf, string, stringMap, type Shape } from './shape.js';

// The Kubernetes core types that Argo objects embed. Fields whose insides are large and owned by
// Kubernetes (affinity, probes, security contexts, volume sources) are checked one level deep:
// a misspelt top-level key is caught here, and the API server checks the rest on apply.

export const objectMeta = object('ObjectMeta', () => ({
  name: string,
  generateName: string,
  namespace: string,
  labels: stringMap,
  annotations: stringMap,
  uid: string,
  resourceVersion: string,
  generation: integer,
  creationTimestamp: any,
  deletionTimestamp: any,
  deletionGracePeriodSeconds: integer,
  ownerReferences: arrayOf(any),
  finalizers: arrayOf(string),
  managedFields: arrayOf(any),
  selfLink: string,
}));

export const secretKeySelector = object('SecretKeySelector', () => ({ name: string, key: string, optional: boolean }), ['key']);
export const configMapKeySelector = object('ConfigMapKeySelector', () => ({ name: string, key: string, optional: boolean }), ['key']);
export const localObjectReference = object('LocalObjectReference', () => ({ name: string }));

const envVar = object(
  'EnvVar',
  () => ({
    name: string,
    value: string,
    valueFrom: object('EnvVarSource', () => ({
      fieldRef: object('ObjectFieldSelector', () => ({ apiVersion: string, fieldPath: string }), ['fieldPath']),
      resourceFieldRef: object('ResourceFieldSelector', () => ({ containerName: string, resource: string, divisor: intOrString }), ['resource']),
      configMapKeyRef: configMapKeySelector,
      secretKeyRef: secretKeySelector,
      fileKeyRef: any,
    })),
  }),
  ['name'],
);

const envFromSource = object('EnvFromSource', () => ({
  prefix: string,
  configMapRef: object('ConfigMapEnvSource', () => ({ name: string, optional: boolean })),
  secretRef: object('SecretEnvSource', () => ({ name: string, optional: boolean })),
}));

export const resourceRequirements = object('ResourceRequirements', () => ({
  limits: mapOf(intOrString),
  requests: mapOf(intOrString),
  claims: arrayOf(object('ResourceClaim', () => ({ name: string, request: string }), ['name'])),
}));

export const volumeMount = object(
  'VolumeMount',
  () => ({
    name: string,
    mountPath: string,
    subPath: string,
    subPathExpr: string,
    readOnly: boolean,
    recursiveReadOnly: string,
    mountPropagation: string,
  }),
  ['name', 'mountPath'],
);

const containerPort = object(
  'ContainerPort',
  () => ({ name: string, containerPort: integer, hostPort: integer, hostIP: string, protocol: oneOf('TCP', 'UDP', 'SCTP') }),
  ['containerPort'],
);

/** Fields of a Kubernetes container, shared by Argo's container, script and user-container types. */
export const containerFields = (): Record<string, Shape> => ({
  name: string,
  image: string,
  command: arrayOf(string),
  args: arrayOf(string),
  workingDir: string,
  ports: arrayOf(containerPort),
  envFrom: arrayOf(envFromSource),
  env: arrayOf(envVar),
  resources: resourceRequirements,
  resizePolicy: arrayOf(any),
  restartPolicy: string,
  restartPolicyRules: arrayOf(any),
  volumeMounts: arrayOf(volumeMount),
  volumeDevices: arrayOf(object('VolumeDevice', () => ({ name: string, devicePath: string }), ['name', 'devicePath'])),
  livenessProbe: any,
  readinessProbe: any,
  startupProbe: any,
  lifecycle: any,
  terminationMessagePath: string,
  terminationMessagePolicy: oneOf('File', 'FallbackToLogsOnError'),
  imagePullPolicy: oneOf('Always', 'Never', 'IfNotPresent'),
  securityContext: any,
  stdin: boolean,
  stdinOnce: boolean,
  tty: boolean,
});

export const container = object('Container', containerFields);

/** The volume sources Kubernetes knows; each source's own fields are left to the API server. */
const volumeSources = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
];

export const volume = object('Volume', () => ({ name: string, ...Object.fromEntries(volumeSources.map((source) => [source, any])) }), ['name']);

export const persistentVolumeClaim = object('PersistentVolumeClaim', () => ({
  apiVersion: string,
  kind: string,
  metadata: objectMeta,
  spec: object('PersistentVolumeClaimSpec', () => ({
    accessModes: arrayOf(string),
    selector: any,
    resources: resourceRequirements,
    volumeName: string,
    storageClassName: string,
    volumeMode: oneOf('Filesystem', 'Block'),
    dataSource: any,
    dataSourceRef: any,
    volumeAttributesClassName: string,
  })),
  status: any,
}));

export const toleration = object('Toleration', () => ({
  key: string,
  operator: oneOf('Exists', 'Equal'),
  value: string,
  effect: oneOf('NoSchedule', 'PreferNoSchedule', 'NoExecute'),
  tolerationSeconds: integer,
}));

export const hostAlias = object('HostAlias', () => ({ ip: string, hostnames: arrayOf(string) }), ['ip']);

export const podDNSConfig = object('PodDNSConfig', () => ({
  nameservers: arrayOf(string),
  searches: arrayOf(string),
  options: arrayOf(object('PodDNSConfigOption', () => ({ name: string, value: string }))),
}));

export const labelSelector = object('LabelSelector', () => ({ matchLabels: stringMap, matchExpressions: arrayOf(any) }));

export const podDisruptionBudgetSpec = object('PodDisruptionBudgetSpec', () => ({
  minAvailable: intOrString,
  maxUnavailable: intOrString,
  selector: labelSelector,
  unhealthyPodEvictionPolicy: string,
}));

export const podResourceClaim = object('PodResourceClaim', () => ({ name: string, resourceClaimName: string, resourceClaimTemplateName: string }), ['name']);

export const configMap = object('ConfigMap', () => ({
  apiVersion: string,
  kind: string,
  metadata: objectMeta,
  data: stringMap,
  binaryData: stringMap,
  immutable: boolean,
}));

export const secret = object('Secret', () => ({
  apiVersion: string,
  kind: string,
  metadata: objectMeta,
  data: stringMap,
  stringData: stringMap,
  type: string,
  immutable: boolean,
}));
