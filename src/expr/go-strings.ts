/** Go's `strconv.Atoi`. */
export function goAtoi(text: string): number | undefined {
  return /^[+-]?[0-9]+$/.test(text) ? Number(text) : undefined;
}

/** Go's `strconv.ParseFloat(s, 64)` for the decimal and special spellings. */
export function goParseFloat(text: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return NaN;
  return /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text) ? Number(text) : undefined;
}

/** Go's `strings.Split` / `SplitN`: an empty separator splits into characters. */
export function goSplit(text: string, separator: string, limit = -1): string[] {
  if (limit === 0) return [];
  const parts = separator === '' ? Array.from(text) : text.split(separator);
  if (limit < 0 || parts.length <= limit) return parts;
  const head = parts.slice(0, limit - 1);
  return [...head, parts.slice(limit - 1).join(separator)];
}
