import type { DocumentPath, Finding } from '../diagnostic.js';
import { CONFIG_MAP_TYPE_LABEL, PARAMETER_CONFIG_MAP_TYPE } from '../model/config-map-type.js';
import { suggest } from '../schema/check-shape.js';
import { isRecord, type SpecContext } from './spec-context.js';

/**
 * Parameters read from a ConfigMap key (`valueFrom.configMapKeyRef` of workflow arguments, template
 * inputs and step or task arguments): when the ConfigMap is among the linted files it must carry
 * the `Parameter` type label and the key; when it is not, a notice says it must exist in the
 * workflow's namespace. `optional` is flagged because Argo ignores it for parameters, so a
 * missing ConfigMap still stops the run. Outputs are not walked: no output reads a ConfigMap.
 */
export function checkParameterConfigMaps(context: SpecContext): Finding[] {
  const findings: Finding[] = [];
  const visit = (value: unknown, path: DocumentPath): void => {
    if (Array.isArray(value)) return value.forEach((item, index) => visit(item, [...path, index]));
    if (!isRecord(value)) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === 'outputs') continue;
      if (key === 'parameters' && Array.isArray(child)) {
        child.forEach((parameter, index) => findings.push(...checkParameter(context, parameter, [...path, key, index])));
      } else visit(child, [...path, key]);
    }
  };
  visit(context.spec, context.specPath);
  return findings;
}

function checkParameter(context: SpecContext, parameter: unknown, path: DocumentPath): Finding[] {
  if (!isRecord(parameter) || !isRecord(parameter.valueFrom) || !isRecord(parameter.valueFrom.configMapKeyRef)) return [];
  const ref = parameter.valueFrom.configMapKeyRef;
  const refPath = [...path, 'valueFrom', 'configMapKeyRef'];
  const findings: Finding[] = [];
  if (ref.optional === true) {
    findings.push({
      path: [...refPath, 'optional'],
      at: 'key',
      severity: 'warning',
      rule: 'parameter-config-map',
      message: 'optional has no effect on a parameter: a missing ConfigMap or key still stops it; set valueFrom.default for a fallback',
    });
  }
  const name = typeof ref.name === 'string' ? ref.name : '';
  const key = typeof ref.key === 'string' ? ref.key : '';
  if (name === '') {
    findings.push({ path: refPath, at: 'key', severity: 'error', rule: 'parameter-config-map', message: 'configMapKeyRef needs the name of the ConfigMap' });
    return findings;
  }
  // A name or key made of variables is only known when the run reads it.
  if (name.includes('{{') || key.includes('{{')) return findings;
  const configMap = context.catalog.configMaps.get(name);
  if (!configMap) {
    findings.push({
      path: [...refPath, 'name'],
      severity: 'notice',
      rule: 'external-parameter-config-map',
      message: `ConfigMap "${name}" is not among the linted files; it must exist in the workflow's namespace with the label ${CONFIG_MAP_TYPE_LABEL}: ${PARAMETER_CONFIG_MAP_TYPE}`,
    });
    return findings;
  }
  const labels = isRecord(configMap.metadata?.labels) ? configMap.metadata.labels : {};
  const type = labels[CONFIG_MAP_TYPE_LABEL];
  const hasDefault = parameter.valueFrom.default !== undefined;
  if (type !== PARAMETER_CONFIG_MAP_TYPE) {
    const has = type === undefined ? 'has no such label' : `has ${CONFIG_MAP_TYPE_LABEL}: ${String(type)}`;
    // With a default the run goes on, but never with the ConfigMap's value.
    findings.push({
      path: [...refPath, 'name'],
      severity: hasDefault ? 'warning' : 'error',
      rule: 'parameter-config-map',
      message: `parameters are read only from ConfigMaps labelled ${CONFIG_MAP_TYPE_LABEL}: ${PARAMETER_CONFIG_MAP_TYPE}, and ConfigMap "${name}" ${has}`,
    });
  }
  const keys = isRecord(configMap.data) ? Object.keys(configMap.data) : [];
  if (key !== '' && !keys.includes(key) && !hasDefault) {
    findings.push({
      path: [...refPath, 'key'],
      severity: 'error',
      rule: 'parameter-config-map',
      message: `ConfigMap "${name}" has no key "${key}"${suggest(key, keys) || (keys.length > 0 ? ` (keys: ${keys.join(', ')})` : ' (it has no data)')}`,
    });
  }
  return findings;
}
