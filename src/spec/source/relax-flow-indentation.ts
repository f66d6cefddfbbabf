/**
 * Go's YAML parser, which Argo and kubectl use, accepts a quoted string or a flow list that
 * continues onto lines indented no deeper than its key, as Argo's own examples write:
 *
 *     args: ["
 *       echo hello
 *     "]
 *
 * The YAML 1.2 spec (and so the `yaml` package) rejects the last line. This returns the text
 * with such continuation lines indented one column deeper than the line that opened the string
 * or list, which changes no value (leading space on a continuation line of a quoted string is
 * folded away, and flow collections ignore indentation) and keeps every line number. It is only
 * used when the text as written does not parse.
 */
export function relaxFlowIndentation(text: string): string {
  const lines = text.split('\n');
  let quote: '"' | "'" | null = null;
  let flowDepth = 0;
  let openerIndent = 0;
  let blockParentIndent: number | null = null;

  for (let n = 0; n < lines.length; n++) {
    let line = lines[n]!;
    const indent = line.length - line.trimStart().length;
    const blank = line.trim() === '';
    if (blockParentIndent !== null) {
      if (blank || indent > blockParentIndent) continue; // inside a literal or folded block scalar
      blockParentIndent = null;
    }
    const continuing = quote !== null || flowDepth > 0;
    if (continuing && !blank && indent <= openerIndent) {
      line = ' '.repeat(openerIndent + 1 - indent) + line;
      lines[n] = line;
    }
    let lastSignificant = ''; // the last non-space character outside strings, to know where a value starts
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (quote === '"') {
        if (c === '\\') i++;
        else if (c === '"') quote = null;
        continue;
      }
      if (quote === "'") {
        if (c === "'" && line[i + 1] === "'") i++;
        else if (c === "'") quote = null;
        continue;
      }
      if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) break;
      const atValueStart = lastSignificant === '' || ':-[{,?'.includes(lastSignificant);
      if ((c === '"' || c === "'") && atValueStart) quote = c;
      else if ((c === '[' || c === '{') && (atValueStart || flowDepth > 0)) flowDepth++;
      else if ((c === ']' || c === '}') && flowDepth > 0) flowDepth--;
      if (!/\s/.test(c)) lastSignificant = c;
    }
    const open = quote !== null || flowDepth > 0;
    if (open && !continuing) openerIndent = indent;
    if (!open && /(^|[:-]\s+|^\s*)[|>][-+0-9]*\s*(#.*)?$/.test(line.replace(/\s+#.*$/, ''))) blockParentIndent = indent;
  }
  return lines.join('\n');
}
