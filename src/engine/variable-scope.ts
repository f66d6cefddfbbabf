import { type SubstituteOptions, substituteTemplate, type SubstituteProblem } from '../expr/index.js';

/**
 * Variables visible at one point of a run (`inputs.parameters.x`, `steps.a.outputs.result`,
 * `workflow.name`, ...), as flat names the way Argo keys them. Scopes chain to their parent, so
 * a steps template's scope sees the workflow's globals without copying them. A value of `null`
 * is Argo's "absent optional": a skipped step's output without a default.
 */
export class VariableScope {
  private readonly vars = new Map<string, string | null>();
  /** Computed on each lookup (e.g. `workflow.duration`, which depends on the clock). */
  private dynamic?: (name: string) => string | undefined;
  /** The run's clock (epoch ms) for `now()` in expressions; set on the root, seen by children. */
  private clock?: () => number;
  /** What random functions in expressions draw from: the run's identity on the root, the node's name below. */
  private seed?: string;

  constructor(private readonly parent?: VariableScope) {}

  set(name: string, value: string | null): this {
    this.vars.set(name, value);
    return this;
  }

  setDynamic(lookup: (name: string) => string | undefined): this {
    this.dynamic = lookup;
    return this;
  }

  get(name: string): string | null | undefined {
    // Iterate rather than recurse: loop scopes can chain a few levels deep per template.
    for (let scope: VariableScope | undefined = this; scope; scope = scope.parent) {
      const value = scope.vars.get(name);
      if (value !== undefined) return value;
      const computed = scope.dynamic?.(name);
      if (computed !== undefined) return computed;
    }
    return undefined;
  }

  setClock(clock: () => number): this {
    this.clock = clock;
    return this;
  }

  /** The current time for expressions (epoch ms), from the nearest scope with a clock. */
  now(): number | undefined {
    for (let scope: VariableScope | undefined = this; scope; scope = scope.parent) {
      if (scope.clock) return scope.clock();
    }
    return undefined;
  }

  /** Seeds the root with the run's identity (its uid, or its name). */
  setSeed(seed: string): this {
    this.seed = seed;
    return this;
  }

  /**
   * Gives this scope's expressions random values of their own: the run's seed and `nodeName`.
   * Node names are stable across restarts and new for each retry attempt, and so are the values.
   */
  seedForNode(nodeName: string): this {
    const run = this.parent?.randomSeed();
    if (run !== undefined) this.seed = `${run}\0${nodeName}`;
    return this;
  }

  /** The seed for random functions in expressions, from the nearest scope with one. */
  randomSeed(): string | undefined {
    for (let scope: VariableScope | undefined = this; scope; scope = scope.parent) {
      if (scope.seed !== undefined) return scope.seed;
    }
    return undefined;
  }

  child(): VariableScope {
    return new VariableScope(this);
  }

  readonly lookup = (name: string): string | null | undefined => this.get(name);
}

export interface SubstitutionFailure {
  problems: SubstituteProblem[];
}

/**
 * Substitutes `{{...}}` in every string of a JSON value (object keys are kept). Returns the new
 * value and the problems of tags that had to resolve and did not. Strings without `{{` are
 * shared, not copied.
 *
 * @example substituteValue({ args: ['{{inputs.parameters.x}}'] }, scope, ['inputs'])
 */
export function substituteValue<T>(
  value: T,
  scope: VariableScope,
  strict: boolean | readonly string[] = false,
  options: Pick<SubstituteOptions, 'deferFailedExpressions'> = {},
): { value: T; problems: SubstituteProblem[] } {
  const problems: SubstituteProblem[] = [];
  const seed = scope.randomSeed();
  // Each string's random values are seeded by where it is in the value too, so the same
  // expression in two fields (two steps' arguments, two args) gives two values, as in Argo.
  // The path is kept as parts and joined only for a string with tags: most strings have none.
  const path: Array<string | number> = [];
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (!v.includes('{{')) return v;
      // Only expressions (`{{=`) draw random values.
      const where = seed === undefined || !v.includes('{{=') ? undefined : `${seed}\0${path.map((part) => `/${part}`).join('')}`;
      const result = substituteTemplate(v, scope.lookup, { ...options, strict, now: scope.now(), seed: where });
      problems.push(...result.errors);
      return result.text;
    }
    if (Array.isArray(v)) {
      const out = new Array<unknown>(v.length);
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        out[i] = walk(v[i]);
        path.pop();
      }
      return out;
    }
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k in v) {
        path.push(k);
        out[k] = walk((v as Record<string, unknown>)[k]);
        path.pop();
      }
      return out;
    }
    return v;
  };
  return { value: walk(value) as T, problems };
}

/** One line for a node's message from substitution problems. */
export function describeProblems(problems: readonly SubstituteProblem[]): string {
  const unique = [...new Set(problems.map((p) => p.message))];
  return unique.join('; ');
}
