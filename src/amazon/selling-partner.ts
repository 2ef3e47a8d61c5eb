import type { Agent } from 'node:https';
import { createRequire } from 'node:module';
import { DockhandError } from '../domain/errors';
import { createRoutingAgent } from './routing-agent';

/**
 * What every SP-API client of ours shares: the amazon-sp-api library, built one way (raw bytes
 * only, the library's own retries off), the credentials it needs, and how what it throws is
 * classified. Each client keeps its own statuses, retries, pacing and wording.
 */

// ---------------------------------------------------------------- the amazon-sp-api surface we use

/** What `callAPI` resolves to with `raw_result: true` (lib/Request.js `execute`). */
export interface RawResult {
  body: string;
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
}

export interface CallParams {
  operation: string;
  endpoint?: string;
  path?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
}

export interface SellingPartnerClient {
  callAPI(req: CallParams & { options: { raw_result: true; timeouts?: Record<string, number> } }): Promise<RawResult>;
  /** `scope` asks LWA for a grantless (client-credentials) token instead of the seller's. */
  refreshAccessToken(scope?: string): Promise<void>;
}

type SellingPartnerConstructor = new (config: {
  region: string;
  refresh_token: string;
  credentials: { SELLING_PARTNER_APP_CLIENT_ID: string; SELLING_PARTNER_APP_CLIENT_SECRET: string };
  endpoints_versions: Record<string, string>;
  options: Record<string, unknown>;
}) => SellingPartnerClient;

// amazon-sp-api is CommonJS and its bundled typings predate searchOrders; we type only what we call.
const SellingPartner = createRequire(import.meta.url)('amazon-sp-api') as SellingPartnerConstructor;

// ---------------------------------------------------------------- construction

export type AmazonRegion = 'na' | 'eu' | 'fe';

/** The seller account and app, and where to reach Amazon. */
export interface AmazonCredentials {
  region: AmazonRegion;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Send SP-API calls here instead of Amazon (AMAZON_SP_API_URL), e.g. the sandbox. */
  spApiUrl?: string;
  /** Send LWA token calls here instead of Amazon (AMAZON_LWA_URL); path must be /auth/o2/token. */
  lwaUrl?: string;
  /** PEM CA to trust for the redirected hosts. */
  ca?: string;
}

export interface SellingPartnerOptions {
  /** amazon-sp-api timeouts per call, e.g. `{ deadline: 30_000 }`. */
  timeouts: Record<string, number>;
  /** Endpoint → API version; operations missing from it fall back to an older version. */
  endpointsVersions?: Record<string, string>;
  /** The client's wording: `auth` for empty credentials, `config` when the library refuses its configuration. */
  hints: { auth: string; config: string };
}

export interface SellingPartnerHandle {
  sp: SellingPartnerClient;
  /** The agent that redirects to spApiUrl/lwaUrl, if any; destroy it on close. */
  agent: Agent | undefined;
}

/**
 * Builds the amazon-sp-api client with our fixed settings: tokens fetched on demand, and no
 * retries inside the library, so that the caller sees and counts every attempt.
 *
 * @throws DockhandError `config.missing` for an empty credential, `config.invalid` when the URLs
 *   or the library's configuration (region, endpoint versions) can't be used.
 */
export function createSellingPartner(creds: AmazonCredentials, opts: SellingPartnerOptions): SellingPartnerHandle {
  const agent = createRoutingAgent({ spApiUrl: creds.spApiUrl, lwaUrl: creds.lwaUrl, ca: creds.ca });
  try {
    return { sp: construct(creds, opts, agent), agent };
  } catch (e) {
    agent?.destroy();
    throw e;
  }
}

