import { resolve } from 'node:path';
import { LocalObjectStore } from '../state/local-object-store.js';
import { LocalRunStore } from '../state/local-run-store.js';
import { defaultStateDir, StateLayout } from '../state/state-layout.js';
import { envOf, type CliIO } from './cli-io.js';

/** Everything of the local state directory a command works with. */
export interface LocalTarget {
  layout: StateLayout;
  runs: LocalRunStore;
  objects: LocalObjectStore;
}

/** The state directory named by `--state-dir`, else the default (see defaultStateDir). */
export function openLocalTarget(io: CliIO, options: { stateDir?: string | undefined; namespace?: string | undefined } = {}): LocalTarget {
  const root = options.stateDir !== undefined ? resolve(io.cwd, options.stateDir) : defaultStateDir(envOf(io));
  const layout = new StateLayout(root);
  const objectOptions = options.namespace !== undefined ? { namespace: options.namespace } : {};
  return { layout, runs: new LocalRunStore(root), objects: new LocalObjectStore(layout.objects, objectOptions) };
}
