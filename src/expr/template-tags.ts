/** One `{{...}}` tag in a string. Offsets are 0-based UTF-16 indexes; `end` is exclusive. */
export interface TemplateTag {
  start: number;
  end: number;
  /** The whole tag as written, braces included. */
  raw: string;
  kind: 'variable' | 'expression';
  /** For `{{ a.b.c }}`: the name with surrounding whitespace trimmed, as Argo looks it up. */
  variable?: string;
  /** For `{{= ...}}`: the text after `=`, untrimmed. */
  expression?: string;
  /** Set when the tag is malformed (an unterminated `{{`); `end` then runs to the end of the text. */
  error?: string;
}

/**
 * Finds the `{{...}}` tags in a string the way Argo's template engine (valyala/fasttemplate) does:
 * a tag runs from `{{` to the first `}}`, so tags do not nest and an expression cannot contain
 * `}}`. A tag is an expression only when `=` follows the braces immediately (`{{=x}}`, `{{= x}}`);
 * `{{ =x}}` is a variable named `=x`, as in Argo. An unterminated `{{` yields a tag with `error`
 * and ends the scan, because Argo rejects the whole string.
 *
 * @example
 * findTemplateTags('echo {{ inputs.parameters.x }}')
 * // [{ start: 5, end: 30, raw: '{{ inputs.parameters.x }}', kind: 'variable', variable: 'inputs.parameters.x' }]
 */
export function findTemplateTags(text: string): TemplateTag[] {
  const tags: TemplateTag[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf('{{', from);
    if (start < 0) return tags;
    const close = text.indexOf('}}', start + 2);
    if (close < 0) {
      tags.push({
        start,
        end: text.length,
        raw: text.slice(start),
        kind: 'variable',
        error: `unterminated template tag: "{{" at offset ${start} has no closing "}}"`,
      });
      return tags;
    }
    const inner = text.slice(start + 2, close);
    const end = close + 2;
    const raw = text.slice(start, end);
    if (inner.startsWith('=')) tags.push({ start, end, raw, kind: 'expression', expression: inner.slice(1) });
    else if (inner.trim() === '') tags.push({ start, end, raw, kind: 'variable', variable: '', error: `empty template tag at offset ${start}` });
    else tags.push({ start, end, raw, kind: 'variable', variable: inner.trim() });
    from = end;
  }
}
