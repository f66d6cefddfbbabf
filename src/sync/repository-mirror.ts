import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import git, { type GitAuth, type HttpClient } from 'isomorphic-git';
import nodeHttp from 'isomorphic-git/http/node';
import { boundedHttp } from './bounded-http.js';
import { gitCommitTree } from './git-commit-tree.js';
import { indexPack } from './git-pack-index.js';
import { downloadShallowPack, GitAuthenticationError } from './shallow-pack-download.js';
import { KeyedSerializer } from '../shared/keyed-serializer.js';
import { inspectMirror, MIRROR_MARKER } from './mirror-health.js';
import type { RepositoryTree } from './repository-tree.js';

/**
 * Gives the token to fetch a repository with (a GitHub App installation token), asked for on
 * every fetch so an expired one is never reused; undefined fetches anonymously. The token is
 * sent as HTTP Basic auth and never written to the mirror.
 */
export type TokenProvider = (url: string) => Promise<string | undefined> | string | undefined;

export type MirrorEvent =
  | { type: 'clone'; url: string; gitdir: string }
  | { type: 'fetch'; url: string; ref: string }
  | { type: 'reuse'; url: string; commit: string }
  | { type: 'reclone'; url: string; gitdir: string; reason: string };

export interface RepositoryMirrorOptions {
  /** Directory holding one bare mirror per repository. */
  root: string;
  token?: TokenProvider;
  /** The git HTTP client (isomorphic-git's); tests pass an instrumented one. */
  http?: HttpClient;
  /** Bytes one fetch may receive; default 512 MiB. */
  maxFetchBytes?: number;
  /**
   * Packs a mirror may gather (one per fetch) before it is cloned afresh, default 64: every
   * object lookup searches every pack's index, and a fresh shallow clone is the cheapest repack
   * isomorphic-git offers.
   */
  maxPacks?: number;
  onEvent?: (event: MirrorEvent) => void;
}

export interface FetchRequest {
  /** Clone URL, `https://host/owner/name.git`; credentials come from the token provider, never the URL. */
  url: string;
  /** The ref to fetch: `refs/heads/main`, `refs/pull/12/head` (a fork's PR head), or a branch name. */
  ref: string;
  /** The commit wanted (a push's `after`, a PR's head SHA); by default whatever `ref` points at. */
  commit?: string;
}

export interface FetchedCommit {
  url: string;
  gitdir: string;
  ref: string;
  commit: string;
  /** False when the commit was already in the mirror and nothing went over the network. */
  fetched: boolean;
  /** Why the mirror was thrown away and cloned again, when it was. */
  recloned?: string;
}

const SHA = /^[0-9a-f]{40}$/;
/**
 * Errors that mean the mirror's own bytes are bad. Deliberately narrow: a ref missing on the
 * server or a refused token must fail the fetch, not throw away a good mirror.
 */
