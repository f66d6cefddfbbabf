import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/** `sha256=<hex HMAC of the raw body>`, GitHub's X-Hub-Signature-256. */
export function signWebhookBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Checks an X-Hub-Signature-256 header in constant time, as a receiver must. */
export function verifyWebhookSignature(secret: string, body: string | Buffer, signature: string | undefined): boolean {
  if (!signature) return false;
  const expected = Buffer.from(signWebhookBody(secret, body));
  const actual = Buffer.from(signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export interface WebhookDelivery {
  id: string;
  event: string;
  action: string | undefined;
  url: string;
  /** The receiver's answer (0 if it could not be reached). */
  status: number;
  responseBody: string;
  durationMs: number;
}

export interface SendWebhookOptions {
  /** Where to deliver; defaults to the sender's URL. */
  url?: string;
  /** Sign with this secret instead (e.g. a wrong one, to test that the receiver refuses it). */
  secret?: string;
  /** Send no signature header at all. */
  unsigned?: boolean;
}

/**
 * Delivers webhooks the way GitHub does: POST of the JSON payload with X-GitHub-Event,
 * X-GitHub-Delivery (a UUID), X-GitHub-Hook-ID, X-GitHub-Hook-Installation-Target-*, X-Hub-Signature-256
 * (and the legacy SHA-1 X-Hub-Signature is left out, as GitHub recommends ignoring it). Keeps every
 * delivery for assertions.
 */
export class WebhookSender {
  readonly deliveries: WebhookDelivery[] = [];
  /** What each delivery sent, by id, for redelivery. */
  private readonly sent = new Map<string, { event: string; body: string; headers: Record<string, string> }>();

  constructor(
    private readonly secret: string,
    public url: string | undefined,
    private readonly appId: number,
  ) {}

  async send(event: string, payload: Record<string, unknown>, options: SendWebhookOptions = {}): Promise<WebhookDelivery> {
    const url = options.url ?? this.url;
    if (!url) throw new Error('no webhook URL: pass webhookUrl to startFakeGitHub, set fake.webhooks.url, or give options.url');
    const body = JSON.stringify(payload);
    const id = randomUUID();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/skiff-fake',
      'x-github-event': event,
      'x-github-delivery': id,
      'x-github-hook-id': '1',
      'x-github-hook-installation-target-type': 'integration',
      'x-github-hook-installation-target-id': String(this.appId),
    };
    if (!options.unsigned) headers['x-hub-signature-256'] = signWebhookBody(options.secret ?? this.secret, body);
    this.sent.set(id, { event, body, headers });
    return this.post({ id, event, action: payload.action as string | undefined, url, status: 0, responseBody: '', durationMs: 0 }, headers, body);
  }

  /**
   * Sends a delivery again, as GitHub's "Redeliver" does: the same id, event, body and signature,
   * to the sender's URL as it is now (a restarted receiver may listen elsewhere).
   */
  async redeliver(id: string): Promise<WebhookDelivery> {
    const sent = this.sent.get(id);
    if (!sent) throw new Error(`no delivery ${id} was sent`);
    if (!this.url) throw new Error('no webhook URL to redeliver to');
    const action = (JSON.parse(sent.body) as { action?: string }).action;
    return this.post({ id, event: sent.event, action, url: this.url, status: 0, responseBody: '', durationMs: 0 }, sent.headers, sent.body);
  }

  private async post(delivery: WebhookDelivery, headers: Record<string, string>, body: string): Promise<WebhookDelivery> {
    const { url } = delivery;
    const started = Date.now();
    try {
      // GitHub gives up after 10 s; so does the fake.
      const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
      delivery.status = response.status;
      delivery.responseBody = await response.text();
    } catch (err) {
      delivery.responseBody = err instanceof Error ? err.message : String(err);
    }
    delivery.durationMs = Date.now() - started;
    this.deliveries.push(delivery);
    return delivery;
  }
}
