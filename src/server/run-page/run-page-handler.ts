import type { IncomingMessage, ServerResponse } from 'node:http';
import { isFulfilled } from '../../engine/workflow-status.js';
import { runKey, splitRunKey } from '../../ports/run-key.js';
import type { LogRef, RunPageSource } from '../../ports/run-page-source.js';
import type { StoredRun } from '../../ports/run-store.js';
import { isPathSegment } from '../../state/state-layout.js';
import { serveArtifact } from './artifact-download.js';
import { readSmallBody, refuse, SECURITY_HEADERS, send, writeAll } from './http-answers.js';
import { nodeLogs } from './node-containers.js';
import { LOG_PAGE_BYTES, LogFollower, logPage, redactedLines } from './node-log.js';
import type { PageAccess } from './page-access.js';
import { isRunAction, type RunActionPerformer } from './run-actions.js';
import { streamLogLines, streamRunChanges } from './run-events.js';
import type { LinkGrant, LinkRefusal, RunLinkSigner } from './run-link-signer.js';
import { type PageContext, renderForbidden, renderGraph, renderLoopView, renderMessagePage, renderNodeView, renderRunPage } from './run-page-html.js';
import { type ReadRun, RunReader } from './run-reader.js';
import { runSecretRedactor } from './secret-redactor.js';
import { webAsset } from './web-assets.js';

export interface RunPageOptions {
  /** Where the runs, their logs and their artifacts are read. */
  source: RunPageSource;
  signer: RunLinkSigner;
  /** Carries out a writer's actions; without it, no page offers any and every action is refused. */
  act?: RunActionPerformer;
  /**
   * Who may act, when not the holder of a writer's link: with it, a link only opens the page and
   * actions go to those `access` lets act (sign-in with GitHub, in `skiff serve`).
   */
  access?: PageAccess;
  now?: () => number;
}

/** A request handler for `/runs/...` and the page's own assets; resolves false for any other path. */
export type RunPageHandler = ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>) & { close(): void };

/** The notices a page shows after an action (the `notice` query names one; any other text is ignored). */
const NOTICES: Record<string, string> = { retried: 'Retried: the run goes on.', stopped: 'Stop asked.', terminated: 'Terminate asked.' };

/**
 * The run page of a source's runs (a state directory's, a cluster's): `GET
 * /runs/<namespace>/<name>?exp=…&sig=…` and the parts its script fetches under that path (graph,
 * node, loop, log, log-events, events, artifact, artifact-info), each checked against the link's
 * signature (or, with `access`, the signed-in person's read access); `POST …/action` for those
 * who may act. Mounted by `skiff ui` and `skiff serve`: it answers only the paths it owns.
 */
