import { evaluateExpression } from './expression-evaluator.js';
import { type ExpressionReference, expressionReferences } from './expression-identifiers.js';
import { parseExpression } from './expression-parser.js';
import type { ExpressionAst } from './expression-ast.js';
import { goJson, isPlainMap } from './go-values.js';
import { nestFlatVariables } from './nest-flat-variables.js';
import { findTemplateTags, type TemplateTag } from './template-tags.js';

/**
 * Looks up one flat variable (`inputs.parameters.x`). `undefined`: not known (yet). `null`: known
 * to be absent — a skipped or omitted node's output with no default — which, as in Argo, is an
 * error for a plain tag and `nil` inside an expression (so `??` can supply a fallback).
 */
export type VariableLookup = (name: string) => string | null | undefined;

export interface SubstituteOptions {
  /**
   * What an unresolved tag means. `false` (default): it stays as written, to be resolved later.
   * `true`: every unresolved tag is an error (Argo's `Replace(..., allowUnresolved=false)`).
   * A list of prefixes such as `['inputs', 'tasks']`: only names under them must resolve, and
   * `*.outputs.artifacts.*` is still let through for artifact resolution (Argo's `ReplaceStrict`).
   */
  strict?: boolean | readonly string[];
  /** The environment for `{{= }}` expressions. Default: built from `lookup` for the names each reads. */
  env?: Record<string, unknown>;
  /**
   * The current time (a Date or epoch milliseconds) for `now()` and sprig's date functions in
   * `{{= }}` expressions. Without it they fail ("now() needs the current time").
   */
  now?: Date | number;
  /**
   * An expression whose variables all resolve but whose evaluation fails is kept for a later pass
   * instead of being an error, as Argo's allowUnresolved keeps it: a steps or DAG template's
   * inputs are substituted before its steps' `when` decides whether their arguments matter.
   */
  deferFailedExpressions?: boolean;
  /**
   * What sprig's random functions in `{{= }}` expressions draw from (the engine passes the run,
   * the node and where the text is). Each tag draws from this seed, its text and how many tags
   * with that text came before it, so every call gives a value of its own, and the same values
   * each time the same text is substituted with the same seed. Without it they fail.
   */
  seed?: string;
}

export interface SubstituteProblem {
  /** The tag as written and where it starts in the input. */
  tag: string;
  start: number;
  message: string;
}

export interface SubstituteResult {
  text: string;
  /** Variable names that did not resolve, in order of first appearance; their tags were kept. */
  unresolved: string[];
  /** Tags that had to resolve and did not, or failed; each such tag was kept as written. */
  errors: SubstituteProblem[];
}

/**
 * Replaces `{{name}}` and `{{= expression}}` tags as Argo does (util/template). Strings are
 * inserted as they are; other expression results as Go's JSON (`5`, `2.5`, `{"a":1}`, `[1,2]`).
 * A tag that fails is kept and reported, never thrown, so callers decide what to do.
 *
 * @example
 * substituteTemplate('hi {{inputs.parameters.who}} x{{=asInt(item) * 2}}', (n) => ({ 'inputs.parameters.who': 'bob', item: '3' })[n])
 * // { text: 'hi bob x6', unresolved: [], errors: [] }
 */
export function substituteTemplate(text: string, lookup: VariableLookup, options: SubstituteOptions = {}): SubstituteResult {
  const tags = findTemplateTags(text);
  const result: SubstituteResult = { text, unresolved: [], errors: [] };
  const broken = tags.find((tag) => tag.error !== undefined && tag.variable !== '');
  if (broken) {
    // Argo's template engine rejects the whole string, so nothing is replaced.
    result.errors.push({ tag: broken.raw, start: broken.start, message: broken.error! });
    return result;
  }
  let out = '';
  let last = 0;
  const seen = new Map<string, number>();
  for (const tag of tags) {
    out += text.slice(last, tag.start);
    last = tag.end;
    let seed: string | undefined;
    if (tag.kind === 'expression' && options.seed !== undefined) {
      const occurrence = seen.get(tag.raw) ?? 0;
      seen.set(tag.raw, occurrence + 1);
      seed = `${options.seed}\0${tag.raw}\0${occurrence}`;
    }
    const replacement = tag.kind === 'expression' ? expressionTag(tag, lookup, { ...options, seed }, result) : variableTag(tag, lookup, options, result);
    out += replacement ?? tag.raw;
  }
  result.text = out + text.slice(last);
  return result;
}

