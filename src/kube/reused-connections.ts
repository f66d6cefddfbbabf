import { Agent } from 'node:https';
import type { Configuration, RequestContext } from '@kubernetes/client-node';

/** Closes a connection idle this long, before the API server does (after 90 s, as Go's server): no request meets a socket being closed. */
const IDLE_MS = 30_000;

/**
 * The client library gives every request a new https.Agent of its own (KubeConfig's
 * applySecurityAuthentication), so each request opened a new TLS connection and parsed the client
 * key and CAs again: in a busy controller that was most of its CPU. This hands every request one
 * keep-alive agent with the same TLS settings instead, so connections are reused; settings that
 * change (a rotated client certificate) get a new agent. Proxy agents and plain http are left as
 * the library made them.
 *
 * @example new KubernetesObjectApi(withReusedConnections(configuration))
 */
export function withReusedConnections(configuration: Configuration): Configuration {
  let shared: { settings: string; agent: Agent } | undefined;
  const reuse = (made: Agent): Agent => {
    const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } = made.options;
    const settings = JSON.stringify(
      [ca, cert, key, pfx, passphrase, rejectUnauthorized, servername].map((value) => (Buffer.isBuffer(value) ? value.toString('base64') : value)),
    );
    if (shared?.settings !== settings) shared = { settings, agent: new Agent({ ...made.options, keepAlive: true, timeout: IDLE_MS }) };
    return shared.agent;
  };
  return {
    ...configuration,
    httpApi: {
      send: (context: RequestContext) => {
        const agent = context.getAgent();
        if (agent?.constructor === Agent) context.setAgent(reuse(agent as Agent));
        return configuration.httpApi.send(context);
      },
    },
  };
}
