import type { KubeClient } from '../../kube/kube-client.js';
import { KubeNotFoundError } from '../../kube/kube-errors.js';
import { type RunKey, splitRunKey } from '../../ports/run-key.js';
import type { Workflow } from '../../spec/model/workflow.js';
import { ensureRunClaims } from './run-claims.js';

/**
 * What the cluster runtime needs once per run, not once per pod: the run's Workflow (read once,
 * from the driver's copy when it has one) and its PersistentVolumeClaims (made once, before the
 * first pod). A failed read or creation is forgotten, so the next pod tries again.
 */
export class RunObjects {
  private readonly workflows = new Map<RunKey, Promise<Workflow | undefined>>();
  private readonly claims = new Map<RunKey, Promise<void>>();

  constructor(
    private readonly client: KubeClient,
    private readonly runOf?: (key: RunKey) => Promise<Workflow | undefined>,
  ) {}

  /** The run's Workflow; undefined when it was deleted. */
  workflow(key: RunKey): Promise<Workflow | undefined> {
    let found = this.workflows.get(key);
    if (!found) {
      const { namespace, name } = splitRunKey(key);
      found = this.runOf
        ? this.runOf(key)
        : this.client.get<Workflow>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace, name }).catch((error: unknown) => {
            if (error instanceof KubeNotFoundError) return undefined;
            throw error;
          });
      found.catch(() => this.workflows.delete(key));
      this.workflows.set(key, found);
    }
    return found;
  }

  /** Makes the run's claims from its volumeClaimTemplates, once. */
  ensureClaims(key: RunKey, workflow: Workflow): Promise<void> {
    let made = this.claims.get(key);
    if (!made) {
      made = ensureRunClaims(this.client, workflow);
      made.catch(() => this.claims.delete(key));
      this.claims.set(key, made);
    }
    return made;
  }

  /** Forgets the run: its next read sees the Workflow as the cluster has it now. */
  forget(key: RunKey): void {
    this.workflows.delete(key);
    this.claims.delete(key);
  }
}
