import { dependsTaskNames, parseDepends } from '../../expr/depends.js';
import type { DocumentPath, Finding } from '../diagnostic.js';
import type { DagTask } from '../model/workflow.js';
import { suggest } from '../schema/check-shape.js';
import { isRecord, list, templatesOf, type SpecContext } from './spec-context.js';

/** The task names a DAG task waits for, from `depends` or the older `dependencies` list. */
export interface TaskEdges {
  name: string;
  path: DocumentPath;
  dependencies: Array<{ name: string; path: DocumentPath }>;
}

/**
 * DAG structure: dependencies name existing tasks, `depends` parses, the two styles are not mixed,
 * targets exist, and there is no cycle (the cycle is named, task by task).
 */
export function checkDags(context: SpecContext): Finding[] {
  const findings: Finding[] = [];
  templatesOf(context.spec).forEach((template) => {
    if (!isRecord(template.dag)) return;
    const index = list(context.spec.templates).indexOf(template);
    const dagPath = [...context.specPath, 'templates', index, 'dag'];
    const tasks = list<DagTask>(template.dag.tasks).filter(isRecord) as DagTask[];
    if (tasks.length === 0) {
      findings.push({
        path: dagPath,
        at: 'key',
        severity: 'error',
        rule: 'dag-dependency',
        message: `DAG template "${String(template.name)}" must have at least one task`,
      });
      return;
    }
    const names = tasks.map((task) => String(task.name));
    const usesDepends = tasks.some((task) => typeof task.depends === 'string' && task.depends !== '');
    const edges: TaskEdges[] = [];
    list<DagTask>(template.dag.tasks).forEach((task, t) => {
      if (!isRecord(task)) return;
      const path = [...dagPath, 'tasks', t];
      const edge: TaskEdges = { name: String(task.name), path, dependencies: [] };
      edges.push(edge);
      if (usesDepends && Array.isArray(task.dependencies) && task.dependencies.length > 0) {
        findings.push({
          path: [...path, 'dependencies'],
          at: 'key',
          severity: 'error',
          rule: 'dag-dependency',
          message: `DAG template "${String(template.name)}" mixes "depends" and "dependencies"; use "depends" throughout`,
        });
      }
      if (usesDepends && task.continueOn !== undefined) {
        findings.push({
          path: [...path, 'continueOn'],
          at: 'key',
          severity: 'error',
          rule: 'dag-dependency',
          message: 'continueOn cannot be used with "depends"; write the dependency as "task.Failed" or "task.Errored" instead',
        });
      }
      list<unknown>(task.dependencies).forEach((dependency, d) => {
        if (typeof dependency === 'string') edge.dependencies.push({ name: dependency, path: [...path, 'dependencies', d] });
      });
      if (typeof task.depends === 'string' && task.depends.trim() !== '') {
        try {
          for (const name of dependsTaskNames(parseDepends(task.depends))) edge.dependencies.push({ name, path: [...path, 'depends'] });
        } catch (error) {
          findings.push({
            path: [...path, 'depends'],
            severity: 'error',
            rule: 'depends-syntax',
            message: `depends "${task.depends}" does not parse: ${(error as Error).message}`,
          });
        }
      }
      const hasEdges = edge.dependencies.length > 0 || usesDepends;
      if (hasEdges && /^[0-9]/.test(edge.name)) {
        findings.push({
          path: [...path, 'name'],
          severity: 'error',
          rule: 'invalid-name',
          message: `task name "${edge.name}" cannot begin with a digit in a DAG that uses dependencies`,
        });
      }
    });
    for (const edge of edges) {
      for (const dependency of edge.dependencies) {
        if (!names.includes(dependency.name)) {
          findings.push({
            path: dependency.path,
            severity: 'error',
            rule: 'dag-dependency',
            message: `task "${edge.name}" depends on "${dependency.name}", which is not a task of this DAG${suggest(dependency.name, names)}`,
          });
        }
      }
    }
    findings.push(...findCycles(edges));
    if (typeof template.dag.target === 'string' && template.dag.target.trim() !== '') {
      for (const target of template.dag.target.split(/\s+/).filter(Boolean)) {
        if (!target.includes('{{') && !names.includes(target)) {
          findings.push({
            path: [...dagPath, 'target'],
            severity: 'error',
            rule: 'dag-dependency',
            message: `target "${target}" is not a task of this DAG${suggest(target, names)}`,
          });
        }
      }
    }
  });
  return findings;
}

/** Reports each cycle once, on the dependency that closes it, e.g. `a -> b -> c -> a`. */
function findCycles(edges: TaskEdges[]): Finding[] {
  const byName = new Map(edges.map((edge) => [edge.name, edge]));
  const state = new Map<string, 'visiting' | 'done'>();
  const findings: Finding[] = [];
  for (const start of edges) {
    if (state.has(start.name)) continue;
    // Iterative depth-first search: a hostile DAG of thousands of tasks must not overflow the stack.
    const stack: Array<{ edge: TaskEdges; next: number }> = [{ edge: start, next: 0 }];
    const trail: string[] = [start.name];
    state.set(start.name, 'visiting');
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const dependency = frame.edge.dependencies[frame.next++];
      if (!dependency) {
        state.set(frame.edge.name, 'done');
        stack.pop();
        trail.pop();
        continue;
      }
      const target = byName.get(dependency.name);
      if (!target) continue;
      const seen = state.get(target.name);
      if (seen === 'visiting') {
        const cycle = [...trail.slice(trail.indexOf(target.name)), target.name];
        findings.push({
          path: dependency.path,
          severity: 'error',
          rule: 'dag-cycle',
          message: `dependency cycle: ${cycle.join(' -> ')} (each task waits for the next)`,
        });
      } else if (seen === undefined) {
        state.set(target.name, 'visiting');
        trail.push(target.name);
        stack.push({ edge: target, next: 0 });
      }
    }
  }
  return findings;
}

/** Task names each task of a DAG depends on, directly. Unparseable `depends` yields none. */
export function directDependencies(task: DagTask): string[] {
  const names = list<unknown>(task.dependencies).filter((d): d is string => typeof d === 'string');
  if (typeof task.depends === 'string' && task.depends.trim() !== '') {
    try {
      names.push(...dependsTaskNames(parseDepends(task.depends)));
    } catch {
      // reported by checkDags
    }
  }
  return [...new Set(names)];
}
