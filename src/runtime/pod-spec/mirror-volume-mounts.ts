import type { V1Container, V1VolumeMount } from '@kubernetes/client-node';
import type { Container } from '../../spec/model/kubernetes.js';

/**
 * A template's init container or sidecar as the pod gets it: with Argo's `mirrorVolumeMounts: true`
 * it also mounts every volume the main container mounts, at the same paths (the user's own mounts,
 * not Skiff's run directory or input artifacts, as Argo mirrors main's mounts before it adds its
 * artifacts). A path the container mounts already keeps its own mount: Kubernetes refuses a
 * container that mounts one path twice. The field is Argo's, not Kubernetes', so the pod never
 * carries it. Pure.
 *
 * @example withMirroredMounts({ name: 'log', image: 'alpine', mirrorVolumeMounts: true }, [{ name: 'work', mountPath: '/work' }])
 *   // { name: 'log', image: 'alpine', volumeMounts: [{ name: 'work', mountPath: '/work' }] }
 */
export function withMirroredMounts(container: Container, mainMounts: readonly V1VolumeMount[]): V1Container {
  const { mirrorVolumeMounts, ...rest } = container as Container & { mirrorVolumeMounts?: unknown };
  const own = (rest.volumeMounts ?? []) as V1VolumeMount[];
  if (mirrorVolumeMounts !== true || mainMounts.length === 0) return rest as V1Container;
  const taken = new Set(own.map((m) => m.mountPath));
  return { ...(rest as V1Container), volumeMounts: [...own, ...mainMounts.filter((m) => !taken.has(m.mountPath))] };
}
