import { join } from 'node:path';
import { CoreV1Api, KubeConfig, type V1PersistentVolume, type V1PersistentVolumeClaim } from '@kubernetes/client-node';

export interface ClaimBinderOptions {
  /** A kubeconfig that may create PersistentVolumes and write claims' status (the admin's). */
  readonly kubeconfigPath: string;
  /** Where the volumes' directories go: inside the node's `workDir`, so that stop() removes them. */
  readonly dir: string;
  /** How often to look for new claims; default 200 ms. */
  readonly intervalMs?: number;
}

export interface ClaimBinder {
  /** `namespace/name` of every claim bound so far, in order. */
  readonly bound: readonly string[];
  /** The last error of a pass (passes go on after one), for a failure message. */
  readonly lastError: () => string | undefined;
  close(): Promise<void>;
}

/**
 * What a cluster's default StorageClass provisioner and the PersistentVolume controller do, in small:
 * each Pending claim in any namespace gets a `hostPath` PersistentVolume (a new directory under
 * `dir`) reserved for it by uid, and the claim is bound to it (`spec.volumeName`, then status
 * `Bound`), which is all the kubelet checks before mounting. The test node runs no
 * controller-manager, so without this a pod that uses a claim never starts. Nothing reclaims a
 * volume: its directory goes with the node.
 *
 * @example
 *   const binder = startClaimBinder({ kubeconfigPath: kube.kubeconfigPath, dir: join(node.workDir, 'volumes') });
 *   after(() => binder.close());
 */
export function startClaimBinder(options: ClaimBinderOptions): ClaimBinder {
  const kc = new KubeConfig();
  kc.loadFromFile(options.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const bound: string[] = [];
  let lastError: string | undefined;
  let closed = false;
  let wake: (() => void) | undefined;

  const bind = async (claim: V1PersistentVolumeClaim): Promise<void> => {
    const namespace = claim.metadata!.namespace!;
    const name = claim.metadata!.name!;
    const uid = claim.metadata!.uid!;
    const volumeName = `skiff-pv-${uid}`;
    const capacity = { storage: claim.spec?.resources?.requests?.storage ?? '1Mi' };
    const accessModes = claim.spec?.accessModes ?? ['ReadWriteOnce'];
    const volume: V1PersistentVolume = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: volumeName },
      spec: {
        capacity,
        accessModes,
        persistentVolumeReclaimPolicy: 'Retain',
        hostPath: { path: join(options.dir, `${namespace}-${name}-${uid}`), type: 'DirectoryOrCreate' },
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name, uid },
      },
    };
    await core.createPersistentVolume({ body: volume }).catch((error: { code?: number }) => {
      if (error.code !== 409) throw error;
    });
    const withVolume = await core.replaceNamespacedPersistentVolumeClaim({ name, namespace, body: { ...claim, spec: { ...claim.spec, volumeName } } });
    await core.replaceNamespacedPersistentVolumeClaimStatus({
      name,
      namespace,
      body: { ...withVolume, status: { ...withVolume.status, phase: 'Bound', accessModes, capacity } },
    });
    bound.push(`${namespace}/${name}`);
  };

  const loop = (async () => {
    while (!closed) {
      try {
        const claims = await core.listPersistentVolumeClaimForAllNamespaces();
        for (const claim of claims.items) {
          if (closed) break;
          if (claim.metadata?.deletionTimestamp || claim.status?.phase === 'Bound') continue;
          await bind(claim);
        }
      } catch (error) {
        // A conflict (the claim changed meanwhile) or a passing failure: the next pass tries again.
        lastError = error instanceof Error ? error.message : String(error);
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, options.intervalMs ?? 200).unref();
      });
    }
  })();

  return {
    bound,
    lastError: () => lastError,
    close: async () => {
      closed = true;
      wake?.();
      await loop;
    },
  };
}
