/**
 * A run's identity: its namespace and its name, as one string `namespace/name` — the key
 * client-go's informers give namespaced objects (`MetaNamespaceKeyFunc`). A cluster may hold two
 * runs of the same name in two namespaces; every store, map, lock and runtime of runs is keyed by
 * this, never by the name alone. A namespace and a name hold no `/`, so the key splits back
 * unambiguously.
 *
 * @example
 *   runKey('ci', 'build-x7k2p'); // 'ci/build-x7k2p'
 *   splitRunKey('ci/build-x7k2p'); // { namespace: 'ci', name: 'build-x7k2p' }
 */
export type RunKey = string;

export function runKey(namespace: string, name: string): RunKey {
  return `${namespace}/${name}`;
}

/** The namespace and name of a key; a key without `/` (none is made so) is a name in `default`. */
export function splitRunKey(key: RunKey): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: 'default', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The key of a workflow object: its namespace (`default` when unset) and name. */
export function runKeyOf(workflow: { metadata?: { namespace?: string | undefined; name?: string | undefined } }): RunKey {
  return runKey(workflow.metadata?.namespace || 'default', workflow.metadata?.name ?? '');
}

/** The key in its one spelling: a bare name (no `/`) is the run of that name in `default`. */
export function canonicalRunKey(key: RunKey): RunKey {
  const { namespace, name } = splitRunKey(key);
  return runKey(namespace, name);
}

/**
 * A run as messages name it: `run "build" in namespace "ci"`. Two namespaces may hold runs of
 * one name, so a message about one says which.
 *
 * @example describeRun('ci/build-x7k2p') // 'run "build-x7k2p" in namespace "ci"'
 */
export function describeRun(key: RunKey): string {
  const { namespace, name } = splitRunKey(key);
  return `run "${name}" in namespace "${namespace}"`;
}
