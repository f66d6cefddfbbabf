import { splitRunKey, type RunKey } from '../../ports/run-key.js';
import { type LinkCapability, loadRunPageSecret, RunLinkSigner } from './run-link-signer.js';

/** How long a printed link opens its run, unless told otherwise. */
export const DEFAULT_LINK_LIFETIME_MS = 7 * 86_400_000;

/** The environment variable that names where the run page is served, for `skiff get`. */
export const UI_URL_ENV = 'SKIFF_UI_URL';

/**
 * A signed link to a run's page under `baseUrl` (`http://127.0.0.1:8090`), signed with the state
 * directory's secret, so a `skiff ui` serving that directory opens it.
 *
 * @example await runPageLink('/var/skiff', 'http://127.0.0.1:8090', 'ci/build-x7k2p') // 'http://127.0.0.1:8090/runs/ci/build-x7k2p?exp=…&sig=…'
 */
export async function runPageLink(
  stateDir: string,
  baseUrl: string,
  key: RunKey,
  options: { capability?: LinkCapability; expiresAt?: number } = {},
): Promise<string> {
  const signer = new RunLinkSigner(await loadRunPageSecret(stateDir));
  const { namespace, name } = splitRunKey(key);
  const query = signer.query(namespace, name, {
    expiresAt: options.expiresAt ?? Date.now() + DEFAULT_LINK_LIFETIME_MS,
    capability: options.capability ?? 'read',
  });
  return `${baseUrl.replace(/\/+$/, '')}/runs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}?${query}`;
}
