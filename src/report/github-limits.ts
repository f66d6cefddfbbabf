/** GitHub's documented limits on check-run output (REST "Create a check run"). */
export const CHECK_LIMITS = {
  /** output.summary and output.text: characters each. */
  maxOutputChars: 65_535,
  /** output.title: GitHub documents none; kept to one line a person reads. */
  maxTitleChars: 255,
  /** Annotations per create or update request; more go in further updates. */
  annotationsPerRequest: 50,
  /** An annotation's message, title and raw_details. */
  maxAnnotationMessageChars: 64 * 1024,
  maxAnnotationTitleChars: 255,
  /** A check-run action: label, description, identifier. */
  maxActionLabelChars: 20,
  maxActionDescriptionChars: 40,
  maxActionIdentifierChars: 20,
} as const;

/**
 * `text` cut to `max` characters with `note` at the end when it is longer, so a report is
 * summarised rather than refused by GitHub.
 *
 * @example fitText('x'.repeat(70_000), 65_535, '\n\n(cut)').length // → 65535
 */
export function fitText(text: string, max: number, note = "\n\n_(shortened to fit GitHub's limit)_\n"): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - note.length))}${note}`;
}

/** One line, at most `max` characters. */
export function fitLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
