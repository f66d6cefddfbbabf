import type { BuiltinFunction } from './builtin-arguments.js';
import { SPRIG_CRYPTO_FUNCTIONS } from './sprig-crypto-functions.js';
import { SPRIG_DEFAULT_FUNCTIONS } from './sprig-default-functions.js';
import { SPRIG_DICT_FUNCTIONS } from './sprig-dict-functions.js';
import { SPRIG_ENCODING_FUNCTIONS } from './sprig-encoding-functions.js';
import { SPRIG_LIST_FUNCTIONS } from './sprig-list-functions.js';
import { SPRIG_MATH_FUNCTIONS } from './sprig-math-functions.js';
import { SPRIG_PATH_FUNCTIONS } from './sprig-path-functions.js';
import { SPRIG_REFLECTION_FUNCTIONS } from './sprig-reflection-functions.js';
import { SPRIG_REGEX_FUNCTIONS } from './sprig-regex-functions.js';
import { SPRIG_SEMVER_FUNCTIONS } from './sprig-semver-functions.js';
import { SPRIG_STRING_FUNCTIONS } from './sprig-string-functions.js';
import { SPRIG_URL_FUNCTIONS } from './sprig-url-functions.js';

/**
 * The sprig functions (Masterminds/sprig v3 `GenericFuncMap`) reachable as `sprig.name(...)` in
 * Argo expressions that need neither the clock nor randomness, one table per family. The date
 * functions, which read the caller's clock, are in time-functions.ts; the random ones, which draw
 * from the caller's seed, in random-functions.ts; those Skiff refuses, with the reason, in
 * refused-sprig-functions.ts. Argument order is sprig's (`sprig.contains(needle, haystack)`).
 */
export const SPRIG_FUNCTIONS: Readonly<Record<string, BuiltinFunction>> = {
  ...SPRIG_STRING_FUNCTIONS,
  ...SPRIG_LIST_FUNCTIONS,
  ...SPRIG_DICT_FUNCTIONS,
  ...SPRIG_MATH_FUNCTIONS,
  ...SPRIG_DEFAULT_FUNCTIONS,
  ...SPRIG_ENCODING_FUNCTIONS,
  ...SPRIG_REGEX_FUNCTIONS,
  ...SPRIG_CRYPTO_FUNCTIONS,
  ...SPRIG_PATH_FUNCTIONS,
  ...SPRIG_URL_FUNCTIONS,
  ...SPRIG_SEMVER_FUNCTIONS,
  ...SPRIG_REFLECTION_FUNCTIONS,
};
