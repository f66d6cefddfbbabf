import { type BuiltinFunction, str } from './builtin-arguments.js';
import { isEmpty } from './sprig-values.js';

/** sprig's defaults and flow control (defaults.go, `fail`): what counts as empty decides. */
export const SPRIG_DEFAULT_FUNCTIONS: Readonly<Record<string, BuiltinFunction>> = {
  default: (fallback, ...given) => (given.length === 0 || isEmpty(given[0]) ? fallback : given[0]),
  empty: (v) => isEmpty(v),
  coalesce: (...values) => values.find((v) => !isEmpty(v)) ?? null,
  all: (...values) => values.every((v) => !isEmpty(v)),
  any: (...values) => values.some((v) => !isEmpty(v)),
  ternary: (ifTrue, ifFalse, condition) => {
    if (typeof condition !== 'boolean') throw new Error('argument 3 must be a bool');
    return condition ? ifTrue : ifFalse;
  },
  fail: (message) => {
    throw new Error(str(message, 1));
  },
};