export function createRunPageHandler(options: RunPageOptions): RunPageHandler {
  const now = options.now ?? Date.now;
  const streams = new Set<() => void>();
  const { source, signer } = options;
  const reader = new RunReader(source);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://run-page.invalid');
    if (options.access && url.pathname.startsWith('/_skiff/auth/') && (await options.access.handle(req, res, url))) return true;
    if (url.pathname.startsWith('/_skiff/')) {
      const asset = await webAsset(url.pathname.slice('/_skiff/'.length));
      if (!asset) return false;
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': asset.type, 'cache-control': 'public, max-age=300' });
      res.end(asset.body);
      return true;
    }
    const match = /^\/runs\/([^/]+)\/([^/]+)(?:\/([a-z-]+))?\/?$/.exec(url.pathname);
    if (!match) return false;
    const [namespace, name] = [decodeSegment(match[1]!), decodeSegment(match[2]!)];
    const part = match[3] ?? '';
    const valid = namespace !== undefined && name !== undefined && isPathSegment(namespace) && isPathSegment(name);
    let grant: LinkGrant | { refused: LinkRefusal } = valid ? signer.check(namespace, name, url.searchParams, now()) : { refused: 'invalid' };
    let known: ReadRun | undefined;
    if ('refused' in grant && valid && options.access) {
      // Someone signed in with read access to the run's repository needs no link; anyone else gets
      // the same 403, whether or not the run exists.
      known = await reader.read(runKey(namespace, name));
      if (known && (await options.access.mayRead(req, known.run))) grant = SIGNED_IN;
    }
    if ('refused' in grant) {
      const why = { missing: 'The link has no signature.', expired: 'The link has expired.', invalid: 'The link is not valid for this run.' }[grant.refused];
      const signIn = options.access && valid && part === '' ? options.access.signInUrl(url.pathname) : undefined;
      send(res, 403, 'text/html; charset=utf-8', renderForbidden(why, signIn));
      return true;
    }
    const key = runKey(namespace!, name!);
    const read = known ?? (await reader.read(key));
    const run = read?.run;
    if (!read || !run) {
      send(res, 404, 'text/html; charset=utf-8', renderForbidden('No such run here (it may have been deleted).'));
      return true;
    }
    const redactor = await runSecretRedactor(run, source, namespace!);
    const query = linkQuery(grant);
    const base = `/runs/${encodeURIComponent(namespace!)}/${encodeURIComponent(name!)}`;
    const viewer = options.access && part === '' ? await options.access.viewer(req, run, `${base}?${query}`) : undefined;
    const formToken = !options.act
      ? undefined
      : options.access
        ? viewer?.formToken
        : grant.cap === 'write'
          ? signer.formToken(namespace!, name!, grant)
          : undefined;
    const context: PageContext = {
      base,
      query,
      redactor,
      now: now(),
      ...(formToken !== undefined ? { formToken } : {}),
      ...(viewer ? { viewer } : {}),
    };
    if (req.method === 'POST') {
      if (part !== 'action') return refuse(res, 405, 'only the action path takes a POST');
      await postAction(req, res, run, grant, context);
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'GET only');
    const nodeId = url.searchParams.get('id') ?? '';
    // A node id is text from the URL: only the run's own nodes, never a property of every object (`__proto__`).
    const node = Object.hasOwn(run.status.nodes, nodeId) ? run.status.nodes[nodeId] : undefined;
    const logs = node && nodeLogs(run, node);
    switch (part) {
      case '': {
        const asked = url.searchParams.get('notice') ?? '';
        const notice = Object.hasOwn(NOTICES, asked) ? NOTICES[asked] : undefined;
        send(res, 200, 'text/html; charset=utf-8', renderRunPage(run, read.graph(), notice === undefined ? context : { ...context, notice }));
        return true;
      }
      case 'graph':
        send(res, 200, 'text/html; charset=utf-8', renderGraph(read.graph()).text);
        return true;
      case 'loop': {
        const item = read.graph().items.find((i) => i.id === nodeId && i.kind === 'loop');
        if (!item) return refuse(res, 404, 'no such loop');
        send(res, 200, 'text/html; charset=utf-8', renderLoopView(run, item).text);
        return true;
      }
      case 'node':
        if (!node) return refuse(res, 404, 'no such step');
        send(res, 200, 'text/html; charset=utf-8', renderNodeView(node, logs, context).text);
        return true;
      case 'events': {
        const shownShape = url.searchParams.get('shape') ?? undefined;
        const stop = streamRunChanges(
          res,
          (onChange) => source.watchRun(key, onChange),
          () => reader.read(key),
          redactor,
          shownShape ? { shownShape } : {},
        );
        streams.add(stop);
        res.on('close', () => streams.delete(stop));
        return true;
      }
      case 'log':
      case 'log-events': {
        if (!node || logs === undefined) return refuse(res, 404, 'no such step, or it has no log');
        const container = url.searchParams.get('container') ?? logs.containers[0]!;
        if (!logs.containers.includes(container)) return refuse(res, 404, 'no such container in this step');
        const { pod } = logs;
        const ref: LogRef = { key, nodeId: node.id, pod, container };
        if (part === 'log-events') {
          const from = Math.max(0, Number(url.searchParams.get('from') ?? 0) || 0);
          const abort = new AbortController();
          const finished = async () => {
            const now = (await reader.read(key))?.run.status.nodes[node.id];
            return now === undefined || isFulfilled(now.phase);
          };
          const chunks = source.streamLog(ref, { from, follow: true, signal: abort.signal, finished });
          const stop = streamLogLines(res, new LogFollower(redactor, from), chunks, abort);
          streams.add(stop);
          res.on('close', () => streams.delete(stop));
          return true;
        }
        if (url.searchParams.get('download') === '1') {
          const abort = new AbortController();
          res.on('close', () => abort.abort());
          const whole = source.streamLog(ref, { from: 0, follow: false, signal: abort.signal, finished: async () => true });
          res.writeHead(200, {
            ...SECURITY_HEADERS,
            'content-type': 'text/plain; charset=utf-8',
            'content-disposition': `attachment; filename="${fileNameOf(`${pod}-${container}.log`)}"`,
          });
          await writeAll(
            res,
            (async function* () {
              for await (const text of redactedLines(whole, redactor)) yield Buffer.from(text);
            })(),
          ).catch(() => res.destroy());
          return true;
        }
        const beforeText = url.searchParams.get('before');
        const before = beforeText === null ? undefined : Math.max(0, Number(beforeText) || 0);
        const read = await source.readLog(ref, LOG_PAGE_BYTES, before).catch((error: Error) => error);
        if (read instanceof Error) return refuse(res, 502, `cannot read the log: ${read.message}`);
        send(res, 200, 'application/json', JSON.stringify(logPage(read, redactor, before)));
        return true;
      }
      case 'artifact':
      case 'artifact-info':
        await serveArtifact(res, source, run, node, {
          name: url.searchParams.get('name') ?? '',
          info: part === 'artifact-info',
          file: url.searchParams.get('file'),
          redactor,
        });
        return true;
      default:
        return refuse(res, 404, 'no such page');
    }
  };

  const postAction = async (req: IncomingMessage, res: ServerResponse, run: StoredRun, grant: LinkGrant, context: PageContext): Promise<void> => {
    const { namespace, name } = splitRunKey(run.key);
    if (!options.act || (!options.access && grant.cap !== 'write')) return void refuse(res, 403, 'this link may look at the run, not act on it');
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== 'null' && origin !== `http://${req.headers.host}` && origin !== `https://${req.headers.host}`)
      return void refuse(res, 403, 'a request from another site');
    const body = await readSmallBody(req, 4096).catch(() => undefined);
    const form = new URLSearchParams(body ?? '');
    if (options.access) {
      const refusal = await options.access.refuseAction(req, run, form.get('token'));
      if (refusal !== undefined) return void refuse(res, 403, refusal);
    } else if (!signer.checkFormToken(namespace, name, grant, form.get('token'))) return void refuse(res, 403, 'the form token does not match the link');
    const op = form.get('op');
    if (!isRunAction(op)) return void refuse(res, 400, 'unknown action');
    try {
      const done = await options.act(run.key, op);
      res.writeHead(303, { ...SECURITY_HEADERS, location: `${context.base}?${context.query}&notice=${done}` });
      res.end();
    } catch (error) {
      send(res, 409, 'text/html; charset=utf-8', renderMessagePage(`${op}: refused`, (error as Error).message, false, `${context.base}?${context.query}`));
    }
  };

  return Object.assign(handle, {
    close(): void {
      for (const stop of [...streams]) stop();
      streams.clear();
    },
  });
}

/** A name safe in a content-disposition header. */
function fileNameOf(name: string): string {
  return name.replace(/[^\w.-]/g, '_');
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The grant of someone signed in who may read the run: no link, so nothing to add to the page's requests. */
const SIGNED_IN: LinkGrant = { exp: 0, sig: '', cap: 'read' };

function linkQuery(grant: LinkGrant): string {
  if (grant === SIGNED_IN) return '';
  const params = new URLSearchParams({ exp: String(grant.exp), sig: grant.sig });
  if (grant.cap === 'write') params.set('cap', 'write');
  return params.toString();
}
