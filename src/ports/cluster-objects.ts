import type { ConfigMapSource } from './config-map-source.js';
import type { PodObjectSource } from './pod-object-source.js';
import type { SecretSource } from './secret-source.js';
import type { TemplateStore } from './template-store.js';

/**
 * Everything a run reads of the cluster, as one source: ConfigMaps (artifact repositories,
 * parameters, memoization caches), Secrets (artifact credentials, pod volumes and env), the
 * WorkflowTemplates and ClusterWorkflowTemplates it refers to, and a pod's ConfigMap and Secret
 * volumes. One adapter fills it: the API server in a cluster, the state directory
 * (`LocalObjectStore`) for local runs. Each consumer takes only the narrow port it reads.
 */
export type ClusterObjects = ConfigMapSource & Required<Pick<ConfigMapSource, 'listConfigMaps'>> & SecretSource & TemplateStore & PodObjectSource;
