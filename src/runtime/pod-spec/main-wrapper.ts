import { MAIN_DIR, OUTPUTS_DIR, RUN_DIR, SCRIPT_ENV } from './executor-plan.js';

/** What the wrapper keeps once the command has exited: output copies and stdout for `outputs.result`. */
export interface WrapperOutputs {
  parameters: Array<{ name: string; path: string }>;
  artifacts: Array<{ name: string; path: string }>;
  result: boolean;
  /**
   * Keep the container's whole log (stdout and stderr, as they come) in `<dir>/LOG_FILE`, for the
   * wait container to archive as `<container>.log` (the template archives logs, see archive-logs.ts).
   */
  log?: boolean;
}

/** The container's combined stdout and stderr beside its exit code, when its log is archived. */
export const LOG_FILE = 'combined';

/** How a containerSet member is wrapped besides its outputs (a plain main container needs none of it). */
export interface WrapperOptions {
  /** The container's name: its exit code goes to `RUN_DIR/ctr/<name>/exitcode`. Default `main`. */
  container?: string;
  /** Containers whose exit code must be 0 before this one starts its command. */
  dependencies?: string[];
  /** containerSet.retryStrategy: attempts after the first, and the pause between attempts. */
  retries?: { limit: number; delaySeconds: number };
  /**
   * A static busybox (the image may have no shell or tools of its own): the wrapper's own tools
   * (mkdir, cp, cat, tee, mv, rm, sleep) are its applets, as shell functions, which the user's
   * command does not inherit: it runs with the image's PATH and programs, untouched.
   */
  busybox?: string;
  /**
   * Write the script in `$SKIFF_SCRIPT` (SCRIPT_ENV) to this path first, executable, and unset the
   * variable, so the command finds its script and does not inherit the variable.
   */
  script?: string;
}

/** The external programs the wrapper uses; with a busybox they are its applets. */
const WRAPPER_TOOLS = ['mkdir', 'cp', 'cat', 'tee', 'mv', 'rm', 'sleep', 'chmod'];

/** The directory of a container's exit code, stdout and markers in the pod's shared volume. */
export function containerDir(name: string): string {
  return name === 'main' ? MAIN_DIR : `${RUN_DIR}/ctr/${name}`;
}

/** Written by a containerSet member that did not run its command: the dependency that failed. */
export const BLOCKED_BY_FILE = 'blocked-by';

/**
 * The POSIX sh wrapper the main container runs its command under, as Argo's emissary wraps it:
 * it keeps a copy of stdout (for `outputs.result`), and once the command has exited, copies the
 * declared output paths (resolved as the step sees them, see `copy`) into the pod's shared emptyDir, so the wait container can collect them
 * although the main container's own filesystem (its private /tmp) is gone. Only then does it
 * write the exit code, which is what the wait container waits for. The user's command is `"$@"`,
 * never interpolated into the script, and it keeps its exit code.
 *
 * A containerSet member is wrapped the same way, and besides waits until each of its
 * dependencies has written an exit code: the shared volume is the only thing the containers of a
 * pod share, on a cluster as here. A failed dependency means the command never runs; the member
 * says which dependency it was and passes the failure on to its own dependents. With retries the
 * command runs again after a failure, except when it could not be found or executed (126, 127),
 * which no retry mends.
 *
 * @example
 *   ['/bin/sh', '-c', mainWrapper({ parameters: [{ name: 'p', path: '/tmp/p' }], artifacts: [], result: true }), 'skiff-main', 'echo', 'hi']
 *   ['/bin/sh', '-c', mainWrapper(none, { container: 'd', dependencies: ['b', 'c'] }), 'skiff-d', 'make']
 */