function isStrict(name: string, strict: SubstituteOptions['strict']): boolean {
  if (strict === true) return true;
  if (!Array.isArray(strict) || strict.length === 0) return false;
  // Artifacts resolve later (and may be optional), so prefix-strict mode lets them through.
  if (name.includes('.outputs.artifacts.')) return false;
  return strict.some((prefix) => name === prefix || name.startsWith(`${prefix}.`));
}

function note(result: SubstituteResult, name: string): void {
  if (!result.unresolved.includes(name)) result.unresolved.push(name);
}

function variableTag(tag: TemplateTag, lookup: VariableLookup, options: SubstituteOptions, result: SubstituteResult): string | undefined {
  const inner = tag.raw.slice(2, -2);
  const name = tag.variable!;
  const value = lookup(name);
  if (typeof value === 'string') return value;
  if (value === null) {
    result.errors.push({
      tag: tag.raw,
      start: tag.start,
      message: `unable to substitute ${tag.raw}: output is an absent optional (skipped/omitted node with no default)`,
    });
    return undefined;
  }
  // `{{inputs.parameters.{{item}}}}`: the engine sees the tag `inputs.parameters.{{item`. Argo
  // resolves the inner name and rewrites the outer tag for a later pass.
  const nestedAt = inner.lastIndexOf('{{');
  if (nestedAt > 0) {
    const nestedValue = lookup(inner.slice(nestedAt + 2));
    if (typeof nestedValue === 'string') return `{{${inner.slice(0, nestedAt)}${nestedValue}`;
    if (nestedValue === null) {
      result.errors.push({
        tag: tag.raw,
        start: tag.start,
        message: `unable to substitute nested tag ${tag.raw}: "${inner.slice(nestedAt + 2)}" is an absent optional`,
      });
      return undefined;
    }
  }
  note(result, name);
  if (isStrict(name, options.strict)) result.errors.push({ tag: tag.raw, start: tag.start, message: `failed to resolve ${tag.raw}` });
  return undefined;
}

/** Builds the nested environment from the flat names an expression reads and their parents. */
export function expressionEnv(references: ExpressionReference[], lookup: VariableLookup): Record<string, unknown> {
  const flat: Record<string, string | null> = {};
  for (const { path, guarded } of references) {
    const parts = path.split('.');
    for (let i = parts.length; i > 0; i--) {
      const name = parts.slice(0, i).join('.');
      const value = lookup(name);
      if (value !== undefined) flat[name] = value;
    }
    // A lookup cannot list what exists, so a guarded name that is not found is taken as absent
    // (nil, for `??` to replace) rather than as an unknown root or a field of its parent's JSON.
    if (guarded && flat[path] === undefined) flat[path] = null;
  }
  return nestFlatVariables(flat);
}

function hasPath(env: Record<string, unknown>, path: string): boolean {
  let node: unknown = env;
  for (const part of path.split('.')) {
    if (!isPlainMap(node) || !Object.hasOwn(node, part)) return false;
    node = node[part];
  }
  return true;
}

function expressionTag(tag: TemplateTag, lookup: VariableLookup, options: SubstituteOptions, result: SubstituteResult): string | undefined {
  const fail = (message: string): undefined => {
    result.errors.push({ tag: tag.raw, start: tag.start, message });
    return undefined;
  };
  let ast: ExpressionAst;
  try {
    ast = parseExpression(tag.expression!);
  } catch (error) {
    return fail(`failed to evaluate expression ${tag.raw}: ${(error as Error).message}`);
  }
  const references = expressionReferences(ast);
  const env = options.env ?? expressionEnv(references, lookup);
  // A guarded reference (`a.b ?? x`) may be absent, but its root name must exist, as in Argo.
  const missing = references
    .map((ref) => (ref.guarded ? ref.path.split('.')[0]! : ref.path))
    .filter((path, i, all) => all.indexOf(path) === i && !hasPath(env, path));
  for (const name of missing) {
    if (isStrict(name, options.strict)) return fail(`failed to evaluate expression ${tag.raw}: ${name} is missing`);
  }
  // With names missing, or in lenient mode, a failure leaves the tag for a later pass.
  const lenient = missing.length > 0 || !options.strict || options.deferFailedExpressions === true;
  let value: unknown;
  try {
    value = evaluateExpression(ast, env, { now: options.now, seed: options.seed });
    if (value === null || value === undefined) throw new Error('the result is nil');
    const text = typeof value === 'string' ? value : goJson(value);
    return text;
  } catch (error) {
    missing.forEach((name) => note(result, name));
    if (lenient) return undefined;
    return fail(`failed to evaluate expression ${tag.raw}: ${(error as Error).message}`);
  }
}
