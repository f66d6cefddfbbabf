import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StoredRun } from '../../ports/run-store.js';

/** Who is looking at a run's page, as far as the page shows it. */
export interface PageViewer {
  /** The person signed in, shown with a way to sign out. */
  login?: string;
  /** Set only for someone who may act on the run: the token the action forms post back. */
  formToken?: string;
  /** Why a signed-in person sees no actions (a reader, a run of no repository). */
  note?: string;
  /** Where to sign in, for someone who is not. */
  signInUrl?: string;
  /** Where to sign out, for someone who is. */
  signOutUrl?: string;
}

/**
 * Who may act on runs beyond what a link grants: sign-in with an identity provider and a check of
 * the person's permission, on every page and again on every action (never trusted from the page).
 * The page's server mounts its paths (sign-in, its callback, sign-out).
 */
export interface PageAccess {
  /** Answers the paths it owns (under /_skiff/auth/); resolves false for any other. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** Who asks for `run`'s page; `returnTo` is the page's own path and query, for after signing in. */
  viewer(req: IncomingMessage, run: StoredRun, returnTo: string): Promise<PageViewer>;
  /** Whether the person asking may open `run` without a link (read access to its repository). */
  mayRead(req: IncomingMessage, run: StoredRun): Promise<boolean>;
  /** Where to sign in, coming back to `returnTo` (a run page's path and query). */
  signInUrl(returnTo: string): string;
  /** Why the request may not act on `run` with `formToken`, or undefined when it may. */
  refuseAction(req: IncomingMessage, run: StoredRun, formToken: string | null): Promise<string | undefined>;
}
