import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makePrivateDir, writePrivateFile } from '../../state/private-files.js';

/** What a link lets its holder do: look at the run, or also retry, stop and terminate it. */
export type LinkCapability = 'read' | 'write';

/** The query a signed link carries: `exp` (seconds since the epoch), `sig`, and `cap=write` on a writer's link. */
export interface LinkGrant {
  exp: number;
  sig: string;
  cap: LinkCapability;
}

/** Why a link was refused, for the 403 page. */
export type LinkRefusal = 'missing' | 'expired' | 'invalid';

/**
 * Signs and checks run page links: an HMAC-SHA256 over the run's namespace, name, the link's
 * expiry and its capability, with a secret only the server knows. A link opens one run until it
 * expires; a reader's link cannot be turned into a writer's (the capability is signed), nor a
 * link of one run into another's. Form posts carry a token derived from the link, so a page of
 * another site cannot post on the holder's behalf without knowing the link.
 *
 * @example
 *   const signer = new RunLinkSigner(secret);
 *   const query = signer.query('ci', 'build-x7k2p', { expiresAt: Date.now() + 86_400_000 });
 *   signer.check('ci', 'build-x7k2p', new URLSearchParams(query), Date.now()); // { exp, sig, cap: 'read' }
 */
export class RunLinkSigner {
  constructor(private readonly secret: Buffer) {
    if (secret.length < 32) throw new Error('the run page secret must be at least 32 bytes');
  }

  /** The query string (without `?`) of a link to one run. */
  query(namespace: string, name: string, options: { expiresAt: number; capability?: LinkCapability }): string {
    const exp = Math.floor(options.expiresAt / 1000);
    const cap = options.capability ?? 'read';
    const params = new URLSearchParams({ exp: String(exp), sig: this.mac('link', namespace, name, String(exp), cap) });
    if (cap === 'write') params.set('cap', 'write');
    return params.toString();
  }

  /** The grant a link's query gives for this run at `now` (ms), or why it gives none. */
  check(namespace: string, name: string, query: URLSearchParams, now: number): LinkGrant | { refused: LinkRefusal } {
    const sig = query.get('sig');
    const expText = query.get('exp');
    if (!sig || !expText) return { refused: 'missing' };
    const cap: LinkCapability = query.get('cap') === 'write' ? 'write' : 'read';
    if (!/^\d{1,12}$/.test(expText) || !equalText(sig, this.mac('link', namespace, name, expText, cap))) return { refused: 'invalid' };
    const exp = Number(expText);
    if (exp * 1000 <= now) return { refused: 'expired' };
    return { exp, sig, cap };
  }

  /** The token a writer's forms post back, bound to the link (and so to the run and its expiry). */
  formToken(namespace: string, name: string, grant: LinkGrant): string {
    return this.mac('form', namespace, name, String(grant.exp), grant.sig);
  }

  /** Whether a posted token is the link's own. */
  checkFormToken(namespace: string, name: string, grant: LinkGrant, token: string | undefined | null): boolean {
    return typeof token === 'string' && equalText(token, this.formToken(namespace, name, grant));
  }

  private mac(...parts: string[]): string {
    // NUL cannot occur in names nor in numbers, so no two part lists give the same input.
    return createHmac('sha256', this.secret).update(parts.join('\0')).digest('base64url');
  }
}

/** Compares two strings in time that does not depend on where they differ. */
function equalText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const SECRET_FILE = 'ui-secret';

/**
 * The state directory's run page secret, created on first use (32 random bytes, owner-only,
 * written with O_EXCL so two processes starting at once end up with one secret).
 */
export async function loadRunPageSecret(stateDir: string): Promise<Buffer> {
  const path = join(stateDir, SECRET_FILE);
  const read = async (): Promise<Buffer | undefined> => {
    try {
      const text = (await readFile(path, 'utf8')).trim();
      return text.length >= 64 ? Buffer.from(text, 'hex') : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  const existing = await read();
  if (existing) return existing;
  await makePrivateDir(stateDir);
  try {
    await writePrivateFile(path, `${randomBytes(32).toString('hex')}\n`, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // Another process may have created the file a moment ago and not written it yet: look again for a while.
  let created = await read();
  for (let attempt = 0; !created && attempt < 50; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    created = await read();
  }
  if (!created) throw new Error(`${path}: the run page secret is unreadable; remove the file to make a new one (links given out stop working)`);
  return created;
}
