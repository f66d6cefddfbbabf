import { MAX_NESTING_DEPTH } from './expression-ast.js';

/**
 * DAG `depends:` logic (Argo's docs/enhanced-depends-logic.md): task names and `task.Result`
 * combined with `&&`, `||`, `!` and parentheses. Task names follow Argo's pattern
 * `[a-zA-Z0-9][-a-zA-Z0-9]*` (workflow/common/ancestry.go); a result is one of TASK_RESULTS.
 */

export const TASK_RESULTS = ['Succeeded', 'Failed', 'Errored', 'Skipped', 'Omitted', 'Daemoned', 'AnySucceeded', 'AllFailed'] as const;
export type TaskResult = (typeof TASK_RESULTS)[number];

export type DependsAst =
  /** `A` (no result: Succeeded, Skipped or Daemoned, widened by the task's continueOn) or `A.Failed`. */
  | { kind: 'task'; task: string; result?: TaskResult; column: number }
  | { kind: 'not'; operand: DependsAst; column: number }
  /** `&&` and `||` chains are n-ary so long chains need no deep recursion. */
  | { kind: 'and' | 'or'; operands: DependsAst[]; column: number };

export class DependsSyntaxError extends Error {
  readonly column: number;
  constructor(message: string, column: number) {
    super(`${message} (column ${column})`);
    this.name = 'DependsSyntaxError';
    this.column = column;
  }
}

type Token = { kind: 'name' | '&&' | '||' | '!' | '(' | ')' | 'end'; text: string; column: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s+|&&|\|\||!|\(|\)|[a-zA-Z0-9][-a-zA-Z0-9]*(\.[A-Za-z][A-Za-z0-9]*)?/y;
  let i = 0;
  while (i < text.length) {
    pattern.lastIndex = i;
    const match = pattern.exec(text);
    if (!match) {
      const hint = text[i] === '&' || text[i] === '|' ? ` (did you mean "${text[i]}${text[i]}"?)` : '';
      throw new DependsSyntaxError(`unexpected character "${text[i]}"${hint}`, i + 1);
    }
    const word = match[0];
    if (!/^\s/.test(word)) {
      const kind = word === '&&' || word === '||' || word === '!' || word === '(' || word === ')' ? word : 'name';
      tokens.push({ kind, text: word, column: i + 1 });
    }
    i += word.length;
  }
  tokens.push({ kind: 'end', text: '', column: text.length + 1 });
  return tokens;
}

/**
 * Parses a `depends:` expression. Throws `DependsSyntaxError` with a 1-based column.
 *
 * @example
 * parseDepends('A && (B.Failed || !C.Errored)').kind // 'and'
 */
export function parseDepends(text: string): DependsAst {
  const tokens = tokenize(text);
  let position = 0;
  let depth = 0;
  const peek = (): Token => tokens[position]!;
  const fail = (message: string, token = peek()): never => {
    throw new DependsSyntaxError(message, token.column);
  };
  const nest = (token: Token): void => {
    if (++depth > MAX_NESTING_DEPTH) fail(`depends is too deeply nested (more than ${MAX_NESTING_DEPTH} levels)`, token);
  };

  const chain = (kind: 'and' | 'or', operator: '&&' | '||', operand: () => DependsAst): DependsAst => {
    const column = peek().column;
    const operands = [operand()];
    while (peek().kind === operator) {
      position++;
      operands.push(operand());
    }
    return operands.length === 1 ? operands[0]! : { kind, operands, column };
  };
  const or = (): DependsAst => chain('or', '||', and);
  const and = (): DependsAst => chain('and', '&&', unary);
  const unary = (): DependsAst => {
    const token = peek();
    if (token.kind === '!') {
      position++;
      nest(token);
      const operand = unary();
      depth--;
      return { kind: 'not', operand, column: token.column };
    }
    if (token.kind === '(') {
      position++;
      nest(token);
      if (peek().kind === ')') fail('empty parentheses');
      const inner = or();
      if (peek().kind !== ')') fail(peek().kind === 'end' ? 'missing ")"' : `expected ")" but found "${peek().text}"`);
      position++;
      depth--;
      return inner;
    }
    if (token.kind === 'name') {
      position++;
      const [task, result] = token.text.split('.') as [string, string | undefined];
      if (result !== undefined && !(TASK_RESULTS as readonly string[]).includes(result)) {
        fail(`task result "${result}" for task "${task}" is invalid; use one of ${TASK_RESULTS.join(', ')}`, token);
      }
      return result === undefined ? { kind: 'task', task, column: token.column } : { kind: 'task', task, result: result as TaskResult, column: token.column };
    }
    return fail(token.kind === 'end' ? 'expected a task name but the expression ended' : `expected a task name but found "${token.text}"`);
  };

  if (peek().kind === 'end') fail('depends is empty');
  const ast = or();
  if (peek().kind !== 'end') {
    const token = peek();
    fail(token.kind === 'name' ? `expected "&&" or "||" before "${token.text}"` : `unexpected "${token.text}"`);
  }
  return ast;
}

