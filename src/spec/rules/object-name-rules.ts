import type { Finding } from '../diagnostic.js';
import { isRecord } from './spec-context.js';

/** Kubernetes' DNS-1123 subdomain: lowercase alphanumerics, '-' and '.', alphanumeric at both ends. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_NAME = 253;
/** The API server appends five characters to a generateName. */
const GENERATED_SUFFIX = 5;
/** Argo names a CronWorkflow's runs `<name>-<unix time>`, which must stay a valid name: it refuses longer names. */
const MAX_CRON_WORKFLOW_NAME = 52;

/**
 * `metadata.name` and `metadata.generateName` make names the API server (and Skiff's state
 * directory) accept: a DNS-1123 subdomain, lowercase, at most 253 characters; a generateName is
 * checked as the prefix it is (a trailing '-' or '.' is fine). Argo's own limits come on top: a
 * CronWorkflow's name at most 52 characters. A Workflow needs one of the two; the other kinds a name.
 *
 * @example checkObjectName('Workflow', { generateName: 'Hello_' })
 *   // [{ path: ['metadata', 'generateName'], rule: 'object-name', message: 'metadata.generateName "Hello_" ...' }]
 */
export function checkObjectName(kind: string, metadata: unknown): Finding[] {
  const meta = isRecord(metadata) ? metadata : {};
  const { name, generateName } = meta;
  const findings: Finding[] = [];
  const refuse = (field: 'name' | 'generateName', message: string): void => {
    findings.push({ path: ['metadata', field], severity: 'error', rule: 'object-name', message });
  };
  if (typeof name === 'string') {
    const problem = nameProblem(name, MAX_NAME);
    if (problem) refuse('name', `metadata.name "${name}" ${problem}`);
    else if (kind === 'CronWorkflow' && name.length > MAX_CRON_WORKFLOW_NAME) {
      refuse(
        'name',
        `metadata.name "${name}" is ${name.length} characters long; a CronWorkflow's name may have at most ${MAX_CRON_WORKFLOW_NAME}, so that the names of its runs stay valid`,
      );
    }
  }
  if (typeof generateName === 'string') {
    // As the API server: a prefix may end in '-' or '.', and the random suffix must still fit.
    const problem = nameProblem(`${generateName}${'x'.repeat(GENERATED_SUFFIX)}`, MAX_NAME);
    if (problem)
      refuse('generateName', `metadata.generateName "${generateName}" ${problem.replace('is longer than', 'with its 5-character suffix is longer than')}`);
  }
  if (name === undefined && generateName === undefined) {
    const needs = kind === 'Workflow' ? 'metadata.name or metadata.generateName' : 'metadata.name';
    findings.push({ path: isRecord(metadata) ? ['metadata'] : [], at: 'key', severity: 'error', rule: 'object-name', message: `a ${kind} needs ${needs}` });
  }
  return findings;
}

function nameProblem(name: string, max: number): string | undefined {
  if (name.length > max) return `is longer than ${max} characters`;
  if (name !== name.toLowerCase() && DNS_SUBDOMAIN.test(name.toLowerCase())) return 'has capital letters; Kubernetes names are lowercase';
  if (!DNS_SUBDOMAIN.test(name))
    return "is not a valid Kubernetes name: only lowercase letters, digits, '-' and '.', starting and ending with a letter or digit";
  return undefined;
}
