import { type BuiltinFunction, int } from './builtin-arguments.js';
import { goString } from './go-values.js';
import { untilStep } from './sprig-list-functions.js';
import { castFloat, castInt } from './sprig-values.js';

/**
 * sprig's arithmetic (numeric.go and the operators in functions.go): integer functions through
 * spf13/cast, float functions (`addf`, `divf`, ...) through shopspring/decimal, so `addf(0.1, 0.2)`
 * is 0.3 as in Go, not JavaScript's 0.30000000000000004.
 */

/** A decimal `digits × 10^exponent`, exact, as shopspring/decimal keeps numbers. */
interface Decimal {
  readonly digits: bigint;
  readonly exponent: number;
}

// shopspring's NewFromFloat: the shortest decimal that reads back as the same float.
function toDecimal(value: unknown): Decimal {
  const float = castFloat(value);
  if (!Number.isFinite(float)) throw new Error(`Cannot create a Decimal from ${goString(float)}`);
  const [mantissa, exp] = float.toExponential().split('e') as [string, string];
  const [whole, fraction = ''] = mantissa.split('.') as [string, string?];
  return { digits: BigInt(whole + fraction), exponent: Number(exp) - fraction.length };
}

function scaled(d: Decimal, exponent: number): bigint {
  return d.digits * 10n ** BigInt(d.exponent - exponent);
}

// Go's decimal.Div rounds quotients to 16 decimal places, half away from zero.
const DIVISION_PRECISION = 16;

function operate(operator: '+' | '-' | '*' | '/', a: Decimal, b: Decimal): Decimal {
  if (operator === '*') return { digits: a.digits * b.digits, exponent: a.exponent + b.exponent };
  if (operator === '/') {
    if (b.digits === 0n) throw new Error('decimal division by zero');
    const shift = a.exponent - b.exponent + DIVISION_PRECISION;
    const [numerator, denominator] = shift >= 0 ? [a.digits * 10n ** BigInt(shift), b.digits] : [a.digits, b.digits * 10n ** BigInt(-shift)];
    let quotient = numerator / denominator;
    const remainder = numerator % denominator;
    const abs = (n: bigint): bigint => (n < 0n ? -n : n);
    if (2n * abs(remainder) >= abs(denominator)) quotient += numerator < 0n !== denominator < 0n ? -1n : 1n;
    return { digits: quotient, exponent: -DIVISION_PRECISION };
  }
  const exponent = Math.min(a.exponent, b.exponent);
  const digits = operator === '+' ? scaled(a, exponent) + scaled(b, exponent) : scaled(a, exponent) - scaled(b, exponent);
  return { digits, exponent };
}

function decimalOperation(operator: '+' | '-' | '*' | '/'): BuiltinFunction {
  return (first, ...rest) => {
    const result = rest.reduce<Decimal>((acc, v) => operate(operator, acc, toDecimal(v)), toDecimal(first));
    return Number(`${result.digits}e${result.exponent}`);
  };
}

/** sprig's `round(value, places, roundOn = 0.5)`: the fraction at or above `roundOn` rounds up. */
function round(value: unknown, places: unknown, ...options: unknown[]): number {
  const roundOn = options.length > 0 ? castFloat(options[0]) : 0.5;
  const pow = 10 ** castFloat(places);
  const digit = pow * castFloat(value);
  const fraction = digit - Math.trunc(digit);
  return (fraction >= roundOn ? Math.ceil(digit) : Math.floor(digit)) / pow;
}

/** sprig's `seq`, as Unix seq: `seq(3)` is "1 2 3", `seq(1, 2, 9)` is "1 3 5 7 9". */
function seq(...args: unknown[]): string {
  const params = args.map((v, i) => int(v, i + 1));
  let numbers: number[] = [];
  if (params.length === 1) {
    const end = params[0]!;
    const step = end < 1 ? -1 : 1;
    numbers = untilStep(1, end + step, step);
  } else if (params.length === 2) {
    const [start, end] = params as [number, number];
    const step = end < start ? -1 : 1;
    numbers = untilStep(start, end + step, step);
  } else if (params.length === 3) {
    const [start, step, end] = params as [number, number, number];
    if (end < start && step > 0) return '';
    numbers = untilStep(start, end + (end < start ? -1 : 1), step);
  }
  return numbers.join(' ');
}

function intDivision(operator: 'div' | 'mod'): BuiltinFunction {
  return (a, b) => {
    if (castInt(b) === 0) throw new Error('integer divide by zero');
    return operator === 'div' ? Math.trunc(castInt(a) / castInt(b)) : castInt(a) % castInt(b);
  };
}

export const SPRIG_MATH_FUNCTIONS: Readonly<Record<string, BuiltinFunction>> = {
  atoi: (s) => (typeof s === 'string' && /^[+-]?[0-9]+$/.test(s) ? Number(s) : 0),
  int: (v) => castInt(v),
  int64: (v) => castInt(v),
  float64: (v) => castFloat(v),
  toDecimal: (v) => {
    const text = goString(v);
    return /^[+-]?[0-7]+$/.test(text) ? parseInt(text, 8) : 0;
  },
  add: (...values) => values.reduce<number>((sum, v) => sum + castInt(v), 0),
  add1: (v) => castInt(v) + 1,
  sub: (a, b) => castInt(a) - castInt(b),
  mul: (a, ...rest) => rest.reduce<number>((product, v) => product * castInt(v), castInt(a)),
  div: intDivision('div'),
  mod: intDivision('mod'),
  max: (a, ...rest) => Math.max(castInt(a), ...rest.map(castInt)),
  min: (a, ...rest) => Math.min(castInt(a), ...rest.map(castInt)),
  biggest: (a, ...rest) => Math.max(castInt(a), ...rest.map(castInt)),
  add1f: (v) => decimalOperation('+')(v, 1),
  addf: (...values) => decimalOperation('+')(0, ...values),
  subf: decimalOperation('-'),
  mulf: decimalOperation('*'),
  divf: decimalOperation('/'),
  maxf: (a, ...rest) => Math.max(castFloat(a), ...rest.map(castFloat)),
  minf: (a, ...rest) => Math.min(castFloat(a), ...rest.map(castFloat)),
  ceil: (v) => Math.ceil(castFloat(v)),
  floor: (v) => Math.floor(castFloat(v)),
  round,
  seq,
};
