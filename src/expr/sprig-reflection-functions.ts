import { type BuiltinFunction, str } from './builtin-arguments.js';
import { deepEqual } from './go-values.js';
import { goKindOf, goTypeOf } from './sprig-values.js';

/**
 * sprig's reflection functions with Go's names for expression values: integral numbers are
 * `int`, others `float64`, lists `[]interface {}`, maps `map[string]interface {}`.
 */
export const SPRIG_REFLECTION_FUNCTIONS: Readonly<Record<string, BuiltinFunction>> = {
  typeOf: (v) => goTypeOf(v),
  typeIs: (target, v) => str(target, 1) === goTypeOf(v),
  typeIsLike: (target, v) => str(target, 1) === goTypeOf(v) || str(target, 1) === `*${goTypeOf(v)}`,
  kindOf: (v) => goKindOf(v),
  kindIs: (target, v) => str(target, 1) === goKindOf(v),
  deepEqual: (a, b) => deepEqual(a, b),
};
