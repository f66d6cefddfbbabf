import { findTemplateTags } from '../../expr/template-tags.js';
import type { DocumentPath, Finding } from '../diagnostic.js';
import { ARTIFACT_REPOSITORIES_CONFIGMAP, DEFAULT_ARTIFACT_REPOSITORY_ANNOTATION } from '../model/artifact-repository.js';
import type { ConfigMap } from '../model/kubernetes.js';
import { parseSourceFile } from '../source/parse-source-file.js';
import { artifactRepository } from '../schema/artifact-shapes.js';
import { checkShape, suggest } from '../schema/check-shape.js';
import { isRecord, type SpecContext } from './spec-context.js';

const REPOSITORY_TYPES = ['s3', 'gcs', 'oss', 'azure', 'artifactory', 'hdfs', 'plugin'];

/** Is this ConfigMap one that Argo (and Skiff) reads artifact repositories from? */
export function isArtifactRepositoryConfigMap(configMap: ConfigMap): boolean {
  const annotations = isRecord(configMap.metadata?.annotations) ? configMap.metadata.annotations : {};
  return configMap.metadata?.name === ARTIFACT_REPOSITORIES_CONFIGMAP || DEFAULT_ARTIFACT_REPOSITORY_ANNOTATION in annotations;
}

/**
 * An artifact-repositories ConfigMap: the default-key annotation names an existing key, and every
 * entry is YAML describing exactly one repository whose settings make sense.
 */
export function checkArtifactRepositoryConfigMap(configMap: ConfigMap): Finding[] {
  const findings: Finding[] = [];
  const data = isRecord(configMap.data) ? configMap.data : {};
  const keys = Object.keys(data);
  const annotations = isRecord(configMap.metadata?.annotations) ? configMap.metadata.annotations : {};
  const defaultKey = annotations[DEFAULT_ARTIFACT_REPOSITORY_ANNOTATION];
  if (typeof defaultKey === 'string' && !keys.includes(defaultKey)) {
    findings.push({
      path: ['metadata', 'annotations', DEFAULT_ARTIFACT_REPOSITORY_ANNOTATION],
      severity: 'error',
      rule: 'artifact-repository',
      message: `the default repository "${defaultKey}" is not a key of this ConfigMap's data${suggest(defaultKey, keys) || (keys.length ? ` (keys: ${keys.join(', ')})` : ' (it has no data)')}`,
    });
  }
  if (keys.length === 0) {
    findings.push({
      path: ['metadata', 'name'],
      severity: 'warning',
      rule: 'artifact-repository',
      message: 'this artifact-repositories ConfigMap has no repositories in its data',
    });
  }
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string') findings.push(...checkArtifactRepositoryEntry(key, value));
  }
  return findings;
}

