import type { HttpClient } from 'isomorphic-git';

/**
 * What a first clone downloads: the tip of one ref with depth 1, over git's smart-HTTP protocol
 * (version 0/1, as every git server speaks it), as one pack in memory.
 */
export interface ShallowPack {
  /** The id the ref points at (a commit, or an annotated tag's object). */
  tip: string;
  /** The commit the tip peels to (the tip itself unless it is an annotated tag). */
  commit: string;
  /** The commits the server cut history at: the mirror's `shallow` file. */
  shallow: string[];
  pack: Buffer;
}

export interface ShallowPackRequest {
  http: HttpClient;
  url: string;
  ref: string;
  /** Sent as HTTP Basic auth (GitHub's installation tokens go as the password of `x-access-token`). */
  token?: string;
}

/** The server wants credentials (401, 403): none were sent, or it refused the token sent. */
export class GitAuthenticationError extends Error {
  override name = 'GitAuthenticationError';
  constructor(
    message: string,
    readonly tokenSent: boolean,
  ) {
    super(message);
  }
}

const ID = /^[0-9a-f]{40}$/;

/**
 * Asks the server for `ref`, then for the pack of its tip cut at depth 1. The request is the one
 * `git clone --depth 1` makes: wants with side-band-64k, ofs-delta and shallow, `deepen 1`,
 * `done`. Thin packs are never asked for, so the pack holds every object it refers to.
 *
 * @example const { commit, shallow, pack } = await downloadShallowPack({ http, url, ref: 'refs/heads/main' });
 */
export async function downloadShallowPack(request: ShallowPackRequest): Promise<ShallowPack> {
  const base = request.url.replace(/\/+$/, '');
  const headers: Record<string, string> = { 'user-agent': 'skiff-git/1' };
  if (request.token) headers.authorization = `Basic ${Buffer.from(`x-access-token:${request.token}`).toString('base64')}`;

  const advertised = await call(request, `${base}/info/refs?service=git-upload-pack`, 'GET', headers);
  if (!advertised.contentType.startsWith('application/x-git-upload-pack-advertisement'))
    throw new Error(`${request.url} is not a smart-HTTP git server (content type ${advertised.contentType || 'none'})`);
  const { refs, capabilities } = parseAdvertisement(advertised.body, request.url);
  const tip = refs.get(request.ref);
  if (!tip) throw new Error(`${request.url} has no ref ${request.ref}`);
  for (const needed of ['side-band-64k', 'shallow'])
    if (!capabilities.has(needed)) throw new Error(`${request.url} does not offer ${needed}, which a shallow clone needs`);

  const wanted = ['side-band-64k', 'shallow', 'no-progress', 'agent=skiff-git/1', ...(capabilities.has('ofs-delta') ? ['ofs-delta'] : [])];
  const body = Buffer.concat([pktLine(`want ${tip} ${wanted.join(' ')}\n`), pktLine('deepen 1\n'), Buffer.from('0000'), pktLine('done\n')]);
  const answer = await call(
    request,
    `${base}/git-upload-pack`,
    'POST',
    {
      ...headers,
      'content-type': 'application/x-git-upload-pack-request',
      accept: 'application/x-git-upload-pack-result',
    },
    body,
  );
  const { shallow, pack } = parseUploadPackResult(answer.body, request.url);
  return { tip, commit: refs.get(`${request.ref}^{}`) ?? tip, shallow, pack };
}

async function call(
  request: ShallowPackRequest,
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<{ contentType: string; body: Buffer }> {
  const response = await request.http.request({
    url,
    method,
    headers,
    ...(body
      ? {
          body: (async function* () {
            yield body;
          })(),
        }
      : {}),
  });
  const chunks: Uint8Array[] = [];
  if (response.body) for await (const chunk of response.body) chunks.push(chunk);
  if (response.statusCode === 401 || response.statusCode === 403)
    throw new GitAuthenticationError(
      request.token ? `${request.url} refused the token (HTTP ${response.statusCode})` : `${request.url} needs a token (HTTP ${response.statusCode})`,
      request.token !== undefined,
    );
  if (response.statusCode === 404) throw new Error(`${request.url} was not found (HTTP 404)`);
  if (response.statusCode !== 200) throw new Error(`${request.url} answered HTTP ${response.statusCode} ${response.statusMessage ?? ''}`.trim());
  const contentType = Object.entries(response.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  return { contentType: String(contentType), body: Buffer.concat(chunks) };
}

function pktLine(text: string): Buffer {
  const payload = Buffer.from(text);
  return Buffer.concat([Buffer.from((payload.length + 4).toString(16).padStart(4, '0')), payload]);
}

/** Splits pkt-lines: a 4-hex-digit length (itself included), `0000` a flush. */
function* pktLines(data: Buffer, url: string): Generator<Buffer | 'flush'> {
  let at = 0;
  while (at < data.length) {
    const length = Number.parseInt(data.toString('latin1', at, at + 4), 16);
    if (!Number.isInteger(length) || (length > 0 && length < 4) || at + Math.max(length, 4) > data.length)
      throw new Error(`${url} sent a malformed git protocol line at byte ${at}`);
    if (length === 0) {
      yield 'flush';
      at += 4;
    } else {
      yield data.subarray(at + 4, at + length);
      at += length;
    }
  }
}

function parseAdvertisement(data: Buffer, url: string): { refs: Map<string, string>; capabilities: Set<string> } {
  const refs = new Map<string, string>();
  let capabilities = new Set<string>();
  for (const line of pktLines(data, url)) {
    if (line === 'flush') continue;
    let text = line.toString('utf8').replace(/\n$/, '');
    if (text.startsWith('# service=')) continue;
    if (text.startsWith('ERR ')) throw new Error(`${url} refused: ${text.slice(4)}`);
    const nul = text.indexOf('\0');
    if (nul >= 0) {
      capabilities = new Set(
        text
          .slice(nul + 1)
          .split(' ')
          .filter(Boolean),
      );
      text = text.slice(0, nul);
    }
    const [id, name] = text.split(' ');
    if (id && name && ID.test(id)) refs.set(name, id);
  }
  return { refs, capabilities };
}

/** Shallow lines, acknowledgements, then the pack in side-band channel 1 (2 is progress, 3 an error). */
function parseUploadPackResult(data: Buffer, url: string): { shallow: string[]; pack: Buffer } {
  const shallow: string[] = [];
  const pack: Buffer[] = [];
  for (const line of pktLines(data, url)) {
    if (line === 'flush' || line.length === 0) continue;
    const band = line[0]!;
    if (band === 1) pack.push(line.subarray(1));
    else if (band === 2) continue;
    else if (band === 3) throw new Error(`${url} failed to send the pack: ${line.toString('utf8', 1).trim()}`);
    else {
      const text = line.toString('utf8').trim();
      if (text.startsWith('shallow ')) shallow.push(text.slice('shallow '.length));
      else if (text.startsWith('ERR ')) throw new Error(`${url} refused: ${text.slice(4)}`);
    }
  }
  if (!shallow.every((id) => ID.test(id))) throw new Error(`${url} sent a malformed shallow line`);
  if (pack.length === 0) throw new Error(`${url} sent no pack`);
  return { shallow, pack: Buffer.concat(pack) };
}
