/**
 * Escapes text from untrusted sources (file names, messages, step names, comment bodies) for
 * GitHub Markdown: no links, images, HTML, mentions or table breaks can be smuggled in, and the
 * text reads as it was written.
 *
 * @example escapeMarkdown('<img src=x> [a](http://evil) @team |') // → '&lt;img src=x&gt; \\[a\\]\\(http://evil\\) @\u200bteam \\|'
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]()#+!|~])/g, '\\$1')
    .replace(/@(?=[A-Za-z0-9])/g, '@\u200b')
    .replace(/\r?\n/g, ' ');
}

/** Text inside a fenced code block: a fence in the text cannot close the block. */
export function fencedBlock(text: string, language = 'text'): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text.endsWith('\n') ? text : `${text}\n`}${fence}`;
}