const GIT_DAMAGE = /Unexpected end|does not match|Invalid checksum|corrupt|inflat|incorrect header/i;
/** The refs a webhook can name; no `..`, no characters git forbids in ref names. */
const FETCHABLE_REF = /^refs\/(heads|tags|pull)\/(?!.*\.\.)(?!.*\/\.)[^\s~^:?*[\\]+$/;

/**
 * One persistent bare mirror per repository under `root`, fetched incrementally: only the
 * objects a new commit adds cross the network. Fetches of one repository run one at a time, of
 * different ones in parallel. A mirror damaged by a crash or a bad disk is detected before use and
 * cloned again, never read.
 *
 * @example
 *   const mirror = new RepositoryMirror({ root: '/var/lib/skiff/mirrors', token: () => installationToken() });
 *   const { commit } = await mirror.fetchCommit({ url, ref: 'refs/pull/7/head', commit: headSha });
 *   const tree = mirror.treeAt(url, commit);
 */
export class RepositoryMirror {
  private readonly serializer = new KeyedSerializer();
  private readonly verifiedPacks = new Map<string, number>();
  private readonly http: HttpClient;

  constructor(private readonly options: RepositoryMirrorOptions) {
    this.http = boundedHttp(options.http ?? nodeHttp, options.maxFetchBytes ?? 512 * 1024 * 1024);
  }

  /** Where the mirror of `url` lives: readable, and unique per URL through a hash. */
  gitdirFor(url: string): string {
    const parsed = parseRepositoryUrl(url);
    const slug = `${parsed.host}-${parsed.pathname}`
      .replace(/\.git$/, '')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[-.]+/, '')
      .slice(0, 80);
    const hash = createHash('sha256').update(parsed.href).digest('hex').slice(0, 12);
    return join(this.options.root, `${slug}-${hash}.git`);
  }

  /**
   * Makes `request.commit` (or the tip of `request.ref`) present in the mirror, fetching only
   * when it is not there yet, and returns it. Fails when the ref does not reach the commit (a
   * force-pushed PR whose old head is gone) or the server refuses.
   */
  async fetchCommit(request: FetchRequest): Promise<FetchedCommit> {
    const url = parseRepositoryUrl(request.url).href;
    const ref = request.ref.startsWith('refs/') ? request.ref : `refs/heads/${request.ref}`;
    if (!FETCHABLE_REF.test(ref)) throw new Error(`cannot fetch "${request.ref}": name a branch, a tag or refs/pull/N/head`);
    if (request.commit !== undefined && !SHA.test(request.commit)) throw new Error(`commit must be a full 40-character SHA, not "${request.commit}"`);
    const gitdir = this.gitdirFor(url);
    return this.serializer.run(gitdir, async () => {
      let recloned: string | undefined;
      const health = await inspectMirror(gitdir, this.verifiedPacks);
      const maxPacks = this.options.maxPacks ?? 64;
      if (health.state === 'broken') recloned = health.reason;
      else if (health.state === 'ok' && health.packs > maxPacks) recloned = `${health.packs} packs, over ${maxPacks}: cloned afresh to compact it`;
      if (recloned) {
        this.options.onEvent?.({ type: 'reclone', url, gitdir, reason: recloned });
        await this.remove(gitdir);
      }
      if (health.state !== 'ok' || recloned) {
        const commit = await this.clone(url, ref, gitdir);
        return this.confirm({ url, gitdir, ref, commit, fetched: true, recloned }, request.commit);
      }
      if (request.commit && (await hasCommit(gitdir, request.commit))) {
        this.options.onEvent?.({ type: 'reuse', url, commit: request.commit });
        return { url, gitdir, ref, commit: request.commit, fetched: false };
      }
      try {
        const commit = await this.fetchInto(gitdir, url, ref);
        return await this.confirm({ url, gitdir, ref, commit, fetched: true }, request.commit);
      } catch (error) {
        // Damage the health check cannot see (a bad object inside a valid pack) shows up as a
        // read failure during negotiation or afterwards: start over once rather than keep failing.
        if (!GIT_DAMAGE.test(String((error as Error).message))) throw error;
        const reason = `reading the mirror failed: ${(error as Error).message}`;
        this.options.onEvent?.({ type: 'reclone', url, gitdir, reason });
        await this.remove(gitdir);
        const commit = await this.clone(url, ref, gitdir);
        return this.confirm({ url, gitdir, ref, commit, fetched: true, recloned: reason }, request.commit);
      }
    });
  }

  /** The files of a fetched commit, read from the mirror without a checkout. */
  treeAt(url: string, commit: string): RepositoryTree {
    return gitCommitTree(this.gitdirFor(url), commit);
  }

  private async confirm(result: FetchedCommit, wanted: string | undefined): Promise<FetchedCommit> {
    if (wanted === undefined || wanted === result.commit) return result;
    if (await hasCommit(result.gitdir, wanted)) return { ...result, commit: wanted };
    if (await isShallow(result.gitdir)) {
      // An older commit than the shallow clone reached (a pull request based on old history):
      // deepen once to the whole history, then look again.
      await this.fetchInto(result.gitdir, result.url, result.ref, UNSHALLOW);
      if (await hasCommit(result.gitdir, wanted)) return { ...result, commit: wanted };
    }
    throw new Error(`commit ${wanted} is not reachable from ${result.ref} of ${result.url} (now at ${result.commit}); was it force-pushed away?`);
  }

  /** Clones into a sibling directory and renames it into place, so a killed clone is never mistaken for a mirror. */
  private async clone(url: string, ref: string, gitdir: string): Promise<string> {
    this.options.onEvent?.({ type: 'clone', url, gitdir });
    await mkdir(dirname(gitdir), { recursive: true });
    await this.removePartials(gitdir);
    const partial = `${gitdir}.partial-${randomBytes(4).toString('hex')}`;
    try {
      await git.init({ fs, gitdir: partial, bare: true });
      await git.setConfig({ fs, gitdir: partial, path: 'remote.origin.url', value: url });
      // Remote refs keep their own names (as `git clone --mirror` does), pull-request heads included.
      await git.setConfig({ fs, gitdir: partial, path: 'remote.origin.fetch', value: '+refs/*:refs/*' });
      // The first fetch is shallow: a mirror reads commits from now on, so old history is time
      // spent for nothing. Later fetches are never shallow: with a depth the server re-sends the
      // whole tree every time.
      const first = await this.downloadFirstPack(partial, url, ref).catch((error: Error) => {
        throw new Error(`fetching ${ref} of ${url} failed: ${error.message}`, { cause: error });
      });
      await writeFile(join(partial, MIRROR_MARKER), `${JSON.stringify({ url, created: new Date().toISOString() })}\n`);
      await rename(partial, gitdir);
      // Indexing checked the pack against its checksum: the next health check need not hash it again.
      this.verifiedPacks.set(join(gitdir, 'objects', 'pack', first.pack), first.bytes);
      return first.commit;
    } catch (error) {
      await rm(partial, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * A first clone's pack, downloaded and indexed by Skiff rather than by isomorphic-git, whose
   * indexer takes most of a clone's time (see git-pack-index.ts); later fetches are isomorphic-git's.
   */
  private async downloadFirstPack(gitdir: string, url: string, ref: string): Promise<{ commit: string; pack: string; bytes: number }> {
    this.options.onEvent?.({ type: 'fetch', url, ref });
    // Anonymous first, as git and isomorphic-git do: the token is asked for only when the server
    // wants one, so a public repository never costs an installation token.
    const download = await downloadShallowPack({ http: this.http, url, ref }).catch(async (error: Error) => {
      const token = error instanceof GitAuthenticationError && !error.tokenSent ? await this.options.token?.(url) : undefined;
      if (!token) throw error;
      return downloadShallowPack({ http: this.http, url, ref, token });
    });
    const { idx, checksum } = indexPack(download.pack);
    const packDir = join(gitdir, 'objects', 'pack');
    await mkdir(packDir, { recursive: true });
    // The index last: a pack without its index is what a killed clone leaves, and is never read.
    await writeFile(join(packDir, `pack-${checksum}.pack`), download.pack);
    await writeFile(join(packDir, `pack-${checksum}.idx`), idx);
    if (download.shallow.length > 0) await writeFile(join(gitdir, 'shallow'), download.shallow.map((id) => `${id}\n`).join(''));
    await git.writeRef({ fs, gitdir, ref, value: download.tip, force: true });
    await git.writeRef({ fs, gitdir, ref: LAST_FETCHED, value: download.tip, force: true });
    return { commit: download.commit, pack: `pack-${checksum}`, bytes: download.pack.length };
  }

  private async fetchInto(gitdir: string, url: string, ref: string, depth?: number): Promise<string> {
    this.options.onEvent?.({ type: 'fetch', url, ref });
    // isomorphic-git tells the server only about the local ref it is given ("have"s): the same ref
    // when it was fetched before, else the last commit fetched for any ref, so a PR head fetch
    // after the base branch receives only the PR's own objects.
    const haveRef = (await refExists(gitdir, ref)) ? ref : (await refExists(gitdir, LAST_FETCHED)) ? LAST_FETCHED : ref;
    const result = await git
      .fetch({
        fs,
        http: this.http,
        gitdir,
        url,
        ref: haveRef,
        remoteRef: ref,
        singleBranch: true,
        tags: false,
        ...(depth === undefined ? {} : { depth }),
        onAuth: (authUrl) => this.auth(authUrl),
        // A refused token is not retried with the same token.
        onAuthFailure: () => ({ cancel: true }),
      })
      .catch((error: Error) => {
        throw new Error(`fetching ${ref} of ${url} failed: ${error.message}`, { cause: error });
      });
    if (!result.fetchHead) throw new Error(`${url} has no ref ${ref}`);
    await git.writeRef({ fs, gitdir, ref: LAST_FETCHED, value: result.fetchHead, force: true });
    return result.fetchHead;
  }

  private async auth(url: string): Promise<GitAuth> {
    const token = await this.options.token?.(url);
    // GitHub takes an installation token as the password of the user "x-access-token".
    return token ? { username: 'x-access-token', password: token } : {};
  }

  private async remove(gitdir: string): Promise<void> {
    // Renamed first so that nothing can open a half-deleted mirror.
    const doomed = `${gitdir}.partial-removed-${randomBytes(4).toString('hex')}`;
    await rename(gitdir, doomed);
    await rm(doomed, { recursive: true, force: true });
  }

  private async removePartials(gitdir: string): Promise<void> {
    const prefix = `${basename(gitdir)}.partial-`;
    const names = await readdir(dirname(gitdir)).catch(() => [] as string[]);
    await Promise.all(names.filter((name) => name.startsWith(prefix)).map((name) => rm(join(dirname(gitdir), name), { recursive: true, force: true })));
  }
}

/** What `git fetch --unshallow` asks for: a depth beyond any history. */
const UNSHALLOW = 2_147_483_647;

/** Not under refs/heads, so a server's branch can never overwrite it through the mirror refspec. */
const LAST_FETCHED = 'refs/skiff/last-fetched';

function parseRepositoryUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`not a repository URL: ${url}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`only http(s) repository URLs are fetched, not ${parsed.protocol}`);
  if (parsed.username || parsed.password) throw new Error('a repository URL must not carry credentials; pass a token provider');
  parsed.hash = '';
  parsed.search = '';
  return parsed;
}

function hasCommit(gitdir: string, oid: string): Promise<boolean> {
  return succeeds(git.readCommit({ fs, gitdir, oid }));
}

function isShallow(gitdir: string): Promise<boolean> {
  return succeeds(stat(join(gitdir, 'shallow')));
}

function refExists(gitdir: string, ref: string): Promise<boolean> {
  return succeeds(git.resolveRef({ fs, gitdir, ref }));
}

async function succeeds(work: Promise<unknown>): Promise<boolean> {
  try {
    await work;
    return true;
  } catch {
    return false;
  }
}
