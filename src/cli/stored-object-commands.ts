import { dump } from 'js-yaml';
import type { KubernetesObject } from '../spec/model/kubernetes.js';
import type { StoredKind } from '../state/local-object-store.js';
import { type CliIO, UsageError } from './cli-io.js';
import { ageOf } from '../report/format-duration.js';
import { formatTable } from './format-table.js';
import { lintCommand } from './commands/lint.js';
import { openLocalTarget } from './local-target.js';
import { parseCommandArgs, STATE_DIR_OPTION } from './parse-command-args.js';
import { readManifests } from './read-manifests.js';
import type { Subcommand } from './subcommand-group.js';

/** How one kind's create, list, get, delete and lint show it. */
export interface KindCommands<T extends KubernetesObject> {
  kind: StoredKind;
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
 * stores. One implementation for both, so they behave alike.
 */
export function storedObjectCommands<T extends KubernetesObject>(spec: KindCommands<T>): Subcommand[] {
  const nsOptions = { ...STATE_DIR_OPTION, namespace: { type: 'string', short: 'n' } } as const;
  return [
    {
      name: 'create',
      async run(args: string[], io: CliIO): Promise<number> {
        const { values, positionals } = parseCommandArgs(args, { ...nsOptions, output: { type: 'string', short: 'o' } });
        if (positionals.length === 0) throw new UsageError(`name the file(s) with the ${spec.kind}s to create`);
        const manifests = await readManifests(positionals, io);
        if (!manifests) return 1;
        const objects = manifests.filter((m) => m.object.kind === spec.kind);
        if (objects.length === 0) throw new Error(`${positionals.join(' ')}: no ${spec.kind} found`);
        const target = openLocalTarget(io, { stateDir: values['state-dir'], namespace: values.namespace });
        let status = 0;
        for (const { object } of objects) {
          const name = object.metadata.name ?? '';
          const namespace = values.namespace ?? object.metadata.namespace ?? target.objects.namespace;
          // As the API server: create refuses what exists; skiff apply is the way to change it.
          if (await target.objects.getObject(spec.kind, namespace, name)) {
            io.stderr.write(`${spec.kind} "${name}" already exists in namespace ${namespace}; skiff apply updates it\n`);
            status = 1;
            continue;
          }
          const created = { ...object, metadata: { ...object.metadata, namespace, creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') } };
          await target.objects.apply(created);
          io.stdout.write(values.output === 'name' ? `${name}\n` : await showObject(created as T, spec, Date.now()));
        }
        return status;
      },
    },
    {
      name: 'list',
      async run(args: string[], io: CliIO): Promise<number> {
        const { values, positionals } = parseCommandArgs(args, {
          ...nsOptions,
          'all-namespaces': { type: 'boolean', short: 'A' },
          output: { type: 'string', short: 'o' },
        });
        if (positionals.length > 0) throw new UsageError(`list takes no arguments (got ${positionals.join(' ')})`);
        if (values.output !== undefined && values.output !== 'name' && values.output !== 'wide')
          throw new UsageError(`unknown output format "${values.output}": use name, wide`);
        const target = openLocalTarget(io, { stateDir: values['state-dir'], namespace: values.namespace });
        const all = values['all-namespaces'] === true;
        const objects = (await target.objects.listObjects<T>(spec.kind)).filter((o) => all || o.metadata.namespace === target.objects.namespace);
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
        const { values, positionals } = parseCommandArgs(args, { ...nsOptions, output: { type: 'string', short: 'o' } });
        if (positionals.length === 0) throw new UsageError(`name the ${spec.kind} (NAME...)`);
        if (values.output !== undefined && !['json', 'yaml', 'name'].includes(values.output))
          throw new UsageError(`unknown output format "${values.output}": use json, yaml, name`);
        const target = openLocalTarget(io, { stateDir: values['state-dir'], namespace: values.namespace });
        let status = 0;
        for (const name of positionals) {
          const object = await target.objects.getObject<T>(spec.kind, undefined, name);
          if (!object) {
            io.stderr.write(`${spec.kind} "${name}" not found in namespace ${target.objects.namespace}\n`);
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
        const { values, positionals } = parseCommandArgs(args, { ...nsOptions, all: { type: 'boolean' } });
        if (positionals.length === 0 && !values.all) throw new UsageError(`name the ${spec.kind}s to delete, or --all`);
        const target = openLocalTarget(io, { stateDir: values['state-dir'], namespace: values.namespace });
        const names = values.all
          ? (await target.objects.listObjects(spec.kind)).filter((o) => o.metadata.namespace === target.objects.namespace).map((o) => o.metadata.name ?? '')
          : positionals;
        let status = 0;
        for (const name of names) {
          if (await target.objects.deleteObject(spec.kind, undefined, name)) io.stdout.write(`${spec.kind} '${name}' deleted\n`);
          else {
            io.stderr.write(`${spec.kind} "${name}" not found in namespace ${target.objects.namespace}\n`);
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
