import { MAIN_DIR, OUTPUTS_DIR } from './executor-plan.js';

/**
 * The POSIX sh wrapper the main container runs its command under, as Argo's emissary wraps it:
 * it keeps a copy of stdout (for `outputs.result`), and once the command has exited, copies the
 * declared output paths into the pod's shared emptyDir, so the wait container can collect them
 * although the main container's own filesystem (its private /tmp) is gone. Only then does it
 * write the exit code, which is what the wait container waits for. The user's command is `"$@"`,
 * never interpolated into the script, and it keeps its exit code.
 *
 * @example
 *   ['/bin/sh', '-c', mainWrapper({ parameters: [{ name: 'p', path: '/tmp/p' }], artifacts: [], result: true }), 'skiff-main', 'echo', 'hi']
 */
export function mainWrapper(outputs: { parameters: Array<{ name: string; path: string }>; artifacts: Array<{ name: string; path: string }>; result: boolean }): string {
  const lines = [`d=${quote(MAIN_DIR)}`, `o=${quote(OUTPUTS_DIR)}`, 'mkdir -p "$d" "$o/parameters" "$o/artifacts"'];
  if (outputs.result) {
    // A pipe loses the command's exit code in POSIX sh; the subshell writes it down instead.
    lines.push('( "$@"; echo $? > "$d/code" ) | tee "$d/stdout"', 'code=$(cat "$d/code" 2>/dev/null || echo 1)');
  } else {
    lines.push('"$@"', 'code=$?');
  }
  for (const p of outputs.parameters) lines.push(copy(p.path, `$o/parameters/${safeName(p.name)}`));
  for (const a of outputs.artifacts) lines.push(copy(a.path, `$o/artifacts/${safeName(a.name)}`));
  lines.push('echo "$code" > "$d/exitcode"', 'exit "$code"');
  return lines.join('\n');
}

function copy(path: string, dest: string): string {
  // Symlinks are copied as links (cp -P); the wait container reads them as the user left them.
  return `if [ -e ${quote(path)} ] || [ -L ${quote(path)} ]; then cp -RPp ${quote(path)} "${dest}" || echo "skiff: cannot keep output ${path.replace(/["`$\\]/g, '')}" >&2; fi`;
}

/** Output names are Argo identifiers; anything else is refused by the linter, and replaced here. */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}

export function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
