import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Security headers of every answer: nothing runs but the page's own script (so text that escaped
 * escaping would still be inert), no framing, and no Referer that would carry the signed link away.
 */
export const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type });
  res.end(body);
}

/** A refusal in one line of text (for the page's script, which shows it as text). */
export function refuse(res: ServerResponse, status: number, message: string): true {
  send(res, status, 'text/plain; charset=utf-8', `${message}\n`);
  return true;
}

/** A request body of at most `limit` bytes; a longer one rejects. */
export async function readSmallBody(req: IncomingMessage, limit: number): Promise<string> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > limit) throw new Error('body too large');
  }
  return text;
}

/** Writes a stream of chunks, waiting whenever the client reads slower than it comes. */
export async function writeAll(res: ServerResponse, body: AsyncIterable<Buffer>): Promise<void> {
  for await (const chunk of body) if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
  res.end();
}
