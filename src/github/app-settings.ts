import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/** What the GitHub App needs to talk to GitHub and to trust its webhooks. */
export interface AppCredentials {
  appId: number;
  privateKey: string;
  webhookSecret: string;
  /** GitHub's API, `https://api.github.com` unless GitHub Enterprise (GHE_HOST) or GITHUB_API_URL says otherwise. */
  baseUrl: string | undefined;
}

export type CredentialsResult = { ok: true; credentials: AppCredentials } | { ok: false; problems: string[] };

/**
 * Reads the App's credentials from the environment, every problem at once: APP_ID (a number),
 * PRIVATE_KEY (PEM text) or PRIVATE_KEY_PATH (a file holding it), WEBHOOK_SECRET. Probot's own
 * answer to missing credentials is a setup wizard on a public port; a server refuses instead.
 *
 * @example const result = await readAppCredentials(process.env, process.cwd()); if (!result.ok) print(result.problems)
 */
export async function readAppCredentials(env: NodeJS.ProcessEnv, cwd: string): Promise<CredentialsResult> {
  const problems: string[] = [];
  const appIdText = env.APP_ID?.trim();
  const appId = Number(appIdText);
  if (!appIdText) problems.push('APP_ID is not set: the GitHub App\'s id, from its settings page ("App ID")');
  else if (!Number.isSafeInteger(appId) || appId <= 0) problems.push(`APP_ID="${appIdText}" is not an app id (a positive number)`);

  let privateKey: string | undefined;
  if (env.PRIVATE_KEY?.trim()) {
    // Environments that cannot hold newlines carry them as "\n".
    privateKey = env.PRIVATE_KEY.includes('\\n') ? env.PRIVATE_KEY.replace(/\\n/g, '\n') : env.PRIVATE_KEY;
  } else if (env.PRIVATE_KEY_PATH?.trim()) {
    const path = resolve(cwd, env.PRIVATE_KEY_PATH.trim());
    try {
      privateKey = await readFile(path, 'utf8');
    } catch (error) {
      problems.push(`PRIVATE_KEY_PATH=${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  } else {
    problems.push("PRIVATE_KEY or PRIVATE_KEY_PATH is not set: the App's private key (PEM), or the file holding it");
  }
  if (privateKey !== undefined && !/-----BEGIN (RSA )?PRIVATE KEY-----/.test(privateKey)) {
    problems.push('the private key is not PEM text (-----BEGIN RSA PRIVATE KEY-----)');
  }

  const webhookSecret = env.WEBHOOK_SECRET;
  if (!webhookSecret) problems.push("WEBHOOK_SECRET is not set: the secret GitHub signs webhooks with (set on the App's settings page)");
  else if (webhookSecret === 'development') problems.push('WEBHOOK_SECRET="development" is a well-known default: choose a secret of your own');

  const baseUrl = baseUrlOf(env, problems);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, credentials: { appId, privateKey: privateKey!, webhookSecret: webhookSecret!, baseUrl } };
}

function baseUrlOf(env: NodeJS.ProcessEnv, problems: string[]): string | undefined {
  const explicit = env.GITHUB_API_URL?.trim();
  if (explicit) {
    try {
      const url = new URL(explicit);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http(s)');
      return explicit.replace(/\/+$/, '');
    } catch {
      problems.push(`GITHUB_API_URL="${explicit}" is not an http(s) URL`);
      return undefined;
    }
  }
  const host = env.GHE_HOST?.trim();
  if (host) return `${env.GHE_PROTOCOL === 'http' ? 'http' : 'https'}://${host}/api/v3`;
  return undefined;
}
