import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import type { ArtifactLocation } from '../../spec/model/workflow.js';
import { ArtifactError, errorMessage } from '../artifact-error.js';
import type { SecretSource } from '../../ports/secret-source.js';

export type GitLocation = NonNullable<ArtifactLocation['git']>;

export interface GitLoadOptions {
  secrets: SecretSource;
  namespace: string;
}

/**
 * Clones a git input artifact into `destPath` with isomorphic-git (no git binary needed), keeping
 * `.git` as Argo does: the default branch, or `branch` with `singleBranch`, limited to `depth`
 * commits when given, then `revision` (a branch, tag or commit) checked out. HTTP(S) only; basic
 * auth from `usernameSecret`/`passwordSecret`. Submodules are not fetched.
 *
 * @example
 *   await loadGitArtifact({ repo: 'https://github.com/argoproj/argo-workflows.git', revision: 'v2.1.1', depth: 1 }, '/tmp/src', { secrets, namespace: 'argo' });
 */
export async function loadGitArtifact(location: GitLocation, destPath: string, options: GitLoadOptions): Promise<void> {
  const url = location.repo;
  if (!/^https?:\/\//i.test(url)) {
    throw new ArtifactError('unsupported', `git artifact ${url}: only http:// and https:// repositories are supported (ssh is not)`);
  }
  if (location.singleBranch && !location.branch) throw new ArtifactError('config', `git artifact ${url}: singleBranch needs a branch`);
  const auth = await credentials(location, options);
  const depth = typeof location.depth === 'number' && location.depth > 0 ? location.depth : undefined;
  const temp = `${destPath}.skiff-${randomBytes(4).toString('hex')}`;
  try {
    await git.clone({
      fs,
      http,
      dir: temp,
      url,
      ...(location.branch ? { ref: location.branch } : {}),
      singleBranch: Boolean(location.singleBranch),
      ...(depth ? { depth } : {}),
      noCheckout: Boolean(location.revision),
      ...(auth ? { onAuth: () => auth } : {}),
    });
    if (location.revision) {
      const oid = await resolveRevision(temp, location.revision, url, depth);
      await git.checkout({ fs, dir: temp, ref: oid, force: true });
    }
    await rename(temp, destPath);
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw gitError(err, url);
  }
}

async function resolveRevision(dir: string, revision: string, url: string, depth: number | undefined): Promise<string> {
  for (const ref of [`refs/remotes/origin/${revision}`, `refs/tags/${revision}`, revision]) {
    try {
      return await git.resolveRef({ fs, dir, ref });
    } catch {
      // try the next form
    }
  }
  if (/^[0-9a-f]{4,40}$/i.test(revision)) {
    try {
      return await git.expandOid({ fs, dir, oid: revision.toLowerCase() });
    } catch {
      // fall through to the error below
    }
  }
  const hint = depth ? ` (with depth ${depth}, an older commit is not fetched)` : '';
  throw new ArtifactError('not-found', `git artifact ${url}: revision ${JSON.stringify(revision)} not found${hint}`);
}

async function credentials(location: GitLocation, options: GitLoadOptions): Promise<{ username: string; password: string } | undefined> {
  if (!location.usernameSecret && !location.passwordSecret) return undefined;
  const read = async (selector: GitLocation['usernameSecret'], field: string): Promise<string> => {
    if (!selector?.name || !selector.key) throw new ArtifactError('config', `git artifact ${location.repo}: ${field} must give name and key`);
    const value = await options.secrets.get(options.namespace, selector.name, selector.key);
    if (value === undefined)
      throw new ArtifactError(
        'config',
        `git artifact ${location.repo}: ${field}: key ${JSON.stringify(selector.key)} of secret ${JSON.stringify(selector.name)} not found in namespace ${JSON.stringify(options.namespace)}`,
      );
    return value.trim();
  };
  return { username: await read(location.usernameSecret, 'usernameSecret'), password: await read(location.passwordSecret, 'passwordSecret') };
}

function gitError(err: unknown, url: string): unknown {
  if (err instanceof ArtifactError) return err;
  const e = err as { code?: string; data?: { statusCode?: number } };
  const message = errorMessage(err);
  if (e.code === 'HttpError' && (e.data?.statusCode === 401 || e.data?.statusCode === 403)) {
    return new ArtifactError(
      'access-denied',
      `git artifact ${url}: the server refused the credentials (HTTP ${e.data.statusCode}); check usernameSecret/passwordSecret`,
      { cause: err },
    );
  }
  if (e.code === 'HttpError' && e.data?.statusCode === 404)
    return new ArtifactError('not-found', `git artifact ${url}: repository not found (HTTP 404)`, { cause: err });
  if (e.code === 'NotFoundError') return new ArtifactError('not-found', `git artifact ${url}: ${message}`, { cause: err });
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH/.test(message)) {
    return new ArtifactError('unreachable', `git artifact ${url}: the server is unreachable (${message})`, { cause: err });
  }
  return new ArtifactError('io', `git artifact ${url}: ${message}`, { cause: err });
}
