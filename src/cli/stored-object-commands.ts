import { relative, resolve } from 'node:path';
import { dump } from 'js-yaml';
import type { KubernetesObject } from '../spec/model/kubernetes.js';
import type { ManagedKind } from '../ports/stored-objects.js';
import { type CliIO, UsageError } from './cli-io.js';
import { ageOf } from '../report/format-duration.js';
import { formatTable } from './format-table.js';
import { lintCommand } from './commands/lint.js';
import { openStoredObjects } from './open-stored-objects.js';
import { parseCommandArgs, STATE_DIR_OPTION } from './parse-command-args.js';
import { CLUSTER_TARGET_OPTIONS } from './run-target.js';
import { readManifests } from './read-manifests.js';
import type { Subcommand } from './subcommand-group.js';

/** -n, and where the objects are: the state directory, or a cluster with --kubeconfig/--context. */
export const STORE_OPTIONS = { ...STATE_DIR_OPTION, ...CLUSTER_TARGET_OPTIONS, namespace: { type: 'string', short: 'n' } } as const;

/** The help lines of --kubeconfig and --context, naming what they reach (`WorkflowTemplates`, `CronWorkflows`). */
export function clusterStoreHelp(what: string): string {
  return `      --kubeconfig FILE   work with the ${what} of this cluster instead of the state directory
      --context NAME      the same with this context of the kubeconfig ($KUBECONFIG, ~/.kube/config);
                          in a cluster, -n defaults to the context's namespace, as kubectl's does`;
}

/** How one kind's create, list, get, delete and lint show it. */
export interface KindCommands<T extends KubernetesObject> {
  kind: ManagedKind;
  /** How the kind is named to lint's --kinds. */
  lintKinds: string;
  /** Extra columns of `list` after NAME (and NAMESPACE), and their values. */
  columns: string[];
  row(object: T, now: number): Promise<string[]> | string[];
  /** `get`'s lines after Name, Namespace and Created. */
  details(object: T, now: number): Promise<Array<[string, string | undefined]>> | Array<[string, string | undefined]>;
}

/**
 * create, list, get, delete and lint of one kind of stored object (WorkflowTemplate,
 * CronWorkflow), as `argo template` and `argo cron` have them, over the objects skiff apply
 * stores or a cluster's (StoredObjects). One implementation for both kinds and both stores, so
 * they behave and print alike.
 */
