import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { reply, type RequestHandler } from '../server/http-server.js';
import { DeliveryLedger } from './delivery-ledger.js';

/** GitHub caps a webhook payload at 25 MB; anything larger is not GitHub's. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

/** One verified, first-seen delivery. */
export interface AcceptedDelivery {
  id: string;
  name: string;
  payload: Record<string, unknown>;
}

export interface WebhookReceiverOptions {
  secret: string;
  ledger: DeliveryLedger;
  /**
   * Keeps a first-seen delivery where a restart finds it (the inbox), before its id is written to
   * the ledger: the acknowledgement waits for both, never for the work (GitHub waits 10 s at most).
   */
  record: (delivery: AcceptedDelivery) => Promise<void>;
  /** Queues the work of a delivery recorded and acknowledged-to-be. */
  accept: (delivery: AcceptedDelivery) => void;
  /** Deliveries refused or ignored, with why (for logs). */
  onRefused?: (reason: string, id: string | undefined) => void;
}

/**
 * The webhook endpoint: checks the X-Hub-Signature-256 HMAC of the raw body in constant time
 * (400 when missing or wrong, before anything is parsed), ignores a delivery id seen before (200,
 * nothing done), keeps the delivery in the inbox, records the id, queues the work and answers 202.
 */
export function webhookReceiver(options: WebhookReceiverOptions): RequestHandler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return reply(res, 405, 'webhooks are POSTed\n');
    }
    const id = header(req, 'x-github-delivery');
    const name = header(req, 'x-github-event');
    const signature = header(req, 'x-hub-signature-256');
    const body = await readBody(req, MAX_WEBHOOK_BYTES);
    if (body === 'too-large') {
      options.onRefused?.(`payload over ${MAX_WEBHOOK_BYTES} bytes`, id);
      res.setHeader('connection', 'close');
      return reply(res, 413, `payload over ${MAX_WEBHOOK_BYTES} bytes\n`);
    }
    if (!signature || !signatureMatches(options.secret, body, signature)) {
      options.onRefused?.('signature missing or wrong', id);
      return reply(res, 400, 'signature does not match\n');
    }
    if (!id || !DeliveryLedger.isDeliveryId(id) || !name || !/^[a-z_]{1,64}$/.test(name)) {
      options.onRefused?.('no valid X-GitHub-Delivery or X-GitHub-Event', id);
      return reply(res, 400, 'X-GitHub-Delivery and X-GitHub-Event are required\n');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      options.onRefused?.('payload is not JSON', id);
      return reply(res, 400, 'payload is not JSON\n');
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return reply(res, 400, 'payload is not a JSON object\n');
    const delivery: AcceptedDelivery = { id, name, payload: payload as Record<string, unknown> };
    if (!(await options.ledger.accept(id, () => options.record(delivery)))) {
      options.onRefused?.('delivery seen before', id);
      return reply(res, 200, 'delivery seen before: ignored\n');
    }
    // Queued only once the id is on disk: work done and forgotten before then could be done again.
    options.accept(delivery);
    reply(res, 202, 'accepted\n');
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function signatureMatches(secret: string, body: Buffer, signature: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const actual = Buffer.from(signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      return resolve('too-large');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
