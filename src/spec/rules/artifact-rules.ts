import type { DocumentPath, Finding } from '../diagnostic.js';
import type { Artifact, Parameter, Template } from '../model/workflow.js';
import { isLeafTemplate, templateTypeOf } from '../template-type.js';
import { invocationSites, isRecord, list, type SpecContext } from './spec-context.js';

/** The artifact locations an artifact may name; an argument needs one of these, or `from`. */
const LOCATIONS = ['s3', 'git', 'http', 'artifactory', 'hdfs', 'raw', 'oss', 'gcs', 'azure', 'plugin'] as const;

/** A single `{{...}}` tag and nothing else, as `from` must be. */
const SINGLE_REFERENCE = /^\{\{[^{}]+\}\}$/;

/**
 * Artifacts and parameters are declared in a way they can be produced and consumed: archive
 * settings are consistent, `path` sits on templates with a filesystem, `from` is one reference,
 * and each output parameter says where its value comes from.
 */
export function checkArtifactsAndParameters(context: SpecContext): Finding[] {
  const findings: Finding[] = [];
  list<Template>(context.spec.templates).forEach((template, index) => {
    if (!isRecord(template)) return;
    const path = [...context.specPath, 'templates', index];
    const leaf = isLeafTemplate(template);
    const type = templateTypeOf(template);
    for (const part of ['inputs', 'outputs'] as const) {
      const io = template[part];
      if (!isRecord(io)) continue;
      list<Artifact>(io.artifacts).forEach((artifact, a) => {
        if (!isRecord(artifact)) return;
        const at = [...path, part, 'artifacts', a];
        findings.push(...checkArchive(artifact, at));
        if (part === 'inputs' && artifact.from !== undefined) {
          findings.push({
            path: [...at, 'from'],
            at: 'key',
            severity: 'error',
            rule: 'artifact',
            message: `input artifact "${artifact.name}" cannot use "from"; pass it from the calling step's arguments`,
          });
        }
        if (artifact.path !== undefined && type !== undefined && !leaf) {
          findings.push({
            path: [...at, 'path'],
            at: 'key',
            severity: 'error',
            rule: 'artifact',
            message: `artifact "${artifact.name}" has a path, but a ${type} template has no filesystem of its own`,
          });
        }
        if (
          part === 'outputs' &&
          leaf &&
          type !== 'resource' &&
          artifact.path === undefined &&
          artifact.from === undefined &&
          type !== 'http' &&
          type !== 'plugin'
        ) {
          findings.push({
            path: at,
            at: 'key',
            severity: 'error',
            rule: 'artifact',
            message: `output artifact "${artifact.name}" needs the path to collect it from`,
          });
        }
        if (typeof artifact.mode === 'number' && (artifact.mode < 0 || artifact.mode > 0o7777)) {
          findings.push({
            path: [...at, 'mode'],
            severity: 'error',
            rule: 'artifact',
            message: `artifact mode ${artifact.mode} is not a file mode (0 to 4095, i.e. 0o7777)`,
          });
        }
      });
    }
    if (isRecord(template.outputs)) {
      list<Parameter>(template.outputs.parameters).forEach((parameter, p) => {
        if (isRecord(parameter)) findings.push(...checkOutputParameter(parameter, type, [...path, 'outputs', 'parameters', p]));
      });
    }
  });
  for (const site of invocationSites(context)) {
    const args = site.invocation.arguments;
    if (!isRecord(args)) continue;
    list<Artifact>(args.artifacts).forEach((artifact, a) => {
      if (!isRecord(artifact)) return;
      const at = [...site.path, 'arguments', 'artifacts', a];
      findings.push(...checkArchive(artifact, at));
      if (typeof artifact.from === 'string' && !SINGLE_REFERENCE.test(artifact.from.trim())) {
        findings.push({
          path: [...at, 'from'],
          severity: 'error',
          rule: 'artifact',
          message: `"from" must be one reference such as "{{steps.build.outputs.artifacts.binary}}", not "${artifact.from}"`,
        });
      }
      const sources = LOCATIONS.filter((location) => artifact[location] !== undefined);
      if (artifact.from === undefined && artifact.fromExpression === undefined && sources.length === 0 && artifact.optional !== true) {
        findings.push({
          path: at,
          at: 'key',
          severity: 'error',
          rule: 'artifact',
          message: `artifact argument "${String(artifact.name)}" has no source: set "from", "fromExpression" or a location such as s3, git, http or raw`,
        });
      }
    });
  }
  return findings;
}

