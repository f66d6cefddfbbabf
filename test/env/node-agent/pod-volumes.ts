import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CoreV1Api, V1Container, V1Pod } from '@kubernetes/client-node';
import type { SandboxMount } from '../../../src/runtime/local/sandbox.js';

/**
 * Makes a pod's volumes real on this machine, as a kubelet would: emptyDir as a directory per pod,
 * persistentVolumeClaim as a directory per claim shared by every pod that mounts it, ConfigMaps and
 * Secrets written out as files, hostPath as the host path itself.
 */
export async function materializeVolumes(pod: V1Pod, podDir: string, claimsDir: string, core: CoreV1Api): Promise<Map<string, string>> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const paths = new Map<string, string>();
  for (const volume of pod.spec?.volumes ?? []) {
    if (volume.emptyDir) {
      const dir = join(podDir, 'volumes', volume.name);
      await mkdir(dir, { recursive: true });
      paths.set(volume.name, dir);
    } else if (volume.persistentVolumeClaim) {
      const dir = join(claimsDir, namespace, volume.persistentVolumeClaim.claimName);
      await mkdir(dir, { recursive: true });
      paths.set(volume.name, dir);
    } else if (volume.hostPath) {
      paths.set(volume.name, volume.hostPath.path);
    } else if (volume.configMap || volume.secret) {
      const dir = join(podDir, 'volumes', volume.name);
      await mkdir(dir, { recursive: true });
      const data = volume.configMap
        ? (await core.readNamespacedConfigMap({ name: volume.configMap.name!, namespace })).data ?? {}
        : Object.fromEntries(Object.entries((await core.readNamespacedSecret({ name: volume.secret!.secretName!, namespace })).data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
      for (const [key, value] of Object.entries(data)) await writeFile(join(dir, key), value);
      paths.set(volume.name, dir);
    } else {
      throw new Error(`volume "${volume.name}": only emptyDir, persistentVolumeClaim, hostPath, configMap and secret volumes are supported by the test node`);
    }
  }
  return paths;
}

export function containerMounts(container: V1Container, volumes: Map<string, string>): SandboxMount[] {
  return (container.volumeMounts ?? []).map((mount) => {
    const hostPath = volumes.get(mount.name);
    if (!hostPath) throw new Error(`container "${container.name}" mounts volume "${mount.name}", which the pod does not define`);
    return { hostPath: mount.subPath ? join(hostPath, mount.subPath) : hostPath, containerPath: mount.mountPath, readOnly: mount.readOnly === true };
  });
}

/** A container's environment, with `valueFrom` resolved against the pod and the API. */
export async function containerEnv(container: V1Container, pod: V1Pod, core: CoreV1Api): Promise<Record<string, string>> {
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
        'status.podIP': '127.0.0.1',
        'status.hostIP': '127.0.0.1',
      };
      const annotation = /^metadata\.annotations\['(.+)'\]$/.exec(from.fieldRef.fieldPath);
      env[variable.name] = annotation ? (pod.metadata?.annotations?.[annotation[1]!] ?? '') : (fields[from.fieldRef.fieldPath] ?? '');
    } else if (from.secretKeyRef) {
      const secret = await core.readNamespacedSecret({ name: from.secretKeyRef.name!, namespace });
      env[variable.name] = Buffer.from(secret.data?.[from.secretKeyRef.key] ?? '', 'base64').toString('utf8');
    } else if (from.configMapKeyRef) {
      const configMap = await core.readNamespacedConfigMap({ name: from.configMapKeyRef.name!, namespace });
      env[variable.name] = configMap.data?.[from.configMapKeyRef.key] ?? '';
    }
  }
  return env;
}
