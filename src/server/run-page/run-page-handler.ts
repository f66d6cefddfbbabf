import { dirname } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createArtifactDriver, type Repository } from '../../artifacts/index.js';
import { isFulfilled } from '../../engine/workflow-status.js';
import type { LocalTarget } from '../../cli/local-target.js';
import { localRootConfinement } from '../../cli/local-root-confinement.js';
import { podNameOfNode } from '../../cli/node-tree.js';
import { runRepository } from '../../cli/run-repository.js';
import { runKey } from '../../ports/run-key.js';
import type { StoredRun } from '../../ports/run-store.js';
import { isPathSegment } from '../../state/state-layout.js';
import { describeLocation, inspectArtifact, openArtifact, tarballFile } from './artifact-access.js';
import { escapeHtml } from './html-escape.js';
import { LogFollower, readLogPage, streamWholeLog } from './node-log.js';
import { isRunAction, runLocalAction } from './run-actions.js';
import { openEventStream, streamRunChanges } from './run-events.js';
import { RunReader } from './run-reader.js';
import type { LinkGrant, RunLinkSigner } from './run-link-signer.js';
import { type PageContext, renderForbidden, renderGraph, renderLoopView, renderNodeView, renderRunPage } from './run-page-html.js';
import { runSecretRedactor, type SecretRedactor } from './secret-redactor.js';
import { watchChanges } from './watch-changes.js';
import { webAsset } from './web-assets.js';

export interface RunPageOptions {
  target: LocalTarget;
  signer: RunLinkSigner;
  /** The environment of processes an action starts (retry's background driver). */
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** The fallback poll of live views, for file systems where fs.watch misses changes (default 1 s). */
  pollMs?: number;
}

/** A request handler for `/runs/...` and the page's own assets; resolves false for any other path. */
export type RunPageHandler = ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>) & { close(): void };

/**
 * Security headers of every answer: nothing runs but the page's own script (so text that escaped
 * escaping would still be inert), no framing, and no Referer that would carry the signed link away.
 */
const HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const NOTICES: Record<string, string> = { retried: 'Retried: the run goes on.', stopped: 'Stop asked.', terminated: 'Terminate asked.' };

/**
 * The run page of local runs: `GET /runs/<namespace>/<name>?exp=…&sig=…` and the parts its script
 * fetches under that path (graph, node, loop, log, log-events, events, artifact, artifact-info),
 * each checked against the link's signature; `POST …/action` for a writer's link. Mounted by
 * `skiff ui`, and meant to be mounted by any server: it answers only the paths it owns.
 */
