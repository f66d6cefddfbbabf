/** What a secret's value is replaced with. */
export const REDACTED = '[redacted]';

/** Values shorter than this are not redacted: "a" or "1" would blank out every log. */
const MIN_SECRET_LENGTH = 3;

/**
 * Every form of the secret values to look for: the value itself, its base64 and base64url (with
 * and without padding), and the base64 it takes inside a longer encoded text at each of the three
 * byte offsets (a secret in the middle of `echo "user:$TOKEN" | base64`), trimmed to the
 * characters that depend on the value alone.
 */
export function secretForms(values: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const value of values) {
    if (value.length < MIN_SECRET_LENGTH) continue;
    forms.add(value);
    for (let offset = 0; offset < 3; offset++) {
      const shifted = Buffer.concat([Buffer.alloc(offset), Buffer.from(value)]);
      let encoded = shifted.toString('base64');
      // Characters that mix the value with the unknown bytes around it are dropped at both ends.
      const lead = offset === 0 ? 0 : Math.ceil((offset * 8) / 6);
      const tailBits = (shifted.length * 8) % 6;
      encoded = encoded.replace(/=+$/, '');
      const trimmed = encoded.slice(lead, tailBits === 0 ? encoded.length : encoded.length - 1);
      if (trimmed.length >= 4) {
        forms.add(trimmed);
        forms.add(trimmed.replace(/\+/g, '-').replace(/\//g, '_'));
      }
      if (offset === 0) {
        forms.add(Buffer.from(value).toString('base64'));
        forms.add(Buffer.from(value).toString('base64url'));
      }
    }
  }
  // Longest first, so a value is replaced whole before a shorter form inside it.
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * `text` with every form of the secret values (see secretForms) replaced by REDACTED.
 *
 * @example redactSecrets('token=hunter22 b64=aHVudGVyMjI=', ['hunter22']) // → 'token=[redacted] b64=[redacted]='
 */
export function redactSecrets(text: string, values: readonly string[]): string {
  let result = text;
  for (const form of secretForms(values)) result = result.split(form).join(REDACTED);
  return result;
}
