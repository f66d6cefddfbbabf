import type { ConfigMapSource, Repository, SecretSource } from '../../artifacts/index.js';
import type { KubeClient } from '../../kube/kube-client.js';
import type { RunKey } from '../../ports/run-key.js';
import type { Workflow } from '../../spec/model/workflow.js';
import type { HttpClient } from '../local/http-client.js';

/** What a KubeRuntime is built from: the API client, Skiff's image, and what defaults to the cluster's own. */
export interface KubeRuntimeOptions {
  client: KubeClient;
  /** Skiff's own image, which runs `skiff executor init|wait` in every pod. */
  executorImage?: string;
  /** The controller's instance id: its pods are labelled with it and only those are watched (default `skiff`). */
  instanceId?: string;
  /** Artifact-repository ConfigMaps and Secrets (S3 keys for long reports, http headers). Default: read from the cluster. */
  objects?: ConfigMapSource & SecretSource;
  /** The namespaces whose pods are watched; every namespace when unset (a ClusterRole to watch pods). */
  namespaces?: string[];
  /** The run's Workflow by key. Default: read from the cluster. */
  runOf?(key: RunKey): Promise<Workflow | undefined>;
  /** The controller-level default artifact repository, if configured. */
  defaultRepository?: Repository;
  /** How http templates make their request. Default: Node's http and https modules. */
  httpClient?: HttpClient;
  /**
   * What runs the wrapper around the user's command: the image's `/bin/sh` (`image`, the default
   * until the executor image carries `/skiff/busybox`), or the executor image's static busybox
   * (`busybox`: images need no shell). See cluster-pod.ts.
   */
  shell?: 'image' | 'busybox';
  /** How long a container may stay unable to start (an image pull backing off) before its node fails. Default 2 minutes. */
  stuckAfterMs?: number;
  /**
   * Who resource templates act as. `service-account` (the default): the step's service account
   * (resourceStepUser), by impersonation, so a step may do what that account may do and no more, as
   * in Argo, where kubectl runs in the step's pod with its token; the controller needs the
   * `impersonate` verb on serviceaccounts. `controller`: the controller's own rights (no
   * impersonation needed; any workflow of a driven namespace may then do whatever the controller's
   * Role allows with the resource kinds granted to it).
   */
  resourceStepsAs?: 'service-account' | 'controller';
  /** How often a resource template's object is read while its success or failure condition is awaited. Default 2 s. */
  resourcePollMs?: number;
  /** Told of what went wrong without failing a node (a pod that could not be garbage collected). */
  warn?(message: string): void;
  now?(): number;
}
