import { UsageError } from './cli-io.js';

/** A namespace's name as Kubernetes takes it: a DNS label (RFC 1123), at most 63 characters. */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The namespaces `-n`/`--namespace` names: the option may be repeated, and each value may list
 * several separated by commas (`-n ci -n build` or `-n ci,build`). Each is checked as a namespace
 * name; repeats count once; undefined when the option is not given (every namespace).
 */
export function parseNamespaceList(values: readonly string[] | undefined, option = '--namespace'): string[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const namespaces: string[] = [];
  for (const value of values) {
    for (const part of value.split(',')) {
      const name = part.trim();
      if (!NAMESPACE_NAME.test(name))
        throw new UsageError(
          name === ''
            ? `${option} ${value}: an empty namespace name`
            : `${option} ${value}: "${name}" is not a namespace name (lowercase letters, digits and '-', at most 63)`,
        );
      if (!namespaces.includes(name)) namespaces.push(name);
    }
  }
  return namespaces;
}
