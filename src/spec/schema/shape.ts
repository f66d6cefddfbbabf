/**
 * A small description language for the structure of Argo and Kubernetes objects. Argo's own
 * published JSON schema types int-or-string fields as strings and accepts any unknown key, so it
 * can neither pass ordinary Argo YAML nor catch the typos people actually make; these shapes are
 * written from Argo's v1alpha1 API types and checked against Argo's example corpus in the tests.
 */
export type Shape =
  | { kind: 'string'; enum?: readonly string[] }
  | { kind: 'integer' }
  | { kind: 'number' }
  | { kind: 'boolean' }
  /** Kubernetes IntOrString: an integer or a string (`"50%"`, `"{{inputs.parameters.n}}"`). */
  | { kind: 'intOrString' }
  /** Argo's AnyString: any scalar, read as its string form (`value: 3` is the string "3"). */
  | { kind: 'scalar' }
  /** Anything: loop items, free-form plugin configuration, deep Kubernetes fields left to the API server. */
  | { kind: 'any' }
  | { kind: 'object'; name: string; fields: () => Readonly<Record<string, Shape>>; required?: readonly string[] }
  | { kind: 'array'; items: Shape }
  | { kind: 'map'; values: Shape };

export const string: Shape = { kind: 'string' };
export const integer: Shape = { kind: 'integer' };
export const number: Shape = { kind: 'number' };
export const boolean: Shape = { kind: 'boolean' };
export const intOrString: Shape = { kind: 'intOrString' };
export const scalar: Shape = { kind: 'scalar' };
export const any: Shape = { kind: 'any' };
export const stringMap: Shape = { kind: 'map', values: string };

export function oneOf(...values: string[]): Shape {
  return { kind: 'string', enum: values };
}

export function arrayOf(items: Shape): Shape {
  return { kind: 'array', items };
}

export function mapOf(values: Shape): Shape {
  return { kind: 'map', values };
}

/**
 * An object with known fields. `fields` is a function so that recursive types (a template's
 * steps hold inline templates) can refer to shapes declared later.
 */
export function object(name: string, fields: () => Readonly<Record<string, Shape>>, required: readonly string[] = []): Shape {
  let cached: Readonly<Record<string, Shape>> | undefined;
  return { kind: 'object', name, fields: () => (cached ??= fields()), required };
}