export function storedObjectCommands<T extends KubernetesObject>(spec: KindCommands<T>): Subcommand[] {
  return [
    {
      name: 'create',
      async run(args: string[], io: CliIO): Promise<number> {
        const { values, positionals } = parseCommandArgs(args, { ...STORE_OPTIONS, output: { type: 'string', short: 'o' } });
        if (positionals.length === 0) throw new UsageError(`name the file(s) with the ${spec.kind}s to create`);
        const manifests = await readManifests(positionals, io);
        if (!manifests) return 1;
        const found = manifests.filter((m) => m.object.kind === spec.kind);
        if (found.length === 0) throw new Error(`${positionals.join(' ')}: no ${spec.kind} found`);
        // A file may name its namespace, and then it is created there, as argo does. But when -n
        // names another, the file is refused before anything is created (as kubectl refuses it):
        // a file from elsewhere must not move an object out of the namespace the person chose.
        for (const { file, object } of found) {
          const own = object.metadata.namespace;
          if (values.namespace !== undefined && own !== undefined && own !== values.namespace)
            throw new Error(
              `${relative(io.cwd, resolve(io.cwd, file)) || file}: ${spec.kind} "${object.metadata.name ?? ''}" is in namespace "${own}" but -n says "${values.namespace}"; nothing was created`,
            );
        }
        const store = openStoredObjects(io, values);
        let status = 0;
        for (const { object } of found) {
          const name = object.metadata.name ?? '';
          const namespace = object.metadata.namespace ?? store.namespace;
          // As the API server: create refuses what exists; apply is the way to change it.
          const created = await store.create<T>({ ...object, metadata: { ...object.metadata, namespace } } as T);
          if (!created) {
            io.stderr.write(`${spec.kind} "${name}" already exists in namespace ${namespace}; ${store.updateHint}\n`);
            status = 1;
            continue;
          }
          io.stdout.write(values.output === 'name' ? `${name}\n` : await showObject(created, spec, Date.now()));
        }
        return status;
      },
    },
    {
      name: 'list',
      async run(args: string[], io: CliIO): Promise<number> {
        const { values, positionals } = parseCommandArgs(args, {
          ...STORE_OPTIONS,
          'all-namespaces': { type: 'boolean', short: 'A' },
          output: { type: 'string', short: 'o' },
        });
        if (positionals.length > 0) throw new UsageError(`list takes no arguments (got ${positionals.join(' ')})`);
        if (values.output !== undefined && values.output !== 'name' && values.output !== 'wide')
          throw new UsageError(`unknown output format "${values.output}": use name, wide`);
        const store = openStoredObjects(io, values);
        const all = values['all-namespaces'] === true;
        const objects = await store.list<T>(spec.kind, all ? undefined : store.namespace);
        if (values.output === 'name') {
          io.stdout.write(objects.map((o) => `${o.metadata.name}\n`).join(''));
          return 0;
        }
        const now = Date.now();
        const rows = [[...(all ? ['NAMESPACE'] : []), 'NAME', ...spec.columns]];
        for (const o of objects) rows.push([...(all ? [o.metadata.namespace ?? ''] : []), o.metadata.name ?? '', ...(await spec.row(o, now))]);
        io.stdout.write(`${formatTable(rows)}\n`);
        return 0;
      },
    },
    {
      name: 'get',
      async run(args: string[], io: CliIO): Promise<number> {
        const { values, positionals } = parseCommandArgs(args, { ...STORE_OPTIONS, output: { type: 'string', short: 'o' } });
        if (positionals.length === 0) throw new UsageError(`name the ${spec.kind} (NAME...)`);
        if (values.output !== undefined && !['json', 'yaml', 'name'].includes(values.output))
          throw new UsageError(`unknown output format "${values.output}": use json, yaml, name`);
        const store = openStoredObjects(io, values);
        let status = 0;
        for (const name of positionals) {
          const object = await store.get<T>(spec.kind, store.namespace, name);
          if (!object) {
            io.stderr.write(`${spec.kind} "${name}" not found in namespace ${store.namespace}\n`);
            status = 1;
            continue;
          }
          // As kubectl does without --show-managed-fields: who owns which field is bookkeeping.
          const shown = withoutManagedFields(object);
          if (values.output === 'json') io.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
          else if (values.output === 'yaml') io.stdout.write(dump(shown, { noRefs: true, lineWidth: -1 }));
          else if (values.output === 'name') io.stdout.write(`${name}\n`);
          else io.stdout.write(await showObject(object, spec, Date.now()));
        }
        return status;
      },
    },
    {
      name: 'delete',
      async run(args: string[], io: CliIO): Promise<number> {
        const { values, positionals } = parseCommandArgs(args, { ...STORE_OPTIONS, all: { type: 'boolean' } });
        if (positionals.length === 0 && !values.all) throw new UsageError(`name the ${spec.kind}s to delete, or --all`);
        const store = openStoredObjects(io, values);
        const names = values.all ? (await store.list(spec.kind, store.namespace)).map((o) => o.metadata.name ?? '') : positionals;
        let status = 0;
        for (const name of names) {
          if (await store.delete(spec.kind, store.namespace, name)) io.stdout.write(`${spec.kind} '${name}' deleted\n`);
          else {
            io.stderr.write(`${spec.kind} "${name}" not found in namespace ${store.namespace}\n`);
            status = 1;
          }
        }
        return status;
      },
    },
    {
      name: 'lint',
      // skiff lint, limited to this kind, so both say the same about a file.
      run: (args: string[], io: CliIO) => lintCommand.run([...args, '--kinds', spec.lintKinds], io),
    },
  ];
}

async function showObject<T extends KubernetesObject>(object: T, spec: KindCommands<T>, now: number): Promise<string> {
  const created = object.metadata.creationTimestamp;
  const fields: Array<[string, string | undefined]> = [
    ['Name', object.metadata.name],
    ['Namespace', object.metadata.namespace],
    ['Created', created ? `${created} (${ageOf(created, now)} ago)` : undefined],
    ...(await spec.details(object, now)),
  ];
  return `${fields
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${`${k}:`.padEnd(27)}${v}`)
    .join('\n')}\n`;
}

function withoutManagedFields<T extends KubernetesObject>(object: T): T {
  const { managedFields: _fields, ...metadata } = object.metadata as T['metadata'] & { managedFields?: unknown };
  return { ...object, metadata };
}
