import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { PodObjectSource } from '../../ports/pod-object-source.js';
import type { SandboxMount } from './sandbox.js';
import { handToSandbox, type SandboxIdentity } from './sandbox-identity.js';

/**
 * Makes a pod's volumes real on this machine, as a kubelet would: emptyDir as a directory per pod,
 * persistentVolumeClaim as a directory per claim shared by every pod that mounts it, ConfigMaps and
 * Secrets written out as files, hostPath as the host path itself. The directories steps write are
 * the sandbox user's; a Secret's copy is readable by that user only (0600 files in a 0700
 * directory) and is removed when the pod ends (removeSecretCopies).
 */
export async function materializeVolumes(
  pod: V1Pod,
  podDir: string,
  claimsDir: string,
  objects: PodObjectSource,
  identity: SandboxIdentity,
): Promise<Map<string, string>> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const paths = new Map<string, string>();
  for (const volume of pod.spec?.volumes ?? []) {
    if (volume.emptyDir) {
      const dir = join(podDir, 'volumes', volume.name);
      await mkdir(dir, { recursive: true });
      await handToSandbox(dir, identity);
      paths.set(volume.name, dir);
    } else if (volume.persistentVolumeClaim) {
      const dir = join(claimsDir, namespace, volume.persistentVolumeClaim.claimName);
      await mkdir(dir, { recursive: true });
      await handToSandbox(dir, identity);
      paths.set(volume.name, dir);
    } else if (volume.hostPath) {
      paths.set(volume.name, volume.hostPath.path);
    } else if (volume.configMap || volume.secret) {
      const dir = join(podDir, 'volumes', volume.name);
      const secret = volume.secret !== undefined;
      await mkdir(dir, { recursive: true, mode: secret ? 0o700 : 0o755 });
      if (secret) {
        await chmod(dir, 0o700);
        await handToSandbox(dir, identity);
      }
      const name = volume.configMap ? volume.configMap.name! : volume.secret!.secretName!;
      const data = volume.configMap ? await objects.configMap(namespace, name) : await objects.secret(namespace, name);
      if (!data) throw new Error(`volume "${volume.name}": ${volume.configMap ? 'ConfigMap' : 'Secret'} "${name}" does not exist in namespace "${namespace}"`);
      for (const [key, value] of Object.entries(data)) {
        const file = join(dir, key);
        await writeFile(file, value, { mode: secret ? 0o600 : 0o644 });
        if (secret) await handToSandbox(file, identity);
      }
      paths.set(volume.name, dir);
    } else {
      throw new Error(`volume "${volume.name}": only emptyDir, persistentVolumeClaim, hostPath, configMap and secret volumes are supported by the test node`);
    }
  }
  return paths;
}

/** Removes the copies of a pod's Secret volumes: a Secret lives on this machine only while its pod runs. */
export async function removeSecretCopies(pod: V1Pod, podDir: string): Promise<void> {
  for (const volume of pod.spec?.volumes ?? []) {
    if (volume.secret) await rm(join(podDir, 'volumes', volume.name), { recursive: true, force: true });
  }
}

export function containerMounts(container: V1Container, volumes: Map<string, string>): SandboxMount[] {
  return (container.volumeMounts ?? []).map((mount) => {
    const hostPath = volumes.get(mount.name);
    if (!hostPath) throw new Error(`container "${container.name}" mounts volume "${mount.name}", which the pod does not define`);
    return { hostPath: mount.subPath ? join(hostPath, mount.subPath) : hostPath, containerPath: mount.mountPath, readOnly: mount.readOnly === true };
  });
}

/** A container's environment, with `valueFrom` resolved against the pod and the API. */
export async function containerEnv(container: V1Container, pod: V1Pod, objects: PodObjectSource): Promise<Record<string, string>> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (!from) {
      env[variable.name] = variable.value ?? '';
    } else if (from.fieldRef) {
      const fields: Record<string, string | undefined> = {
        'metadata.name': pod.metadata?.name,
        'metadata.namespace': namespace,
        'metadata.uid': pod.metadata?.uid,
        'spec.nodeName': pod.spec?.nodeName,
        'spec.serviceAccountName': pod.spec?.serviceAccountName,
        'status.podIP': pod.status?.podIP ?? '127.0.0.1',
        'status.hostIP': '127.0.0.1',
      };
      const annotation = /^metadata\.annotations\['(.+)'\]$/.exec(from.fieldRef.fieldPath);
      env[variable.name] = annotation ? (pod.metadata?.annotations?.[annotation[1]!] ?? '') : (fields[from.fieldRef.fieldPath] ?? '');
    } else if (from.secretKeyRef || from.configMapKeyRef) {
      const ref = (from.secretKeyRef ?? from.configMapKeyRef)!;
      const data = from.secretKeyRef ? await objects.secret(namespace, ref.name!) : await objects.configMap(namespace, ref.name!);
      const value = data?.[ref.key];
      if (value === undefined && ref.optional !== true) {
        throw new Error(
          `env ${variable.name}: ${from.secretKeyRef ? 'Secret' : 'ConfigMap'} "${ref.name}" has no key "${ref.key}" in namespace "${namespace}"`,
        );
      }
      env[variable.name] = value ?? '';
    }
  }
  return env;
}