export function createRunPageHandler(options: RunPageOptions): RunPageHandler {
  const now = options.now ?? Date.now;
  const pollMs = options.pollMs ?? 1000;
  const streams = new Set<() => void>();
  const { target, signer } = options;
  const env = options.env ?? process.env;
  const reader = new RunReader(target.layout);
  const load = async (key: string) => (await reader.read(key))?.run;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://run-page.invalid');
    if (url.pathname.startsWith('/_skiff/')) {
      const asset = await webAsset(url.pathname.slice('/_skiff/'.length));
      if (!asset) return false;
      res.writeHead(200, { ...HEADERS, 'content-type': asset.type, 'cache-control': 'public, max-age=300' });
      res.end(asset.body);
      return true;
    }
    const match = /^\/runs\/([^/]+)\/([^/]+)(?:\/([a-z-]+))?\/?$/.exec(url.pathname);
    if (!match) return false;
    const [namespace, name] = [decodeSegment(match[1]!), decodeSegment(match[2]!)];
    const part = match[3] ?? '';
    const grant =
      namespace && name && isPathSegment(namespace) && isPathSegment(name)
        ? signer.check(namespace, name, url.searchParams, now())
        : { refused: 'invalid' as const };
    if ('refused' in grant) {
      const why = { missing: 'The link has no signature.', expired: 'The link has expired.', invalid: 'The link is not valid for this run.' }[grant.refused];
      send(res, 403, 'text/html; charset=utf-8', renderForbidden(why));
      return true;
    }
    const key = runKey(namespace!, name!);
    const read = await reader.read(key);
    const run = read?.run;
    if (!read || !run) {
      send(res, 404, 'text/html; charset=utf-8', renderForbidden('No such run here (it may have been deleted).'));
      return true;
    }
    const redactor = await runSecretRedactor(run, target.objects, namespace!);
    const query = linkQuery(grant);
    const context: PageContext = {
      base: `/runs/${encodeURIComponent(namespace!)}/${encodeURIComponent(name!)}`,
      query,
      redactor,
      now: now(),
      ...(grant.cap === 'write' ? { formToken: signer.formToken(namespace!, name!, grant) } : {}),
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
    const workflowName = run.workflow.metadata.name ?? name!;
    const pod = node && podNameOfNode(workflowName, node.type === 'HTTP' ? { ...node, type: 'Pod' } : node);
    switch (part) {
      case '': {
        const notice = NOTICES[url.searchParams.get('notice') ?? ''];
        let page = renderRunPage(run, read.graph(), context);
        if (notice) page = page.replace('<main class="layout">', `<p class="notice" role="status">${escapeHtml(notice)}</p><main class="layout">`);
        send(res, 200, 'text/html; charset=utf-8', page);
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
        send(res, 200, 'text/html; charset=utf-8', renderNodeView(node, pod, context).text);
        return true;
      case 'events': {
        const stop = streamRunChanges(res, target.layout.runDir(key), () => reader.read(key), redactor, { pollMs });
        streams.add(stop);
        res.on('close', () => streams.delete(stop));
        return true;
      }
      case 'log':
      case 'log-events': {
        if (!node || pod === undefined) return refuse(res, 404, 'no such step, or it has no log');
        const path = target.layout.containerLog(key, pod, 'main');
        if (part === 'log-events') {
          followLog(res, path, redactor, Number(url.searchParams.get('from') ?? 0) || 0, () => load(key), nodeId);
          return true;
        }
        if (url.searchParams.get('download') === '1') {
          res.writeHead(200, { ...HEADERS, 'content-type': 'text/plain; charset=utf-8', 'content-disposition': `attachment; filename="${pod}.log"` });
          await streamWholeLog(path, redactor, res).catch(() => undefined);
          res.end();
          return true;
        }
        const before = url.searchParams.get('before');
        const page = await readLogPage(path, redactor, before === null ? undefined : Number(before) || 0);
        send(res, 200, 'application/json', JSON.stringify(page));
        return true;
      }
      case 'artifact':
      case 'artifact-info':
        await serveArtifact(res, run, nodeId, url.searchParams.get('name') ?? '', part === 'artifact-info', url.searchParams.get('file'));
        return true;
      default:
        return refuse(res, 404, 'no such page');
    }
  };

  const followLog = (
    res: ServerResponse,
    path: string,
    redactor: SecretRedactor,
    from: number,
    load: () => Promise<StoredRun | undefined>,
    nodeId: string,
  ): void => {
    const follower = new LogFollower(path, redactor, from);
    let watching: { close(): void } | undefined;
    let busy = false;
    const stream = openEventStream(res, () => {
      watching?.close();
      streams.delete(stream.close);
    });
    streams.add(stream.close);
    const look = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        const run = await load().catch(() => undefined);
        const finished = !run?.status.nodes[nodeId] || isFulfilled(run.status.nodes[nodeId]!.phase);
        const html = await follower.next(finished);
        if (html !== undefined) stream.send('lines', { html, offset: follower.offset });
        if (finished) {
          stream.send('end', { offset: follower.offset });
          stream.close();
        }
      } finally {
        busy = false;
      }
    };
    watching = watchChanges(dirname(path), () => void look(), { pollMs });
    void look();
  };

  const serveArtifact = async (res: ServerResponse, run: StoredRun, nodeId: string, name: string, info: boolean, file: string | null): Promise<void> => {
    const artifact = (Object.hasOwn(run.status.nodes, nodeId) ? run.status.nodes[nodeId] : undefined)?.outputs?.artifacts?.find((a) => a.name === name);
    if (!artifact) {
      refuse(res, 404, 'no such artifact');
      return;
    }
    const repository = (await runRepository(target, run)) as Repository | undefined;
    const namespace = run.workflow.metadata.namespace ?? 'default';
    const driver = createArtifactDriver({ secrets: target.objects, namespace, localRoot: localRootConfinement(target, env) });
    try {
      const opened = await openArtifact(driver, artifact, repository);
      if (info) {
        send(res, 200, 'application/json', JSON.stringify({ repository: describeLocation(artifact, repository), ...(await inspectArtifact(opened)) }));
        return;
      }
      let body: AsyncIterable<Buffer> = opened.body;
      let fileName = opened.fileName;
      if (file !== null && opened.tarball) {
        const chunks = tarballFile(opened, file)[Symbol.asyncIterator]();
        const first = await chunks.next(); // a missing file throws here, before any header is sent
        body = (async function* () {
          if (!first.done) yield first.value;
          for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
        })();
        fileName = file.split('/').pop() || name;
      }
      res.writeHead(200, {
        ...HEADERS,
        'content-type': file !== null ? 'application/octet-stream' : opened.contentType,
        'content-disposition': `attachment; filename="${fileName.replace(/[^\w.-]/g, '_')}"`,
      });
      for await (const chunk of body) if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
      res.end();
    } catch (error) {
      if (res.headersSent) res.destroy();
      else refuse(res, 404, `cannot read artifact "${name}": ${(error as Error).message}`);
    } finally {
      driver.close();
    }
  };

  const postAction = async (req: IncomingMessage, res: ServerResponse, run: StoredRun, grant: LinkGrant, context: PageContext): Promise<void> => {
    const { namespace, name } = { namespace: run.workflow.metadata.namespace ?? 'default', name: run.workflow.metadata.name ?? '' };
    if (grant.cap !== 'write') return void refuse(res, 403, 'this link may look at the run, not act on it');
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== 'null' && origin !== `http://${req.headers.host}` && origin !== `https://${req.headers.host}`)
      return void refuse(res, 403, 'a request from another site');
    const body = await readSmallBody(req, 4096).catch(() => undefined);
    const form = new URLSearchParams(body ?? '');
    if (!signer.checkFormToken(namespace, name, grant, form.get('token'))) return void refuse(res, 403, 'the form token does not match the link');
    const op = form.get('op');
    if (!isRunAction(op)) return void refuse(res, 400, 'unknown action');
    try {
      const done = await runLocalAction(target, run.key, op, env);
      res.writeHead(303, { ...HEADERS, location: `${context.base}?${context.query}&notice=${done}` });
      res.end();
    } catch (error) {
      send(
        res,
        409,
        'text/html; charset=utf-8',
        renderForbidden(`${op}: ${(error as Error).message}`).replace('403: this link does not open a run', 'The run refused'),
      );
    }
  };

  return Object.assign(handle, {
    close(): void {
      for (const stop of [...streams]) stop();
      streams.clear();
    },
  });
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function linkQuery(grant: LinkGrant): string {
  const params = new URLSearchParams({ exp: String(grant.exp), sig: grant.sig });
  if (grant.cap === 'write') params.set('cap', 'write');
  return params.toString();
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { ...HEADERS, 'content-type': type });
  res.end(body);
}

function refuse(res: ServerResponse, status: number, message: string): true {
  send(res, status, 'text/plain; charset=utf-8', `${message}\n`);
  return true;
}

async function readSmallBody(req: IncomingMessage, limit: number): Promise<string> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > limit) throw new Error('body too large');
  }
  return text;
}
