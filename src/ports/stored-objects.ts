import type { KubernetesObject } from '../spec/model/kubernetes.js';

/** The kinds `skiff template` and `skiff cron` manage. */
export type ManagedKind = 'WorkflowTemplate' | 'CronWorkflow';

/**
 * Where `skiff template` and `skiff cron` keep WorkflowTemplates and CronWorkflows: the state
 * directory (what `skiff apply` stores) or a cluster's API server. The commands and their output
 * are written once against this; only the store differs.
 */
export interface StoredObjects {
  /** The namespace used when none is named: `default` locally, the kubeconfig context's in a cluster. */
  readonly namespace: string;
  /** How a person changes an object that already exists, for create's refusal ("skiff apply updates it"). */
  readonly updateHint: string;
  /** Creates the object in its `metadata.namespace`; undefined if one of that name is there already. */
  create<T extends KubernetesObject>(object: T): Promise<T | undefined>;
  get<T extends KubernetesObject>(kind: ManagedKind, namespace: string, name: string): Promise<T | undefined>;
  /** Every object of a kind in one namespace, or in all when undefined, sorted by namespace and name. */
  list<T extends KubernetesObject>(kind: ManagedKind, namespace: string | undefined): Promise<T[]>;
  /** False if there was no such object. */
  delete(kind: ManagedKind, namespace: string, name: string): Promise<boolean>;
  /** Sets a CronWorkflow's `spec.suspend`; false if there is no such CronWorkflow. */
  setSuspended(namespace: string, name: string, suspend: boolean): Promise<boolean>;
}
