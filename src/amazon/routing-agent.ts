import type { ClientRequest } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
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
  /**
   * CA certificate (PEM) to trust for the redirected hosts, e.g. the sandbox CA. Like Node's
   * `ca` option it replaces the default trust store for those connections; without it they
   * trust Node's roots plus NODE_EXTRA_CA_CERTS.
   */
  ca?: string;
}

interface Target {
  /** The URL's host name, IPv6 brackets removed: where we connect and the name the certificate must carry. */
  host: string;
  port: number;
  /** The URL's `host` (`name[:port]`, port left out when it is 443): the Host header an SDK would send. */
  authority: string;
  /** SNI: the host name, or '' for an IP literal (RFC 6066 §3 allows only DNS names; Node warns on IPs). */
  servername: string;
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
  // URL keeps IPv6 literals bracketed; net.connect and checkServerIdentity want them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port: url.port ? Number(url.port) : 443,
    authority: url.host,
    servername: isIP(host) ? '' : host,
  };
}

/**
 * Builds the `https_proxy_agent` for amazon-sp-api that sends its hard-coded Amazon hosts to
 * other endpoints (the SP-API sandbox, a second double, a recording proxy), the way an SDK's
 * endpoint override does: the connection goes to the URL's host and port, and TLS is checked
 * against the URL's host, so the endpoint must present a certificate naming that host
 * (`127.0.0.1` for https://127.0.0.1:8443) that chains to `ca` or, without `ca`, to Node's
 * roots or NODE_EXTRA_CA_CERTS. SNI is that host name; an IP literal gets no SNI. Certificate
 * checks are never switched off. The Host header names the URL's host too (`127.0.0.1:8443`).
 *
 * amazon-sp-api 1.x takes no endpoint settings: Request.js builds
 * https://sellingpartnerapi-<region>.amazon.com on port 443 and SellingPartner.js posts to
 * https://api.amazon.com/auth/o2/token, so an agent is the one hook it offers.
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
    // Not in Node's typings, but it is the Agent's entry point (ClientRequest calls it from its
    // constructor, before any header is written). amazon-sp-api sets Host to the Amazon name
    // itself (Request.js `_constructRequestOptions`) but signs nothing with it (1.x has no
    // SigV4), so naming the override here, as an SDK would, changes nothing the library needs.
    // http.Agent then derives `servername` from this header, and createConnection sets it again.
    addRequest(req: ClientRequest, options: https.RequestOptions): void {
      const target = route(options.host);
      if (target && !req.headersSent) req.setHeader('host', target.authority);
      (https.Agent.prototype as unknown as { addRequest(r: ClientRequest, o: https.RequestOptions): void }).addRequest.call(this, req, options);
    }

    override createConnection(
      options: https.RequestOptions,
      callback?: (err: Error | null, stream: Duplex) => void,
    ): Duplex | null | undefined {
      // options.host is still the Amazon name the library asked for: that picks the target.
      const target = route(options.host);
      if (!target) return super.createConnection(options, callback);
      // tls.connect checks the certificate against `servername || host`: with servername '' for
      // an IP literal, that is the IP itself, matched against the certificate's IP addresses.
      return super.createConnection(
        {
          ...options,
          host: target.host,
          port: target.port,
          servername: target.servername,
          ...(opts.ca ? { ca: opts.ca } : {}),
        },
        callback,
      );
    }
  }
  return new RoutingAgent();
}
