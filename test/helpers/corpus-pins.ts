import type { ConfigMap } from '../../src/spec/model/kubernetes.js';

/**
 * Examples Argo's tests do not run (no pinned phase) whose outcome Skiff pins itself: the
 * synchronization examples. Their semaphores read `my-config`, the ConfigMap their comments
 * describe; database semaphores are refused (their limit lives in Argo's SQL database).
 */
export const PINNED_HERE: Record<string, string> = {
  'examples/synchronization-wf-level.yaml': 'Succeeded',
  'examples/synchronization-tmpl-level.yaml': 'Succeeded',
  'examples/synchronization-mutex-tmpl-level.yaml': 'Succeeded',
  'examples/synchronization-db-mutex-wf-level.yaml': 'Succeeded',
  'examples/synchronization-db-mutex-tmpl-level.yaml': 'Succeeded',
  'examples/synchronization-db-wf-level.yaml': 'Failed',
  'examples/synchronization-db-tmpl-level.yaml': 'Failed',
};

/** The semaphore limits the synchronization examples read (Argo's docs/synchronization.md). */
export const SEMAPHORE_CONFIG_MAP: ConfigMap = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'my-config', namespace: 'default' },
  data: { workflow: '1', template: '2' },
};