/** One entry of an artifact-repositories ConfigMap (or a controller default): YAML describing exactly one repository whose settings make sense. */
export function checkArtifactRepositoryEntry(key: string, text: string): Finding[] {
  const path: DocumentPath = ['data', key];
  const parsed = parseSourceFile(`data.${key}`, text);
  // Findings inside the embedded YAML point at the offending text within the entry.
  const at = (line: number, column: number): { start: number; end: number } => {
    const lines = text.split('\n');
    // An error at the very end (an unclosed bracket) is shown on the last line with text.
    while (line > 1 && (lines[line - 1] ?? '').trim() === '') {
      line--;
      column = (lines[line - 1] ?? '').length;
    }
    const start = lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0) + column - 1;
    const end = start + Math.max(1, (lines[line - 1] ?? '').length - (column - 1));
    return { start, end };
  };
  if (parsed.diagnostics.length > 0) {
    const d = parsed.diagnostics[0]!;
    return [
      { path, span: at(d.line, d.column), severity: 'error', rule: 'artifact-repository', message: `repository "${key}" is not valid YAML: ${d.message}` },
    ];
  }
  const document = parsed.documents[0];
  const repository = document?.value;
  if (!document || !isRecord(repository)) {
    return [{ path, severity: 'error', rule: 'artifact-repository', message: `repository "${key}" must be a map such as "s3: {bucket: my-bucket, ...}"` }];
  }
  const findings: Finding[] = checkShape(repository, artifactRepository).map((finding) => {
    const where = document.locate(finding.path, finding.at);
    return { ...finding, path, at: 'value' as const, span: at(where.line, where.column), message: `repository "${key}": ${finding.message}` };
  });
  const types = REPOSITORY_TYPES.filter((type) => repository[type] !== undefined);
  const place = (inner: DocumentPath, part: 'key' | 'value' = 'key'): { start: number; end: number } => {
    const where = document.locate(inner, part);
    return at(where.line, where.column);
  };
  if (types.length === 0) {
    findings.push({
      path,
      severity: 'error',
      rule: 'artifact-repository',
      message: `repository "${key}" names no storage: use one of ${REPOSITORY_TYPES.join(', ')}`,
    });
  } else if (types.length > 1) {
    findings.push({
      path,
      span: place([types[1]!]),
      severity: 'error',
      rule: 'artifact-repository',
      message: `repository "${key}" names both ${types[0]} and ${types[1]}; an entry describes one repository`,
    });
  }
  const s3 = repository.s3;
  if (isRecord(s3)) {
    if (typeof s3.bucket !== 'string' || s3.bucket === '') {
      findings.push({ path, span: place(['s3']), severity: 'error', rule: 'artifact-repository', message: `repository "${key}": s3.bucket is required` });
    }
    if (typeof s3.endpoint === 'string' && /^[a-z]+:\/\//i.test(s3.endpoint)) {
      findings.push({
        path,
        span: place(['s3', 'endpoint'], 'value'),
        severity: 'error',
        rule: 'artifact-repository',
        message: `repository "${key}": s3.endpoint is host[:port] without a scheme; for plain HTTP set "insecure: true"`,
      });
    }
    const hasAccess = s3.accessKeySecret !== undefined;
    const hasSecret = s3.secretKeySecret !== undefined;
    if (hasAccess !== hasSecret) {
      findings.push({
        path,
        span: place(['s3', hasAccess ? 'accessKeySecret' : 'secretKeySecret']),
        severity: 'error',
        rule: 'artifact-repository',
        message: `repository "${key}": set both s3.accessKeySecret and s3.secretKeySecret, or neither`,
      });
    }
    if (typeof s3.keyFormat === 'string') {
      // Keys are made when an artifact is saved, where only the workflow's and the pod's
      // variables exist (Argo substitutes nothing else there).
      for (const tag of findTemplateTags(s3.keyFormat)) {
        const name = tag.variable ?? '';
        if (tag.error || tag.kind !== 'variable' || !/^(workflow|pod)\./.test(name)) {
          findings.push({
            path,
            span: place(['s3', 'keyFormat'], 'value'),
            severity: 'error',
            rule: 'artifact-repository',
            message: `repository "${key}": keyFormat can only use workflow.* and pod.* variables, not ${tag.raw}`,
          });
        }
      }
    }
    for (const secret of ['accessKeySecret', 'secretKeySecret', 'sessionTokenSecret'] as const) {
      const ref = s3[secret];
      if (isRecord(ref) && (typeof ref.name !== 'string' || ref.name === '')) {
        findings.push({
          path,
          span: place(['s3', secret]),
          severity: 'error',
          rule: 'artifact-repository',
          message: `repository "${key}": s3.${secret} needs the name of the Secret`,
        });
      }
    }
  }
  return findings;
}

/** A workflow's `artifactRepositoryRef` must name a key that exists, when its ConfigMap is linted too. */
export function checkArtifactRepositoryRef(context: SpecContext): Finding[] {
  const ref = context.spec.artifactRepositoryRef;
  if (!isRecord(ref)) return [];
  const name = typeof ref.configMap === 'string' && ref.configMap !== '' ? ref.configMap : ARTIFACT_REPOSITORIES_CONFIGMAP;
  const path = [...context.specPath, 'artifactRepositoryRef'];
  const configMap = context.catalog.configMaps.get(name);
  if (!configMap) {
    return [
      {
        path,
        at: 'key',
        severity: 'notice',
        rule: 'external-artifact-repository',
        message: `ConfigMap "${name}" is not among the linted files; it must exist in the workflow's namespace`,
      },
    ];
  }
  const keys = isRecord(configMap.data) ? Object.keys(configMap.data) : [];
  const annotations = isRecord(configMap.metadata?.annotations) ? configMap.metadata.annotations : {};
  const key = typeof ref.key === 'string' && ref.key !== '' ? ref.key : annotations[DEFAULT_ARTIFACT_REPOSITORY_ANNOTATION];
  if (key === undefined) {
    return [
      {
        path,
        at: 'key',
        severity: 'error',
        rule: 'artifact-repository',
        message: `no key given and ConfigMap "${name}" has no ${DEFAULT_ARTIFACT_REPOSITORY_ANNOTATION} annotation`,
      },
    ];
  }
  if (!keys.includes(String(key))) {
    return [
      {
        path: typeof ref.key === 'string' ? [...path, 'key'] : path,
        severity: 'error',
        rule: 'artifact-repository',
        message: `ConfigMap "${name}" has no repository "${String(key)}"${suggest(String(key), keys)}`,
      },
    ];
  }
  return [];
}