function construct(creds: AmazonCredentials, opts: SellingPartnerOptions, agent: Agent | undefined): SellingPartnerClient {
  for (const [name, value] of [['clientId', creds.clientId], ['clientSecret', creds.clientSecret], ['refreshToken', creds.refreshToken]] as const) {
    if (!value) throw new DockhandError('config.missing', `Amazon ${name} is empty`, { hint: opts.hints.auth });
  }
  try {
    return new SellingPartner({
      region: creds.region,
      refresh_token: creds.refreshToken,
      credentials: { SELLING_PARTNER_APP_CLIENT_ID: creds.clientId, SELLING_PARTNER_APP_CLIENT_SECRET: creds.clientSecret },
      endpoints_versions: opts.endpointsVersions ?? {},
      options: {
        auto_request_tokens: true,
        auto_request_throttled: false,
        retry_remote_timeout: false,
        // Picks the older version for an operation the chosen one lacks (SellingPartner._getFallbackVersion).
        version_fallback: true,
        timeouts: opts.timeouts,
        ...(agent ? { https_proxy_agent: agent } : {}),
      },
    });
  } catch (e) {
    throw new DockhandError('config.invalid', `amazon-sp-api refused its configuration: ${e instanceof Error ? e.message : String(e)}`, {
      hint: opts.hints.config,
      cause: e,
    });
  }
}

// ---------------------------------------------------------------- what the library or Node throws

// LWA error codes (RFC 6749 §5.2) that mean our credentials were refused.
const LWA_REFUSED = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client', 'invalid_scope', 'unsupported_grant_type', 'invalid_request', 'access_denied']);
// LWA said it is unwell, or answered something that wasn't JSON (a proxy error page).
const LWA_UNAVAILABLE = new Set(['server_error', 'temporarily_unavailable', 'REFRESH_ACCESS_TOKEN_PARSE_ERROR', 'UNKNOWN_REFRESH_ACCESS_TOKEN_ERROR']);
const NETWORK = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED',
  'UND_ERR_SOCKET', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'API_RESPONSE_TIMEOUT', 'API_DEADLINE_TIMEOUT', 'API_IDLE_TIMEOUT',
]);
const TLS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** What kind of failure a throw (no HTTP response from SP-API) was. */
export type ThrownKind = 'lwa_refused' | 'lwa_unavailable' | 'tls' | 'network' | 'unknown';

export interface ThrownFailure {
  kind: ThrownKind;
  /** The library's or Node's `code`, when it has a string one. */
  code: string | undefined;
  message: string;
}

/** The string `code` amazon-sp-api and Node put on their errors, if any. */
export function thrownCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Node's ERR_TLS_CERT_ALTNAME_INVALID carries the name it checked (`host`: the override URL's
 * host, or Amazon's) and the peer certificate, but its message lists only the certificate's
 * IP addresses when that name is an IP ("IP: 127.0.0.1 is not in the cert's list: "). Name
 * both sides, so the fix (reissue for that host, or change the URL) is plain.
 */
function describeNameMismatch(e: unknown): string | undefined {
  const { host, cert } = e as { host?: unknown; cert?: { subjectaltname?: unknown; subject?: { CN?: unknown } } };
  if (typeof host !== 'string' || !host) return undefined;
  const san = typeof cert?.subjectaltname === 'string' ? cert.subjectaltname : '';
  const cn = typeof cert?.subject?.CN === 'string' ? cert.subject.CN : '';
  const names = san || (cn ? `only the subject CN=${cn}` : 'no host names');
  return `the server's certificate is not valid for ${host}, the host Dockhand expected; it names ${names}`;
}

/** Sorts what amazon-sp-api or Node threw by its `code`; each client words the DockhandError itself. */
export function classifyThrown(e: unknown): ThrownFailure {
  const code = thrownCode(e);
  const message = (code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? describeNameMismatch(e) : undefined) ?? (e instanceof Error ? e.message : String(e));
  const kind: ThrownKind =
    code === undefined ? 'unknown'
    : LWA_REFUSED.has(code) ? 'lwa_refused'
    : LWA_UNAVAILABLE.has(code) ? 'lwa_unavailable'
    : TLS.has(code) ? 'tls'
    : NETWORK.has(code) ? 'network'
    : 'unknown';
  return { kind, code, message };
}

/** For certificate failures: almost always an override URL whose CA we weren't given, or whose certificate is for another name. */
export const TLS_HINT =
  "The TLS certificate was not accepted. An endpoint set by AMAZON_SP_API_URL/AMAZON_LWA_URL must present a certificate for that URL's host (IP Address:127.0.0.1 for https://127.0.0.1:8443) from a CA Dockhand trusts: give that CA with NODE_EXTRA_CA_CERTS (or the ca option).";
