import type { Artifact } from '../spec/model/workflow.js';

/**
 * One iteration's artifact of a looped step, as a fan-in input carries it (see `FanInArtifact`).
 * `index` is the iteration's position in the loop.
 */
export interface FanInPart {
  index: number;
  artifact: Artifact;
}

/**
 * Skiff's answer to Argo issue 934: an input artifact whose `from` names an output artifact of a
 * looped step (`from: "{{steps.gen.outputs.artifacts.out}}"`, gen having withItems/withParam)
 * carries every iteration's artifact in `fanIn`; the runtime places them as `<path>/<index>`.
 */
export interface FanInArtifact extends Artifact {
  fanIn: FanInPart[];
}

/** The fields of an artifact that say where it is stored (Argo's ArtifactLocation, plus Skiff's `local`). */
const LOCATION_FIELDS = ['s3', 'local', 'git', 'http', 'raw', 'gcs', 'oss', 'azure', 'hdfs', 'artifactory', 'plugin'] as const;

/** The value a looped step's output artifact takes in scope: the marker and every iteration's artifact. */
export function fanInValue(name: string, parts: FanInPart[]): string {
  return JSON.stringify({ name, fanIn: parts });
}

/**
 * Resolves an input artifact's `from` once the caller's scope has substituted it: the text is the
 * JSON of the referenced artifact (`{{steps.x.outputs.artifacts.y}}`, `{{tasks...}}`,
 * `{{inputs.artifacts.x}}`, `{{workflow.outputs.artifacts.x}}`), whose storage location the input
 * takes, as Argo's resolveFromArtifact. A looped step's artifact becomes a fan-in input. An
 * unresolved reference is an error unless the input is `optional` (then it is simply not supplied).
 *
 * @example
 *   resolveArtifactFrom({ name: 'in', path: '/tmp/in', from: '{"name":"out","s3":{"key":"wf/p/out.tgz"}}' });
 *   // { artifact: { name: 'in', path: '/tmp/in', s3: { key: 'wf/p/out.tgz' } } }
 */
export function resolveArtifactFrom(input: Artifact): { artifact: Artifact } | { error: string } {
  const from = input.from;
  if (from === undefined) return { artifact: input };
  const { from: _from, ...rest } = input;
  let source: unknown;
  try {
    source = JSON.parse(from);
  } catch {
    source = undefined;
  }
  if (source === null || typeof source !== 'object' || Array.isArray(source)) {
    if (input.optional) return { artifact: rest };
    return { error: `inputs.artifacts.${input.name}: unable to resolve artifact from ${from}` };
  }
  const record = source as Record<string, unknown>;
  const artifact: Artifact = { ...stripLocation(rest) };
  if (Array.isArray(record.fanIn)) {
    const fanIn = record.fanIn as FanInPart[];
    if (fanIn.length === 0 && !input.optional)
      return { error: `inputs.artifacts.${input.name}: no iteration of the loop produced artifact ${String(record.name)}` };
    return { artifact: { ...artifact, fanIn } as FanInArtifact };
  }
  for (const field of LOCATION_FIELDS) if (record[field] != null) (artifact as unknown as Record<string, unknown>)[field] = record[field];
  return { artifact };
}

function stripLocation(artifact: Artifact): Artifact {
  const copy: Record<string, unknown> = { ...artifact };
  for (const field of LOCATION_FIELDS) delete copy[field];
  return copy as unknown as Artifact;
}

/** Whether an artifact carries a fan-in of a looped step's iterations. */
export function isFanIn(artifact: Artifact): artifact is FanInArtifact {
  return Array.isArray((artifact as Partial<FanInArtifact>).fanIn);
}
