import { open } from 'node:fs/promises';
import type { NodeStatus } from '../engine/workflow-status.js';
import type { RetryLaunch, RunLauncher } from '../ports/run-launcher.js';
import { type RunKey, splitRunKey } from '../ports/run-key.js';
import type { StoredRun } from '../ports/run-store.js';
import { retrySavedRun, RunOperationError } from '../runs/run-operations.js';
import type { Secret } from '../spec/model/kubernetes.js';
import type { Workflow } from '../spec/model/workflow.js';
import { controlRun } from './control-run.js';
import { describeRun } from './describe-run.js';
import type { LocalTarget } from './local-target.js';
import { podNameOfNode } from '../report/node-tree.js';
import { readRun } from './read-run.js';
import { acquireLease, leaseOwner } from './run-lease.js';
import { startBackgroundDriver } from './start-background-driver.js';
import { prepareRun, saveNewRun } from './submit-run.js';

/** How much of a log's end is read to find its last lines: enough for a few hundred lines. */
const LOG_TAIL_BYTES = 64 * 1024;

/**
 * The single-machine RunLauncher: runs are saved in the state directory and each is driven by a
 * background `skiff` process (as `skiff submit` does), so they go on whatever happens to the
 * server, and are read back from the state directory.
 */
export class LocalRunLauncher implements RunLauncher {
  constructor(
    private readonly target: LocalTarget,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async submit(workflow: Workflow, labels: Record<string, string>): Promise<RunKey> {
    const prepared = await prepareRun(this.target, workflow, { labels }, workflow.metadata?.name ?? workflow.metadata?.generateName ?? 'workflow');
    if (prepared.refused.length > 0) throw new Error(`cannot run on a single machine: ${prepared.refused.join('; ')}`);
    const key = await saveNewRun(this.target, prepared);
    await startBackgroundDriver(this.target, key, this.env);
    return key;
  }

  async retry(key: RunKey, options: RetryLaunch): Promise<void> {
    const lease = await acquireLease(this.target.layout, key);
    if (!lease) throw new RunOperationError(`${describeRun(key)} is still running (process ${(await leaseOwner(this.target.layout, key)) ?? '?'})`);
    try {
      await retrySavedRun({ store: this.target.runs, configMaps: this.target.objects }, key, options);
    } catch (error) {
      await lease.release();
      throw error;
    } finally {
      await this.target.runs.closeAll();
    }
    await startBackgroundDriver(this.target, key, this.env);
  }

  async terminate(key: RunKey, message: string): Promise<void> {
    // Said to the run's driver (or one started for it); nothing of it is for a terminal.
    const quiet = { stdout: { write: () => true }, stderr: { write: () => true }, cwd: this.target.layout.root, env: this.env };
    await controlRun(this.target, quiet, key, { op: 'terminate', message }, this.env);
  }

  read(key: RunKey): Promise<StoredRun | undefined> {
    return readRun(this.target.layout, key);
  }

  async find(labels: Record<string, string>): Promise<StoredRun[]> {
    const found: StoredRun[] = [];
    for (const key of await this.target.runs.list()) {
      const run = await readRun(this.target.layout, key).catch(() => undefined);
      const own = run?.workflow.metadata?.labels ?? {};
      if (run && Object.entries(labels).every(([name, value]) => own[name] === value)) found.push(run);
    }
    return found;
  }

  async logTail(run: StoredRun, node: NodeStatus, lines: number): Promise<string | undefined> {
    const pod = podNameOfNode(splitRunKey(run.key).name, node);
    if (pod === undefined) return undefined;
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      handle = await open(this.target.layout.containerLog(run.key, pod, 'main'), 'r');
      const { size } = await handle.stat();
      const length = Math.min(size, LOG_TAIL_BYTES);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      const text = buffer.toString('utf8').replace(/\n$/, '');
      return text.split('\n').slice(-lines).join('\n');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    } finally {
      await handle?.close();
    }
  }

  async secretValues(run: StoredRun): Promise<string[]> {
    const namespace = splitRunKey(run.key).namespace;
    const values: string[] = [];
    for (const name of secretNames([run.workflow, ...(run.referenced ?? [])])) {
      const secret = await this.target.objects.getObject<Secret>('Secret', namespace, name);
      for (const value of Object.values(secret?.data ?? {})) values.push(Buffer.from(value, 'base64').toString('utf8'));
      values.push(...Object.values(secret?.stringData ?? {}));
    }
    return values;
  }
}

/**
 * The names of every Secret a workflow refers to: `secretKeyRef`s, secret volumes, and the
 * `...Secret: {name}` selectors of artifact repositories (S3 keys, git passwords).
 */
export function secretNames(roots: unknown[]): Set<string> {
  const names = new Set<string>();
  const visit = (value: unknown, key: string): void => {
    if (Array.isArray(value)) return value.forEach((item) => visit(item, key));
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if ((key === 'secretKeyRef' || /Secret$/.test(key)) && typeof record.name === 'string') names.add(record.name);
    if (key === 'secret' && typeof record.secretName === 'string') names.add(record.secretName);
    for (const [child, inner] of Object.entries(record)) visit(inner, child);
  };
  for (const root of roots) visit(root, '');
  return names;
}
