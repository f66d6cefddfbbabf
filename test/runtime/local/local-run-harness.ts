import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { ConfigMapSource, SecretSource } from '../../../src/artifacts/index.js';
import { RunDriver } from '../../../src/runs/run-driver.js';
import type { ReferencedTemplate } from '../../../src/engine/template-catalog.js';
import type { WorkflowStatus } from '../../../src/engine/workflow-status.js';
import { createLocalRuntime, type LocalRuntimeOptions } from '../../../src/runtime/local/create-local-runtime.js';
import type { PodObjectSource } from '../../../src/ports/pod-object-source.js';
import type { ConfigMap } from '../../../src/spec/model/kubernetes.js';
import type { Workflow } from '../../../src/spec/model/workflow.js';
import { LocalRunStore } from '../../../src/state/local-run-store.js';
import { StateLayout } from '../../../src/state/state-layout.js';
import { splitRunKey } from '../../../src/ports/run-key.js';

/** ConfigMaps and Secrets in memory: the ports the local runtime reads, as `skiff apply` would fill them. */
export class MemoryObjects implements ConfigMapSource, SecretSource, PodObjectSource {
  readonly configMaps = new Map<string, ConfigMap>();
  readonly secrets = new Map<string, Record<string, string>>();

  addConfigMap(configMap: ConfigMap): this {
    this.configMaps.set(`${configMap.metadata.namespace ?? 'default'}/${configMap.metadata.name}`, configMap);
    return this;
  }

  addSecret(namespace: string, name: string, data: Record<string, string>): this {
    this.secrets.set(`${namespace}/${name}`, data);
    return this;
  }

  get(namespace: string, name: string): Promise<ConfigMap | undefined>;
  get(namespace: string, name: string, key: string): Promise<string | undefined>;
  async get(namespace: string, name: string, key?: string): Promise<ConfigMap | string | undefined> {
    if (key !== undefined) return this.secrets.get(`${namespace}/${name}`)?.[key];
    return this.configMaps.get(`${namespace}/${name}`);
  }

  async configMap(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    return this.configMaps.get(`${namespace}/${name}`)?.data as Record<string, string> | undefined;
  }

  async secret(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    return this.secrets.get(`${namespace}/${name}`);
  }
}

/** A temp state directory with a RunDriver, LocalRunStore and the local runtime, as `skiff submit` wires them. */
export class LocalRunHarness {
  readonly store: LocalRunStore;
  readonly driver: RunDriver;
  readonly runtime: ReturnType<typeof createLocalRuntime>;
  /** Workflows of the runs submitted here. runOf must not call LocalRunStore.load for an active run: it reopens the run's journal under the driver. */
  private readonly workflows = new Map<string, Workflow>();

  private constructor(
    readonly layout: StateLayout,
    readonly objects: MemoryObjects,
    extra: Partial<LocalRuntimeOptions>,
  ) {
    this.store = new LocalRunStore(layout.root, { sync: false });
    this.runtime = createLocalRuntime({ layout, objects, runOf: (id) => this.workflows.get(id), ...extra });
    this.driver = new RunDriver({ store: this.store, runtime: this.runtime, configMaps: objects });
  }

  static async create(objects = new MemoryObjects(), extra: Partial<LocalRuntimeOptions> = {}): Promise<LocalRunHarness> {
    const root = await mkdtemp(join(tmpdir(), 'skiff-local-'));
    return new LocalRunHarness(new StateLayout(root), objects, extra);
  }

  /** Submits a workflow (YAML text or object) and waits for its end. */
  async run(
    workflow: string | Workflow,
    overrides: { parameters?: Record<string, string> } = {},
    referenced?: ReferencedTemplate[],
  ): Promise<{ id: string; key: string; status: WorkflowStatus }> {
    const parsed = typeof workflow === 'string' ? (parse(workflow) as Workflow) : workflow;
    const key = await this.driver.submit(parsed, {
      ...(overrides.parameters ? { parameters: overrides.parameters } : {}),
      ...(referenced ? { referenced } : {}),
    });
    // `id` is the run's name (its namespace is the workflow's, `default` in these tests).
    const id = splitRunKey(key).name;
    this.workflows.set(key, { ...parsed, metadata: { ...parsed.metadata, name: id } });
    const status = await this.driver.wait(key);
    return { id, key, status };
  }

  async close(): Promise<void> {
    await this.runtime.close();
    await this.store.closeAll();
    // SKIFF_KEEP_STATE=1 keeps the state directory (logs, volumes) for a post-mortem.
    if (!process.env.SKIFF_KEEP_STATE) await rm(this.layout.root, { recursive: true, force: true, maxRetries: 5 });
    else process.stderr.write(`state kept in ${this.layout.root}\n`);
  }
}

/** The pod nodes of a run by display name. */
export function nodesByName(status: WorkflowStatus): Record<string, WorkflowStatus['nodes'][string]> {
  return Object.fromEntries(Object.values(status.nodes).map((n) => [n.displayName, n]));
}
