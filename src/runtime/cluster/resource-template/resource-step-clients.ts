import type { KubeClient } from '../../../kube/kube-client.js';
import type { Template, Workflow } from '../../../spec/model/workflow.js';
import { resourceStepUser } from './resource-plan.js';

/**
 * The clients resource steps act with: by default one per service account, impersonating it, so
 * a step may do exactly what its service account may (as in Argo, where kubectl runs in the step's
 * pod with the pod's token); with `controller`, the controller's own client.
 */
export class ResourceStepClients {
  private readonly impersonated = new Map<string, KubeClient>();

  constructor(
    private readonly client: KubeClient,
    private readonly actAs: 'service-account' | 'controller' = 'service-account',
  ) {}

  /** The step's client, or a message saying why there is none. */
  for(template: Template, workflow: Workflow, namespace: string): KubeClient | string {
    if (this.actAs === 'controller') return this.client;
    const user = resourceStepUser(template, workflow, namespace);
    let client = this.impersonated.get(user);
    if (!client) {
      if (!this.client.impersonating) return `resource steps act as ${user}, and the controller's connection cannot impersonate`;
      client = this.client.impersonating(user);
      this.impersonated.set(user, client);
    }
    return client;
  }
}
