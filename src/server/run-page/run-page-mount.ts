import type { LocalTarget } from '../../cli/local-target.js';
import type { RunKey } from '../../ports/run-key.js';
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
 * The run page of a state directory's runs for `skiff serve`, signed with the directory's own
 * secret, so a link printed by `skiff ui --link` and one on a check run are alike.
 */
export async function runPageMount(target: LocalTarget, env: NodeJS.ProcessEnv): Promise<RunPageMount> {
  const signer = new RunLinkSigner(await loadRunPageSecret(target.layout.root));
  return {
    signer,
    handler: createRunPageHandler({ target, signer, env: { ...process.env, ...env } }),
    link: (baseUrl, key) => runPageLink(target.layout.root, baseUrl, key),
  };
}
