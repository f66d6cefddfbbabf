import type { DocumentPath, Finding } from '../diagnostic.js';
import type { Template } from '../model/workflow.js';
import { suggest } from '../schema/check-shape.js';
import { isRecord, list, templatesOf, type SpecContext } from './spec-context.js';

/** A problem of one containerSet, with where it is relative to the `containerSet` key. */
export interface ContainerSetProblem {
  path: DocumentPath;
  /** The problem is the key itself (a list that lacks something), not its value. */
  at?: 'key';
  message: string;
}

/** Names Skiff's own containers of the pod have (the executor's init and wait). */
const RESERVED = new Set(['init', 'wait']);
const CONTAINER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * What makes a containerSet impossible to run as one pod, as Argo's validation refuses it: no
 * containers, a name that is not a container name or is used twice or is one of Skiff's, a
 * dependency on no container of the set or a cycle of them (the containers would wait for each
 * other forever), two volumeMounts at one path, inputs or outputs without a container named
 * `main` (only main loads and saves them), and a malformed retryStrategy. Pure; the linter and
 * the pod builder both ask it.
 *
 * @example containerSetProblems({ name: 't', containerSet: { containers: [{ name: 'a', dependencies: ['a'] }] } })
 *   // [{ path: ['containers', 0, 'dependencies', 0], message: 'dependency cycle: a -> a (each container waits for the next)' }]
 */
export function containerSetProblems(template: Template): ContainerSetProblem[] {
  const set = template.containerSet as unknown;
  if (!isRecord(set)) return [];
  const problems: ContainerSetProblem[] = [];
  const containers = list<Record<string, unknown>>(set.containers);
  if (containers.length === 0)
    return [{ path: ['containers'], at: 'key', message: `containerSet of template "${String(template.name)}" must have at least one container` }];
  const names = containers.map((c) => (isRecord(c) && typeof c.name === 'string' ? c.name : ''));
  const seen = new Set<string>();
  containers.forEach((container, i) => {
    const name = names[i]!;
    if (!CONTAINER_NAME.test(name) || name.length > 63) {
      problems.push({
        path: ['containers', i, 'name'],
        message: `containerSet container name "${name}" must be a lowercase DNS label (a-z, 0-9 and "-", at most 63 characters)`,
      });
    } else if (RESERVED.has(name)) {
      problems.push({ path: ['containers', i, 'name'], message: `containerSet container name "${name}" is reserved for Skiff's executor (init and wait)` });
    } else if (seen.has(name)) {
      problems.push({ path: ['containers', i, 'name'], message: `containerSet container name "${name}" is used twice` });
    }
    seen.add(name);
    list<unknown>(isRecord(container) ? container.dependencies : undefined).forEach((dependency, d) => {
      if (typeof dependency === 'string' && !names.includes(dependency)) {
        problems.push({
          path: ['containers', i, 'dependencies', d],
          message: `container "${name}" depends on "${dependency}", which is not a container of this containerSet${suggest(dependency, names)}`,
        });
      }
    });
  });
  problems.push(...findCycles(containers, names));
  const mounts = new Map<string, string>();
  list<Record<string, unknown>>(set.volumeMounts).forEach((mount, i) => {
    if (!isRecord(mount) || typeof mount.mountPath !== 'string') return;
    const earlier = mounts.get(mount.mountPath);
    if (earlier !== undefined)
      problems.push({
        path: ['volumeMounts', i, 'mountPath'],
        message: `volumeMounts "${String(mount.name)}" and "${earlier}" are both mounted at ${mount.mountPath}`,
      });
    else mounts.set(mount.mountPath, String(mount.name));
  });
  const hasIo = list(template.inputs?.artifacts).length > 0 || list(template.outputs?.parameters).length > 0 || list(template.outputs?.artifacts).length > 0;
  if (hasIo && !names.includes('main')) {
    problems.push({
      path: ['containers'],
      at: 'key',
      message: `containerSet of template "${String(template.name)}" has inputs or outputs, so it needs a container named "main": only main loads and saves them`,
    });
  }
  const retry = set.retryStrategy;
  if (isRecord(retry)) {
    const retries = retry.retries;
    if (retries !== undefined && !isTemplated(retries) && containerSetRetries(retries) === undefined) {
      problems.push({
        path: ['retryStrategy', 'retries'],
        message: `containerSet retryStrategy.retries "${String(retries)}" is not a whole number of retries`,
      });
    }
    const duration = retry.duration;
    if (duration !== undefined && !isTemplated(duration) && containerSetRetryDelay(duration) === undefined) {
      problems.push({
        path: ['retryStrategy', 'duration'],
        message: `containerSet retryStrategy.duration "${String(duration)}" is not a duration such as "500ms" or "10s"`,
      });
    }
  }
  return problems;
}

/** containerSet.retryStrategy.retries as a count, or undefined when it is not one. */
export function containerSetRetries(value: unknown): number | undefined {
  const text = String(value).trim();
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

const UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** containerSet.retryStrategy.duration (a Go duration: "300ms", "1m30s") in seconds, or undefined. */
export function containerSetRetryDelay(value: unknown): number | undefined {
  const text = String(value).trim();
  if (text === '' || text === '0') return 0;
  const pattern = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let seconds = 0;
  let at = 0;
  while (at < text.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (!match) return undefined;
    seconds += Number(match[1]) * UNITS[match[2]!]!;
    at = pattern.lastIndex;
  }
  return seconds;
}

function isTemplated(value: unknown): boolean {
  return typeof value === 'string' && value.includes('{{');
}

/** Each cycle once, on the dependency that closes it: `a -> b -> a`. */
function findCycles(containers: Array<Record<string, unknown>>, names: string[]): ContainerSetProblem[] {
  const index = new Map(names.map((name, i) => [name, i]));
  const dependencies = containers.map((c) => list<unknown>(isRecord(c) ? c.dependencies : undefined));
  const state = new Map<number, 'visiting' | 'done'>();
  const problems: ContainerSetProblem[] = [];
  const visit = (i: number, trail: number[]): void => {
    state.set(i, 'visiting');
    dependencies[i]!.forEach((dependency, d) => {
      const j = typeof dependency === 'string' ? index.get(dependency) : undefined;
      if (j === undefined) return;
      if (state.get(j) === 'visiting') {
        const from = trail.indexOf(j);
        const cycle = [...(from >= 0 ? trail.slice(from) : []), i, j].map((k) => names[k]);
        problems.push({ path: ['containers', i, 'dependencies', d], message: `dependency cycle: ${cycle.join(' -> ')} (each container waits for the next)` });
      } else if (!state.has(j)) visit(j, [...trail, i]);
    });
    state.set(i, 'done');
  };
  // A containerSet holds tens of containers, so recursion is fine here.
  names.forEach((_, i) => {
    if (!state.has(i)) visit(i, []);
  });
  return problems;
}

/** The lint rule: every containerSet problem, at its place in the document. */
export function checkContainerSets(context: SpecContext): Finding[] {
  const findings: Finding[] = [];
  templatesOf(context.spec).forEach((template) => {
    if (!isRecord(template.containerSet)) return;
    const index = list(context.spec.templates).indexOf(template);
    const base = [...context.specPath, 'templates', index, 'containerSet'];
    for (const problem of containerSetProblems(template))
      findings.push({
        path: [...base, ...problem.path],
        ...(problem.at ? { at: problem.at } : {}),
        severity: 'error',
        rule: 'container-set',
        message: problem.message,
      });
  });
  return findings;
}
