import { type ConfigMapSource, inputLocation, type Repository, type SecretSource } from '../../artifacts/index.js';
import type { StorageLocation } from '../../artifacts/artifact-location.js';
import { presignS3Get } from '../../artifacts/presign-s3-get.js';
import type { LocalTarget } from '../../cli/local-target.js';
import { runRepository } from '../../cli/run-repository.js';
import { kubeRunRepository } from '../../kube/kube-run-repository.js';
import { type ArtifactLink, type ArtifactLinks, MAX_ARTIFACT_LINK_SECONDS } from '../../ports/artifact-links.js';
import { splitRunKey } from '../../ports/run-key.js';
import { isArchivedLog } from '../../runs/archived-log.js';
import type { StoredRun } from '../../ports/run-store.js';
import type { RunLinkSigner } from './run-link-signer.js';

/** Links made per run at most (each S3 one is signed with keys read from a Secret). */
const MAX_LINKS = 200;

/** Where a runtime's runs keep their artifacts, as the links need to know it. */
export interface RunArtifactPlaces {
  /** The repository the run saved to; undefined when it cannot be told any more. */
  repository(run: StoredRun): Promise<Repository | undefined>;
  /** The Secrets holding S3 keys, by the run's namespace. */
  secrets: SecretSource;
  /** Whether an artifact in a local directory can be downloaded through Skiff's own server. */
  localDirectories: boolean;
}

/** The artifacts of a state directory's runs: its repositories, its Secrets, its local directory served by the run page. */
export function localArtifactPlaces(target: LocalTarget): RunArtifactPlaces {
  return { repository: (run) => runRepository(target, run), secrets: target.objects, localDirectories: true };
}

/**
 * The artifacts of a cluster's runs: the repository a run recorded or its namespace's ConfigMap
 * names, the S3 keys from the cluster's Secrets. A local directory there is on the node that ran
 * the pod, so it gets no link.
 */
export function clusterArtifactPlaces(objects: ConfigMapSource & SecretSource): RunArtifactPlaces {
  return { repository: (run) => kubeRunRepository(objects, run), secrets: objects, localDirectories: false };
}

export interface RunArtifactLinksOptions {
  /** Where people reach Skiff's server; without it, artifacts in a local directory get no link. */
  publicUrl?: string;
  /** Signs links through the run page (the state directory's secret). */
  signer: RunLinkSigner;
  now?: () => number;
}

/**
 * The artifact links of runs (a state directory's or a cluster's): a presigned S3 GET URL for an artifact in
 * S3, and for one in a local directory a link to the run page's download of that artifact, signed
 * for that run with a reader's capability and expiring with the link. An artifact that cannot be
 * linked (git, http, S3 keys missing, no public address) is left out, never failing the report;
 * past MAX_LINKS the rest are left to the run page.
 */
export class RunArtifactLinks implements ArtifactLinks {
  constructor(
    private readonly places: RunArtifactPlaces,
    private readonly options: RunArtifactLinksOptions,
  ) {}

  async links(run: StoredRun, lifetimeSeconds: number): Promise<ArtifactLink[]> {
    const seconds = Math.min(Math.max(1, Math.floor(lifetimeSeconds)), MAX_ARTIFACT_LINK_SECONDS);
    const expiresAt = (this.options.now ?? Date.now)() + seconds * 1000;
    const { namespace, name } = splitRunKey(run.key);
    const steps = Object.values(run.status.nodes)
      .filter((n) => (n.outputs?.artifacts?.length ?? 0) > 0 && !n.nodeFlag?.retried)
      .sort((a, b) => (a.startedAt ?? '~').localeCompare(b.startedAt ?? '~') || a.name.localeCompare(b.name));
    if (steps.length === 0) return [];
    const repository = await this.places.repository(run).catch(() => undefined);
    const links: ArtifactLink[] = [];
    for (const step of steps) {
      for (const artifact of step.outputs?.artifacts ?? []) {
        if (links.length >= MAX_LINKS) return links;
        const location = inputLocation(artifact, repository as StorageLocation | undefined);
        let url: string | undefined;
        // An archived log is the raw log: linked only through the run page, which hides Secrets in it, never straight to the store.
        const archivedLog = isArchivedLog(artifact);
        if (location?.s3 && !archivedLog) {
          url = await presignS3Get(location.s3, {
            secrets: this.places.secrets,
            namespace,
            expiresInSeconds: seconds,
            fileName: /\.(tgz|tar\.gz)$/.test(location.s3.key ?? '') ? `${artifact.name}.tgz` : artifact.name,
          }).catch(() => undefined);
        } else if (location && this.options.publicUrl !== undefined && (location.local ? this.places.localDirectories : archivedLog)) {
          const query = new URLSearchParams(this.options.signer.query(namespace, name, { expiresAt }));
          query.set('id', step.id);
          query.set('name', artifact.name);
          url = `${this.options.publicUrl.replace(/\/+$/, '')}/runs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/artifact?${query}`;
        }
        if (url !== undefined) links.push({ step: step.displayName || step.name, name: artifact.name, url, expiresAt: new Date(expiresAt).toISOString() });
      }
    }
    return links;
  }
}
