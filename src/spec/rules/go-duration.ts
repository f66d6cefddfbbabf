const GO_DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/;

/** Whether `value` is a Go duration (`90s`, `1h30m`), the form Argo parses with time.ParseDuration. */
export function isGoDuration(value: string): boolean {
  return value === '0' || GO_DURATION.test(value);
}

/** A value with a `{{...}}` tag is only known once the run substitutes it: nothing to check before. */
export function isVariable(value: string): boolean {
  return value.includes('{{');
}
