/**
 * Escapes text for HTML element content and quoted attribute values. Everything a run shows comes
 * from its workflow or its steps (names, parameters, messages, logs) and is hostile: it goes
 * through here, never into markup as it is.
 *
 * @example escapeHtml('<script>"x"</script>') // '&lt;script&gt;&quot;x&quot;&lt;/script&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A tagged template that escapes every value put into it (arrays are joined, already-safe parts kept). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((value, index) => {
    out += toHtml(value) + strings[index + 1]!;
  });
  return new SafeHtml(out);
}

/** Markup made here, from escaped parts; the only thing `html` puts in unescaped. */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

function toHtml(value: unknown): string {
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(toHtml).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}
