import { BUILTINS } from './expression-builtins.js';
import { PREDICATE_FUNCTIONS } from './expression-predicates.js';
import { SPRIG_RANDOM_FUNCTIONS } from './random-functions.js';
import { SPRIG_FUNCTIONS } from './sprig-functions.js';
import { SPRIG_TIME_FUNCTIONS, TIME_BUILTINS } from './time-functions.js';

/**
 * The names an expression may call, for checks that run before evaluation (`skiff lint`): bare
 * functions (`asInt(...)`, `filter(...)`) and sprig's (`sprig.upper(...)`). The refused sprig
 * functions and their reasons are in refused-sprig-functions.ts.
 */

/** Bare function names: expr-lang's and Argo's builtins, the predicate builtins, `jsonpath`, the time builtins. */
export const BARE_FUNCTION_NAMES: readonly string[] = [
  ...new Set([...Object.keys(BUILTINS), ...PREDICATE_FUNCTIONS, 'jsonpath', ...Object.keys(TIME_BUILTINS)]),
].sort();

/** The sprig functions that need the caller's seed (`randAlphaNum`, `uuidv4`, `bcrypt`, ...). */
export const SPRIG_RANDOM_FUNCTION_NAMES: readonly string[] = Object.keys(SPRIG_RANDOM_FUNCTIONS).sort();

/**
 * The sprig functions Skiff offers, without the `sprig.` prefix.
 *
 * @example
 * SPRIG_FUNCTION_NAMES.includes('randAlphaNum') // true
 */
export const SPRIG_FUNCTION_NAMES: readonly string[] = [
  ...new Set([...Object.keys(SPRIG_FUNCTIONS), ...Object.keys(SPRIG_TIME_FUNCTIONS), ...Object.keys(SPRIG_RANDOM_FUNCTIONS)]),
].sort();
