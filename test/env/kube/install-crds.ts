import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiextensionsV1Api, type KubeConfig, KubernetesObjectApi, PatchStrategy, loadAllYaml, type V1CustomResourceDefinition } from '@kubernetes/client-node';

// The field manager of everything the test environment itself applies, so tests can tell the
// environment's writes from Skiff's own ('skiff').
const FIELD_MANAGER = 'skiff-test-env';

async function manifestFiles(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  const names = (await readdir(path)).filter((n) => /\.ya?ml$/.test(n)).sort();
  return names.map((n) => join(path, n));
}

async function readCrds(paths: readonly string[]): Promise<V1CustomResourceDefinition[]> {
  const crds: V1CustomResourceDefinition[] = [];
  for (const path of paths) {
    for (const file of await manifestFiles(path)) {
      for (const doc of loadAllYaml(await readFile(file, 'utf8'))) {
        if (doc === null || doc === undefined) continue;
        if (doc.kind !== 'CustomResourceDefinition') {
          throw new Error(`${file}: expected only CustomResourceDefinitions, found ${String(doc.kind)}`);
        }
        crds.push(doc as V1CustomResourceDefinition);
      }
    }
  }
  return crds;
}

function establishedAt(crd: V1CustomResourceDefinition): Date | undefined {
  const condition = (crd.status?.conditions ?? []).find((c) => c.type === 'Established' && c.status === 'True');
  if (!condition) return undefined;
  return condition.lastTransitionTime ? new Date(condition.lastTransitionTime) : new Date();
}

// kube-apiserver holds every create of a custom resource for 2 s while its CRD became Established
// less than 2 s ago (apiextensions-apiserver customresource_handler.go, for HA apiservers that have
// not seen the CRD yet). Waiting that window out here keeps the stall out of the first test's timing.
const JUST_CREATED_WINDOW_MS = 2000;

/**
 * Applies every CustomResourceDefinition in `paths` (files, or directories of *.yaml) with
 * server-side apply, then waits until each is Established and its kind is listable, which is the
 * point from which creating a custom resource no longer races the apiserver's discovery.
 * Returns the names of the CRDs applied.
 */
export async function installCrds(kc: KubeConfig, paths: readonly string[], timeoutMs = 30_000): Promise<string[]> {
  const crds = await readCrds(paths);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const extensions = kc.makeApiClient(ApiextensionsV1Api);
  for (const crd of crds) {
    await objects.patch(crd, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  }
  const deadline = Date.now() + timeoutMs;
  let lastEstablished = 0;
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    const version = crd.spec.versions.find((v) => v.served)?.name ?? '';
    const apiVersion = `${crd.spec.group}/${version}`;
    let lastError = 'not Established';
    for (;;) {
      try {
        const live = await extensions.readCustomResourceDefinition({ name });
        const at = establishedAt(live);
        if (at) {
          await objects.list(apiVersion, crd.spec.names.kind, undefined, undefined, undefined, undefined, undefined, undefined, 1);
          lastEstablished = Math.max(lastEstablished, at.getTime());
          break;
        }
      } catch (error) {
        lastError = (error as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`CRD ${name} not ready after ${timeoutMs} ms: ${lastError}`);
      await sleep(100);
    }
  }
  // The apiserver compares against the condition's time as stored, in whole seconds, which is what
  // we read too; 100 ms covers the gap between our clock reading and its.
  const windowEnds = lastEstablished + JUST_CREATED_WINDOW_MS + 100;
  if (crds.length > 0 && windowEnds > Date.now()) await sleep(windowEnds - Date.now());
  return crds.map((c) => c.metadata?.name ?? '');
}
