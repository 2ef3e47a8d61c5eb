import https from 'node:https';
import type { Duplex } from 'node:stream';
import { DockhandError } from '../domain/errors';

/** amazon-sp-api posts every token refresh to https://api.amazon.com/auth/o2/token (SellingPartner.js). */
export const LWA_HOST = 'api.amazon.com';
export const LWA_TOKEN_PATH = '/auth/o2/token';
/** amazon-sp-api dials https://[sandbox.]sellingpartnerapi-{na|eu|fe}.amazon.com on port 443 (Request.js). */
const SP_API_HOST = /^(sandbox\.)?sellingpartnerapi-(na|eu|fe)\.amazon\.com$/;

export interface RoutingAgentOptions {
  /** Where SP-API calls go instead of Amazon, e.g. https://127.0.0.1:8443 (AMAZON_SP_API_URL). */
  spApiUrl?: string;
  /** Where LWA token calls go instead of Amazon; its path must be /auth/o2/token (AMAZON_LWA_URL). */
  lwaUrl?: string;
  /** Extra CA certificate (PEM) to trust for the redirected hosts, e.g. the sandbox CA. */
  ca?: string;
}

interface Target {
  host: string;
  port: number;
}

function parseTarget(raw: string, name: string, requiredPath: string | undefined): Target {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (e) {
    throw new DockhandError('config.invalid', `${name} is not a URL: ${raw}`, {
      hint: `Set ${name} to an https URL such as https://127.0.0.1:8443${requiredPath ?? ''}, or unset it to use Amazon.`,
      cause: e,
    });
  }
  if (url.protocol !== 'https:') {
    throw new DockhandError('config.invalid', `${name} must use https, got ${url.protocol}`, {
      hint: `amazon-sp-api only speaks HTTPS; point ${name} at an https endpoint and trust its CA (ca option or NODE_EXTRA_CA_CERTS).`,
    });
  }
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const expected = requiredPath ?? '/';
  if (path !== expected || url.search || url.hash) {
    throw new DockhandError('config.invalid', `${name} must have path ${expected}, got ${url.pathname}${url.search}`, {
      hint:
        requiredPath === undefined
          ? `amazon-sp-api builds its own paths; give ${name} as scheme, host and port only.`
          : `amazon-sp-api always posts to ${requiredPath}; set ${name} to https://<host>:<port>${requiredPath}.`,
    });
  }
  // URL keeps IPv6 literals bracketed; net.connect wants them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: url.port ? Number(url.port) : 443 };
}

/**
 * Builds the `https_proxy_agent` for amazon-sp-api that sends its hard-coded Amazon hosts to
 * other endpoints (the SP-API sandbox, a recording proxy). The TLS handshake still names the
 * Amazon host (SNI and certificate check), so the endpoint must present a certificate for it
 * that chains to `ca` or to NODE_EXTRA_CA_CERTS; certificate checks are never switched off.
 *
 * Returns undefined when neither URL is given: the library then talks to Amazon directly.
 *
 * @throws DockhandError `config.invalid` for a non-https URL, an SP-API URL with a path, or an
 *   LWA URL whose path isn't /auth/o2/token.
 */
export function createRoutingAgent(opts: RoutingAgentOptions): https.Agent | undefined {
  const spApi = opts.spApiUrl ? parseTarget(opts.spApiUrl, 'AMAZON_SP_API_URL', undefined) : undefined;
  const lwa = opts.lwaUrl ? parseTarget(opts.lwaUrl, 'AMAZON_LWA_URL', LWA_TOKEN_PATH) : undefined;
  if (!spApi && !lwa) return undefined;

  const route = (host: string | null | undefined): Target | undefined => {
    if (!host) return undefined;
    if (lwa && host === LWA_HOST) return lwa;
    if (spApi && SP_API_HOST.test(host)) return spApi;
    return undefined;
  };

  class RoutingAgent extends https.Agent {
    override createConnection(
      options: https.RequestOptions,
      callback?: (err: Error | null, stream: Duplex) => void,
    ): Duplex | null | undefined {
      // The Agent passes the request's host here; only the TCP destination changes.
      const target = route(options.host);
      if (!target) return super.createConnection(options, callback);
      return super.createConnection(
        {
          ...options,
          host: target.host,
          port: target.port,
          servername: options.servername || options.host || undefined,
          ...(opts.ca ? { ca: opts.ca } : {}),
        },
        callback,
      );
    }
  }
  return new RoutingAgent();
}
