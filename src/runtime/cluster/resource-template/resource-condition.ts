import { splitTopLevel } from '../../../shared/split-top-level.js';

/**
 * A resource template's `successCondition` / `failureCondition`: Kubernetes label-selector syntax
 * read over the object's fields instead of its labels, as Argo does (`status.succeeded > 2`,
 * `status.phase == Succeeded`, `status.phase in (Failed, Error)`, `!status.failed`). Requirements
 * are separated by commas and must all hold. A key is a dotted path into the object
 * (`status.replicaStatuses.Worker.succeeded`, `status.conditions.0.type`, `items.#` for a length);
 * its value is compared as text, and `>`/`<` compare whole numbers. Pure.
 */

export type ConditionOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | '>' | '<';

export interface ConditionRequirement {
  key: string;
  operator: ConditionOperator;
  values: string[];
}

export class ResourceConditionError extends Error {}

/** A field of the object by dotted path: whether it is there, and its text (JSON for maps and lists). */
export function fieldText(object: unknown, path: string): { exists: boolean; text: string } {
  let current: unknown = object;
  for (const segment of splitPath(path)) {
    if (Array.isArray(current)) {
      if (segment === '#') current = current.length;
      else if (/^\d+$/.test(segment) && Number(segment) < current.length) current = current[Number(segment)];
      else return { exists: false, text: '' };
    } else if (current !== null && typeof current === 'object' && Object.hasOwn(current, segment)) {
      current = (current as Record<string, unknown>)[segment];
    } else {
      return { exists: false, text: '' };
    }
  }
  if (current === undefined) return { exists: false, text: '' };
  return { exists: true, text: typeof current === 'string' ? current : current === null ? '' : JSON.stringify(current) };
}

// A backslash keeps a dot in a key: `metadata.labels.app\.kubernetes\.io/name`.
function splitPath(path: string): string[] {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '\\' && i + 1 < path.length) current += path[++i];
    else if (c === '.') {
      segments.push(current);
      current = '';
    } else current += c;
  }
  segments.push(current);
  return segments;
}

/**
 * Parses a condition into its requirements; throws ResourceConditionError saying what is wrong.
 *
 * @example parseResourceCondition('status.succeeded > 2, status.phase != Failed')
 */
export function parseResourceCondition(text: string): ConditionRequirement[] {
  const requirements: ConditionRequirement[] = [];
  for (const part of splitRequirements(text)) {
    const requirement = parseRequirement(part.trim(), text);
    requirements.push(requirement);
  }
  return requirements;
}

// Commas separate requirements, except inside the parentheses of `in (a, b)`.
function splitRequirements(text: string): string[] {
  const parts = splitTopLevel(text);
  if (parts.every((p) => p.trim() === '')) throw new ResourceConditionError('the condition is empty');
  return parts;
}

const KEY = String.raw`[A-Za-z0-9_#][-A-Za-z0-9_.#/\\]*`;
const VALUE = '[-A-Za-z0-9_.:/]*';

function parseRequirement(part: string, whole: string): ConditionRequirement {
  const where = `in condition ${JSON.stringify(whole)}`;
  if (part === '') throw new ResourceConditionError(`an empty requirement ${where}`);
  let match = new RegExp(`^!\\s*(${KEY})$`).exec(part);
  if (match) return { key: match[1]!, operator: '!', values: [] };
  match = new RegExp(`^(${KEY})$`).exec(part);
  if (match) return { key: match[1]!, operator: 'exists', values: [] };
  match = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\((.*)\\)$`).exec(part);
  if (match) {
    const values = match[3]!.split(',').map((v) => v.trim());
    for (const value of values) checkValue(value, part, where);
    return { key: match[1]!, operator: match[2] as 'in' | 'notin', values };
  }
  match = new RegExp(`^(${KEY})\\s*(==|!=|=|>|<)\\s*(${VALUE})$`).exec(part);
  if (match) {
    const operator = match[2] as ConditionOperator;
    const value = match[3]!;
    if ((operator === '>' || operator === '<') && !/^-?\d+$/.test(value))
      throw new ResourceConditionError(`"${part}" ${where}: ${operator} compares whole numbers, and "${value}" is not one`);
    checkValue(value, part, where);
    return { key: match[1]!, operator, values: [value] };
  }
  throw new ResourceConditionError(
    `cannot read "${part}" ${where}: expected key, !key, key = value, key == value, key != value, key in (a, b), key notin (a, b), key > n or key < n`,
  );
}

function checkValue(value: string, part: string, where: string): void {
  if (!new RegExp(`^${VALUE}$`).test(value)) throw new ResourceConditionError(`"${part}" ${where}: "${value}" is not a value (letters, digits, - _ . : /)`);
}

/** Whether one requirement holds for the object, with label-selector semantics (a missing field matches only `!=`, `notin` and `!`). */
export function requirementHolds(object: unknown, requirement: ConditionRequirement): boolean {
  const field = fieldText(object, requirement.key);
  switch (requirement.operator) {
    case 'exists':
      return field.exists;
    case '!':
      return !field.exists;
    case '=':
    case '==':
    case 'in':
      return field.exists && requirement.values.includes(field.text);
    case '!=':
    case 'notin':
      return !field.exists || !requirement.values.includes(field.text);
    case '>':
    case '<': {
      if (!field.exists || !/^-?\d+$/.test(field.text)) return false;
      const left = BigInt(field.text);
      const right = BigInt(requirement.values[0]!);
      return requirement.operator === '>' ? left > right : left < right;
    }
  }
}

/** The condition as Argo words it in a message: each requirement back in its text form. */
export function describeRequirement(requirement: ConditionRequirement): string {
  switch (requirement.operator) {
    case 'exists':
      return requirement.key;
    case '!':
      return `!${requirement.key}`;
    case 'in':
    case 'notin':
      return `${requirement.key} ${requirement.operator} (${requirement.values.join(',')})`;
    default:
      return `${requirement.key} ${requirement.operator} ${requirement.values[0]}`;
  }
}

/**
 * Where a resource step stands: `failed` when any failure requirement holds (the first one is
 * named), `succeeded` when every success requirement does, else `waiting`. As Argo, a failure wins
 * over a success, and no success condition means success.
 */
export function conditionOutcome(
  object: unknown,
  success: readonly ConditionRequirement[],
  failure: readonly ConditionRequirement[],
): { state: 'succeeded' } | { state: 'failed'; requirement: ConditionRequirement } | { state: 'waiting' } {
  const failed = failure.find((r) => requirementHolds(object, r));
  if (failed) return { state: 'failed', requirement: failed };
  return success.every((r) => requirementHolds(object, r)) ? { state: 'succeeded' } : { state: 'waiting' };
}