export function mainWrapper(outputs: WrapperOutputs, options: WrapperOptions = {}): string {
  const name = options.container ?? 'main';
  const lines: string[] = [];
  if (options.busybox) lines.push(`t=${quote(options.busybox)}`, ...WRAPPER_TOOLS.map((tool) => `${tool}() { "$t" ${tool} "$@"; }`));
  lines.push(`d=${quote(containerDir(name))}`, `o=${quote(OUTPUTS_DIR)}`, 'mkdir -p "$d" "$o/parameters" "$o/artifacts"');

  // Made first, so a container that never runs its command (a failed dependency) has an empty log.
  if (outputs.log) lines.push(`: > "$d/${LOG_FILE}"`);
  // The exit code appears whole or not at all (a rename), since other containers poll for it.
  lines.push('finish() { echo "$1" > "$d/exitcode.tmp" && mv -f "$d/exitcode.tmp" "$d/exitcode"; exit "$1"; }');
  if (options.script) {
    const file = quote(options.script);
    const dir = quote(options.script.slice(0, options.script.lastIndexOf('/')) || '/');
    // printf, not echo: the source byte for byte, backslashes and a leading dash included.
    lines.push(
      `mkdir -p ${dir} && printf '%s' "$${SCRIPT_ENV}" > ${file} && chmod 755 ${file} || { echo 'skiff: cannot write the script to ${options.script.replace(/'/g, '')}' >&2; finish 1; }`,
      `unset ${SCRIPT_ENV}`,
    );
  }
  for (const dependency of options.dependencies ?? []) {
    const file = quote(`${containerDir(dependency)}/exitcode`);
    lines.push(
      `while [ ! -s ${file} ]; do sleep 0.1 2>/dev/null || sleep 1; done`,
      `c=$(cat ${file})`,
      `if [ "$c" != 0 ]; then echo ${quote(`skiff: "${name}" does not run: it depends on "${dependency}", which failed (exit code `)}"$c)" >&2; echo ${quote(dependency)} > "$d/${BLOCKED_BY_FILE}"; finish "$c"; fi`,
    );
  }
  const attempt = attemptLines(outputs);
  const retries = options.retries;
  if (retries && retries.limit > 0) {
    lines.push(
      'n=0',
      'while :; do',
      ...attempt.map((l) => `  ${l}`),
      `  if [ "$code" = 0 ] || [ "$code" = 126 ] || [ "$code" = 127 ] || [ "$n" -ge ${retries.limit} ]; then break; fi`,
      '  n=$((n + 1))',
      `  echo "skiff: ${name.replace(/["`$\\]/g, '')} exited with code $code; attempt $((n + 1)) of ${retries.limit + 1}${retries.delaySeconds > 0 ? ` in ${retries.delaySeconds}s` : ''}" >&2`,
      ...(retries.delaySeconds > 0 ? [`  sleep ${retries.delaySeconds}`] : []),
      'done',
    );
  } else {
    lines.push(...attempt);
  }
  if (outputs.parameters.length + outputs.artifacts.length > 0) {
    // The command could write to the shared volume too: the copies go to directories made afresh.
    lines.push('rm -rf "$o"; mkdir -p "$o/parameters" "$o/artifacts"');
  }
  for (const p of outputs.parameters) lines.push(copy(p.path, `$o/parameters/${safeName(p.name)}`));
  for (const a of outputs.artifacts) lines.push(copy(a.path, `$o/artifacts/${safeName(a.name)}`));
  lines.push('finish "$code"');
  return lines.join('\n');
}

/**
 * One run of the command, its exit code in `code`. A pipe loses the command's exit code in POSIX
 * sh, so with a pipe the subshell writes it down instead. With a log, stdout and stderr each pass
 * through a `tee` of their own (fd 4 carries stdout past the stderr pipe): both still reach the
 * container's own streams (what `kubectl logs` shows), and both are appended to the log file, each
 * write whole, so the two interleave as the command wrote them, up to the tees' buffering.
 */
function attemptLines(outputs: WrapperOutputs): string[] {
  const code = ['rm -f "$d/code"'];
  const read = 'code=$(cat "$d/code" 2>/dev/null || echo 1)';
  const run = '( "$@"; echo $? > "$d/code" )';
  if (outputs.log) {
    const stdoutFiles = outputs.result ? `"$d/stdout" "$d/${LOG_FILE}"` : `"$d/${LOG_FILE}"`;
    return [
      ...code,
      ...(outputs.result ? [': > "$d/stdout"'] : []),
      `{ ${run} 2>&1 1>&4 4>&- | tee -a "$d/${LOG_FILE}" >&2 4>&-; } 4>&1 | tee -a ${stdoutFiles}`,
      read,
    ];
  }
  if (outputs.result) return [...code, `${run} | tee "$d/stdout"`, read];
  return ['"$@"', 'code=$?'];
}

/**
 * Outputs are resolved here, in the step's own filesystem, because the wait container that reads
 * the copies sees another one (with the repository's Secrets) and follows no link. `cp -RH`
 * (POSIX; GNU and BusyBox alike) follows the output path itself when it is a link, so a link to
 * the step's own /tmp/data/x keeps x, and keeps links inside a directory as links, which the
 * wait container stores if they stay inside the output. A link the step cannot resolve (dangling,
 * a loop) is kept as the link, for the wait container to refuse by name.
 */
function copy(path: string, dest: string): string {
  const p = quote(path);
  const failed = `echo "skiff: cannot keep output ${path.replace(/["`$\\]/g, '')}" >&2`;
  return `if [ -e ${p} ]; then cp -RHp ${p} "${dest}" || ${failed}; elif [ -L ${p} ]; then cp -RPp ${p} "${dest}" || ${failed}; fi`;
}

/** Output names are Argo identifiers; anything else is refused by the linter, and replaced here. */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}

export function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