function checkArchive(artifact: Artifact, path: DocumentPath): Finding[] {
  const archive = artifact.archive;
  if (!isRecord(archive)) return [];
  const modes = (['tar', 'none', 'zip'] as const).filter((mode) => archive[mode] !== undefined);
  const findings: Finding[] = [];
  if (modes.length > 1) {
    findings.push({ path: [...path, 'archive'], at: 'key', severity: 'error', rule: 'archive', message: `archive sets ${modes.join(' and ')}; choose one` });
  }
  const tar = archive.tar;
  if (isRecord(tar) && typeof tar.compressionLevel === 'number' && (tar.compressionLevel < -1 || tar.compressionLevel > 9)) {
    findings.push({
      path: [...path, 'archive', 'tar', 'compressionLevel'],
      severity: 'error',
      rule: 'archive',
      message: 'tar.compressionLevel must be between -1 (default) and 9 (best); 0 stores without compression',
    });
  }
  return findings;
}

function checkOutputParameter(parameter: Parameter, type: string | undefined, path: DocumentPath): Finding[] {
  const name = String(parameter.name);
  if (parameter.value !== undefined && parameter.valueFrom !== undefined) {
    return [
      {
        path: [...path, 'valueFrom'],
        at: 'key',
        severity: 'error',
        rule: 'output-parameter',
        message: `output parameter "${name}" has both value and valueFrom; choose one`,
      },
    ];
  }
  if (parameter.value !== undefined) return [];
  const from = parameter.valueFrom;
  if (!isRecord(from)) {
    return [{ path, at: 'key', severity: 'error', rule: 'output-parameter', message: `output parameter "${name}" needs a value or valueFrom` }];
  }
  const sources = (['path', 'jqFilter', 'jsonPath', 'parameter', 'expression', 'supplied', 'event', 'configMapKeyRef'] as const).filter(
    (key) => from[key] !== undefined && from[key] !== '',
  );
  if (sources.length === 0) {
    return [
      {
        path: [...path, 'valueFrom'],
        at: 'key',
        severity: 'error',
        rule: 'output-parameter',
        message: `valueFrom of "${name}" names no source: use path, parameter, expression, jsonPath, jqFilter or supplied`,
      },
    ];
  }
  if (sources.length > 1) {
    return [
      {
        path: [...path, 'valueFrom', sources[1]!],
        at: 'key',
        severity: 'error',
        rule: 'output-parameter',
        message: `valueFrom of "${name}" sets both ${sources[0]} and ${sources[1]}; choose one`,
      },
    ];
  }
  const source = sources[0]!;
  if (
    (type === 'container' || type === 'script' || type === 'containerSet') &&
    source !== 'path' &&
    source !== 'supplied' &&
    source !== 'configMapKeyRef' &&
    source !== 'event'
  ) {
    return [
      {
        path: [...path, 'valueFrom', source],
        at: 'key',
        severity: 'error',
        rule: 'output-parameter',
        message: `a ${type} template reads output parameter "${name}" from a file: use valueFrom.path`,
      },
    ];
  }
  if ((type === 'steps' || type === 'dag') && source !== 'parameter' && source !== 'expression' && source !== 'supplied') {
    return [
      {
        path: [...path, 'valueFrom', source],
        at: 'key',
        severity: 'error',
        rule: 'output-parameter',
        message: `a ${type} template takes output parameter "${name}" from a child: use valueFrom.parameter or valueFrom.expression`,
      },
    ];
  }
  if (type === 'resource' && source !== 'jsonPath' && source !== 'jqFilter' && source !== 'supplied') {
    return [
      {
        path: [...path, 'valueFrom', source],
        at: 'key',
        severity: 'error',
        rule: 'output-parameter',
        message: `a resource template reads output parameter "${name}" from the resource: use valueFrom.jsonPath or valueFrom.jqFilter`,
      },
    ];
  }
  return [];
}
