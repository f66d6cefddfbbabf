import { isPlainMap, typeName } from './go-values.js';

// The argument checks every table of functions shares: expr-lang's builtins, sprig's, the time functions.

/** A function callable from expressions. Throwing an `Error` becomes an `ExpressionError`. */
export type BuiltinFunction = (...args: unknown[]) => unknown;

/** Asserts an argument's type; `position` is 1-based for the message. */
export function want<T>(check: (v: unknown) => v is T, label: string): (value: unknown, position: number) => T {
  return (value, position) => {
    if (!check(value)) throw new Error(`argument ${position} must be ${label}, got ${typeName(value)}`);
    return value;
  };
}
export const str = want((v): v is string => typeof v === 'string', 'a string');
export const num = want((v): v is number => typeof v === 'number', 'a number');
export const int = want((v): v is number => typeof v === 'number' && Number.isInteger(v), 'an int');
export const arr = want((v): v is unknown[] => Array.isArray(v), 'an array');
export const map = want(isPlainMap, 'a map');

/** Asserts how many arguments a function was given. */
export function arity(args: unknown[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new Error(`invalid number of arguments (expected ${expected}, got ${args.length})`);
  }
}
