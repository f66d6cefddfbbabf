import type { RunKey } from '../../ports/run-key.js';
import type { RunPageSource } from '../../ports/run-page-source.js';
import type { PageAccess } from './page-access.js';
import type { RunActionPerformer } from './run-actions.js';
import { createRunPageHandler, type RunPageHandler } from './run-page-handler.js';
import { runPageLink } from './run-page-link.js';
import { loadRunPageSecret, RunLinkSigner } from './run-link-signer.js';

/** The run page as another server mounts it (`/runs/`, `/_skiff/`), and links to it signed for one run. */
export interface RunPageMount {
  handler: RunPageHandler;
  /** Signs links to the directory's runs (the run page's, and artifact downloads through it). */
  signer: RunLinkSigner;
  /** A reader's link to the run's page under `baseUrl`, valid for the default lifetime. */
  link(baseUrl: string, key: RunKey): Promise<string>;
}

/**
 * The run page of a source's runs for `skiff serve`, signed with the secret kept in `secretDir`
 * (the state directory), so a link printed by `skiff ui --link` and one on a check run are alike.
 * With `actions`, people `access` lets act (given the same secret, for its form tokens) may retry,
 * stop and terminate runs; a link alone never does here.
 */
export async function runPageMount(
  source: RunPageSource,
  secretDir: string,
  actions?: { act: RunActionPerformer; access: (secret: Buffer) => PageAccess },
): Promise<RunPageMount> {
  const secret = await loadRunPageSecret(secretDir);
  const signer = new RunLinkSigner(secret);
  return {
    signer,
    handler: createRunPageHandler({ source, signer, ...(actions ? { act: actions.act, access: actions.access(secret) } : {}) }),
    link: (baseUrl, key) => runPageLink(secretDir, baseUrl, key),
  };
}