/**
 * The distinct task names a `depends:` expression mentions, in order of appearance.
 *
 * @example
 * dependsTaskNames(parseDepends('A && (B.Failed || A.Skipped)')) // ['A', 'B']
 */
export function dependsTaskNames(ast: DependsAst): string[] {
  const names = new Set<string>();
  const stack: DependsAst[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.kind === 'task') names.add(node.task);
    else if (node.kind === 'not') stack.push(node.operand);
    else stack.push(...[...node.operands].reverse());
  }
  return [...names];
}

/** What `evaluateDepends` needs to know about a dependency's node. */
export interface DependencyState {
  /** Argo node phase: Pending, Running, Succeeded, Failed, Error, Skipped, Omitted. */
  phase: string;
  /** The node runs a daemon (then it counts as done once it is past Pending). */
  daemoned?: boolean;
  /** Phases of the children when the task fanned out (withItems/withParam/withSequence). */
  childPhases?: readonly string[];
}

/** A dependency's `continueOn`, which widens what a bare task name accepts. */
export interface ContinueOn {
  failed?: boolean;
  error?: boolean;
}

export interface EvaluateDependsOptions {
  continueOn?: (task: string) => ContinueOn | undefined;
}

// Argo's NodeStatus.Fulfilled: finished, skipped or omitted, or a daemon that has started.
function fulfilled(state: DependencyState): boolean {
  return ['Succeeded', 'Failed', 'Error', 'Skipped', 'Omitted'].includes(state.phase) || (state.daemoned === true && state.phase !== 'Pending');
}

function resultHolds(state: DependencyState, result: TaskResult): boolean {
  switch (result) {
    case 'Succeeded':
      return state.phase === 'Succeeded';
    case 'Failed':
      return state.phase === 'Failed';
    case 'Errored':
      return state.phase === 'Error';
    case 'Skipped':
      return state.phase === 'Skipped';
    case 'Omitted':
      return state.phase === 'Omitted';
    case 'Daemoned':
      return state.daemoned === true && state.phase !== 'Pending';
    case 'AnySucceeded':
      return (state.childPhases ?? []).some((phase) => phase === 'Succeeded');
    case 'AllFailed':
      return (state.childPhases ?? []).length > 0 && state.childPhases!.every((phase) => phase === 'Failed');
  }
}

/**
 * Decides a task's `depends:`. As in Argo (workflow/controller/dag.go `evaluateDependsLogic`), the
 * answer is only given once every mentioned task is fulfilled; before that it is `undefined`.
 * `stateOf` returns undefined for a task with no node yet. `true`: run the task; `false`: omit it.
 *
 * @example
 * evaluateDepends(parseDepends('A && !B.Failed'), (t) => ({ phase: 'Succeeded' })) // true
 */
export function evaluateDepends(
  ast: DependsAst,
  stateOf: (task: string) => DependencyState | undefined,
  options: EvaluateDependsOptions = {},
): boolean | undefined {
  const states = new Map<string, DependencyState>();
  for (const task of dependsTaskNames(ast)) {
    const state = stateOf(task);
    if (!state || !fulfilled(state)) return undefined;
    states.set(task, state);
  }
  const holds = (node: DependsAst): boolean => {
    switch (node.kind) {
      case 'task': {
        const state = states.get(node.task)!;
        if (node.result) return resultHolds(state, node.result);
        return bareResults(options.continueOn?.(node.task)).some((result) => resultHolds(state, result));
      }
      case 'not':
        return !holds(node.operand);
      case 'and':
        return node.operands.every(holds);
      case 'or':
        return node.operands.some(holds);
    }
  };
  return holds(ast);
}

// Argo's expandDependency: the results a bare name (or a legacy `dependencies` entry) accepts.
function bareResults(continueOn: ContinueOn | undefined): TaskResult[] {
  const results: TaskResult[] = ['Succeeded', 'Skipped', 'Daemoned'];
  if (continueOn?.error) results.push('Errored');
  if (continueOn?.failed) results.push('Failed');
  return results;
}

/**
 * The `depends:` expression equivalent to a legacy `dependencies:` list, spelled as Argo expands
 * it (workflow/common/ancestry.go), including what each dependency's `continueOn` allows.
 *
 * @example
 * dependenciesToDepends(['A', 'B'])
 * // '(A.Succeeded || A.Skipped || A.Daemoned) && (B.Succeeded || B.Skipped || B.Daemoned)'
 */
export function dependenciesToDepends(list: readonly string[], continueOn?: (task: string) => ContinueOn | undefined): string {
  return list
    .map(
      (task) =>
        `(${bareResults(continueOn?.(task))
          .map((r) => `${task}.${r}`)
          .join(' || ')})`,
    )
    .join(' && ');
}
