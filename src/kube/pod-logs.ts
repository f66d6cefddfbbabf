import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { fromStatus, type KubeStatus, toKubeError } from './kube-errors.js';

/** What `kubectl logs` asks of a container's log (the API's PodLogOptions); the kubelet applies them. */
export interface PodLogOptions {
  /** Keep the stream open and send what the container writes next, until it ends. */
  follow?: boolean;
  /** Ends the stream (and the request) early. */
  signal?: AbortSignal;
  /** Each line after the time the kubelet recorded for it (RFC 3339 with nanoseconds) and a space. */
  timestamps?: boolean;
  sinceSeconds?: number;
  /** RFC 3339; excludes sinceSeconds. */
  sinceTime?: string;
  tailLines?: number;
  /** The container's previous instance (one that restarted). */
  previous?: boolean;
}

/** Reads pods' container logs (`GET …/pods/NAME/log`), which the object API does not cover. */
export interface PodLogClient {
  /** A container's log from its start; with `follow`, until the container ends. Throws a KubeError (a 400 while it waits to start). */
  podLog(namespace: string, pod: string, container: string, options?: PodLogOptions): AsyncIterable<Buffer>;
}

/**
 * A container's log through the API server, with the kubeconfig's credentials and TLS settings.
 * Node's own HTTP client is used rather than the library's Log, whose piped stream neither ends
 * nor fails when the connection drops: here a dropped connection ends the iteration with an error.
 */
export async function* readPodLog(kc: KubeConfig, namespace: string, pod: string, container: string, options: PodLogOptions = {}): AsyncGenerator<Buffer> {
  const ref = { kind: 'Pod', namespace, name: pod };
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw toKubeError(new Error('the kubeconfig names no cluster'), ref);
  const url = new URL(`${cluster.server.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`);
  url.searchParams.set('container', container);
  if (options.follow) url.searchParams.set('follow', 'true');
  if (options.timestamps) url.searchParams.set('timestamps', 'true');
  if (options.sinceSeconds !== undefined) url.searchParams.set('sinceSeconds', String(options.sinceSeconds));
  if (options.sinceTime !== undefined) url.searchParams.set('sinceTime', options.sinceTime);
  if (options.tailLines !== undefined) url.searchParams.set('tailLines', String(options.tailLines));
  if (options.previous) url.searchParams.set('previous', 'true');
  const settings: RequestOptions = { headers: { accept: '*/*' } };
  await kc.applyToHTTPSOptions(settings);
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    const req = send(url, { ...settings, method: 'GET', ...(options.signal ? { signal: options.signal } : {}) }, resolve);
    req.on('error', (error) => reject(toKubeError(error, ref)));
    req.end();
  });
  if (response.statusCode !== 200) {
    let text = '';
    for await (const chunk of response) text += chunk;
    let status: KubeStatus | undefined;
    try {
      status = JSON.parse(text) as KubeStatus;
    } catch {
      status = undefined;
    }
    throw fromStatus(status?.kind === 'Status' ? status : { kind: 'Status', code: response.statusCode ?? 0, message: text.trim() }, ref);
  }
  try {
    for await (const chunk of response) yield chunk as Buffer;
  } catch (error) {
    if (options.signal?.aborted) return;
    throw toKubeError(error, ref);
  } finally {
    response.destroy();
  }
}
