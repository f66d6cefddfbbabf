import { relative, resolve } from 'node:path';
import { isWorkflowDone } from '../engine/workflow-status.js';
import { LocalObjectStore } from '../state/local-object-store.js';
import { LocalRunStore } from '../state/local-run-store.js';
import { defaultStateDir, StateLayout } from '../state/state-layout.js';
import { envOf, type CliIO } from './cli-io.js';
import { controlRun } from './control-run.js';
import { deleteRun } from './delete-run.js';
import { runArgs } from './describe-run.js';
import { readRun } from './read-run.js';
import { leaseOwner } from './run-lease.js';
import type { RunTarget } from './run-target.js';

/** Everything of the local state directory a command works with. */
export interface LocalTarget extends RunTarget {
  readonly kind: 'local';
  layout: StateLayout;
  runs: LocalRunStore;
  objects: LocalObjectStore;
}

/** The state directory named by `--state-dir`, else the default (see defaultStateDir). */
export function openLocalTarget(io: CliIO, options: { stateDir?: string | undefined; namespace?: string | undefined } = {}): LocalTarget {
  const root = options.stateDir !== undefined ? resolve(io.cwd, options.stateDir) : defaultStateDir(envOf(io));
  const layout = new StateLayout(root);
  const objectOptions = options.namespace !== undefined ? { namespace: options.namespace } : {};
  const runs = new LocalRunStore(root);
  const objects = new LocalObjectStore(layout.objects, objectOptions);
  const target: LocalTarget = {
    kind: 'local',
    location: root,
    layout,
    runs,
    objects,
    get namespace() {
      return objects.namespace;
    },
    listRuns: async (namespace) => (await runs.list()).filter((key) => namespace === undefined || key.startsWith(`${namespace}/`)),
    readRun: (key) => readRun(layout, key),
    damageOf: (error) => `${relative(root, error.file)}${error.at ? `, ${error.at}` : ''}: ${error.problem}`,
    undrivenNote: async (key) => {
      const run = await readRun(layout, key).catch(() => undefined);
      if (!run || isWorkflowDone(run.status.phase) || (await leaseOwner(layout, key)) !== undefined) return undefined;
      return `no skiff process is running it; skiff resume ${runArgs(key)} continues it`;
    },
    // Signals go to whichever skiff process drives the run; one is started if none does.
    control: (out, key, signal) => controlRun(target, out, key, signal, { ...process.env, ...envOf(out) }),
    deleteRun: (out, key) => deleteRun(target, out, key),
  };
  return target;
}
