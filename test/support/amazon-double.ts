import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { listenOnLoopback } from '../../src/sandbox/listen';
import type { TestCertificates } from './test-ca';

/**
 * A second Amazon double, written from the published contract alone and sharing nothing with
 * src/sandbox/amazon: Login with Amazon's token endpoint and Orders API v2026-01-01
 * `searchOrders` (test/specs/amazon/orders_2026-01-01.json), on 127.0.0.1 with the
 * certificate it is given. It checks what the spec lets it check and answers 400 with the
 * spec's ErrorList otherwise, so a request Amazon would refuse fails here too.
 */

export interface LwaClient {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

/** What the double saw of one request, for the test to assert on. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The Host header. */
  host: string | undefined;
  /** The SNI name the client sent, if any. */
  servername: string | undefined;
  status: number;
}

export interface AmazonDouble {
  /** https://127.0.0.1:PORT, for AMAZON_SP_API_URL. */
  url: string;
  /** https://127.0.0.1:PORT/auth/o2/token, for AMAZON_LWA_URL. */
  lwaUrl: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export interface AmazonDoubleOptions {
  tls: TestCertificates;
  client: LwaClient;
  /** Orders as the spec's `Order` with every dataset filled in; each response keeps only what includedData asks for. */
  orders: Record<string, unknown>[];
}

// Spec enums for searchOrders' array parameters (collectionFormat defaults to csv in Swagger 2.0).
const FULFILLMENT_STATUSES = ['PENDING_AVAILABILITY', 'PENDING', 'UNSHIPPED', 'PARTIALLY_SHIPPED', 'SHIPPED', 'CANCELLED', 'UNFULFILLABLE'];
const FULFILLED_BY = ['MERCHANT', 'AMAZON'];
const INCLUDED_DATA = ['BUYER', 'RECIPIENT', 'PROCEEDS', 'EXPENSE', 'PROMOTION', 'CANCELLATION', 'FULFILLMENT', 'PACKAGES', 'TAX', 'PAYMENT', 'FULFILLMENT_ORDERS'];

// Which Order / OrderItem properties each includedData value brings (the spec's dataset descriptions).
const ORDER_FIELDS: Record<string, string[]> = {
  BUYER: ['buyer'],
  RECIPIENT: ['recipient'],
  PROCEEDS: ['proceeds'],
  FULFILLMENT: ['fulfillment'],
  PACKAGES: ['packages'],
  TAX: ['tax'],
  PAYMENT: ['payment'],
  FULFILLMENT_ORDERS: ['fulfillmentOrders'],
};
const ITEM_FIELDS: Record<string, string[]> = {
  PROCEEDS: ['proceeds'],
  EXPENSE: ['expense'],
  PROMOTION: ['promotion'],
  CANCELLATION: ['cancellation'],
  FULFILLMENT: ['fulfillment'],
  TAX: ['tax'],
};
const optional = (table: Record<string, string[]>): Set<string> => new Set(Object.values(table).flat());

function trimToIncluded(order: Record<string, unknown>, included: Set<string>): Record<string, unknown> {
  const drop = (record: Record<string, unknown>, table: Record<string, string[]>) => {
    const keep = new Set([...included].flatMap((d) => table[d] ?? []));
    return Object.fromEntries(Object.entries(record).filter(([k]) => !optional(table).has(k) || keep.has(k)));
  };
  const trimmed = drop(order, ORDER_FIELDS);
  const items = Array.isArray(order.orderItems) ? (order.orderItems as Record<string, unknown>[]) : [];
  return { ...trimmed, orderItems: items.map((item) => drop(item, ITEM_FIELDS)) };
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

class Invalid extends Error {}

function csv(query: URLSearchParams, name: string, allowed?: string[]): string[] | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const values = raw.split(',').filter(Boolean);
  if (values.length === 0) throw new Invalid(`${name} is empty`);
  const bad = allowed ? values.find((v) => !allowed.includes(v)) : undefined;
  if (bad) throw new Invalid(`${name} has an unknown value ${bad}`);
  return values;
}

function instant(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!ISO_8601.test(raw) || Number.isNaN(Date.parse(raw))) throw new Invalid(`${name} is not an ISO 8601 date-time: ${raw}`);
  return Date.parse(raw);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-RequestId': randomBytes(8).toString('hex'), ...headers });
  res.end(JSON.stringify(body));
}

const errorList = (code: string, message: string) => ({ errors: [{ code, message, details: '' }] });

export async function startAmazonDouble(opts: AmazonDoubleOptions): Promise<AmazonDouble> {
  const tokens = new Set<string>();
  const requests: SeenRequest[] = [];

  // LWA: https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api
  // (a refresh_token grant with client_id and client_secret; JSON or form-encoded).
  async function token(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const raw = await readBody(req);
    let grant: Record<string, unknown>;
    try {
      grant = (req.headers['content-type'] ?? '').startsWith('application/json')
        ? (JSON.parse(raw) as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(raw));
    } catch {
      send(res, 400, { error: 'invalid_request', error_description: 'The request body is not valid JSON' });
      return 400;
    }
    if (grant.grant_type !== 'refresh_token') {
      send(res, 400, { error: 'unsupported_grant_type', error_description: 'Only refresh_token grants are served here' });
      return 400;
    }
    if (grant.client_id !== opts.client.clientId || grant.client_secret !== opts.client.clientSecret) {
      send(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
      return 401;
    }
    if (grant.refresh_token !== opts.client.refreshToken) {
      send(res, 400, { error: 'invalid_grant', error_description: 'The request has an invalid grant parameter : refresh_token' });
      return 400;
    }
    const accessToken = `Atza|double-${randomBytes(12).toString('hex')}`;
    tokens.add(accessToken);
    send(res, 200, { access_token: accessToken, refresh_token: opts.client.refreshToken, token_type: 'bearer', expires_in: 3600 });
    return 200;
  }

  function searchOrders(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): number {
    const accessToken = req.headers['x-amz-access-token'];
    if (typeof accessToken !== 'string' || !tokens.has(accessToken)) {
      send(res, 403, errorList('Unauthorized', 'Access to requested resource is denied.'));
      return 403;
    }
    try {
      const createdAfter = instant(query, 'createdAfter');
      const createdBefore = instant(query, 'createdBefore');
      const lastUpdatedAfter = instant(query, 'lastUpdatedAfter');
      const lastUpdatedBefore = instant(query, 'lastUpdatedBefore');
      // "You must provide exactly one of createdAfter and lastUpdatedAfter", and neither may be
      // mixed with the other's Before.
      if ((createdAfter === undefined) === (lastUpdatedAfter === undefined)) throw new Invalid('exactly one of createdAfter and lastUpdatedAfter is required');
      if (createdAfter !== undefined && lastUpdatedBefore !== undefined) throw new Invalid('lastUpdatedBefore cannot be used with createdAfter');
      if (lastUpdatedAfter !== undefined && createdBefore !== undefined) throw new Invalid('createdBefore cannot be used with lastUpdatedAfter');
      const marketplaceIds = csv(query, 'marketplaceIds');
      if (marketplaceIds && marketplaceIds.length > 50) throw new Invalid('marketplaceIds has more than 50 entries');
      const statuses = csv(query, 'fulfillmentStatuses', FULFILLMENT_STATUSES);
      const fulfilledBy = csv(query, 'fulfilledBy', FULFILLED_BY);
      const included = new Set(csv(query, 'includedData', INCLUDED_DATA) ?? []);
      const max = query.get('maxResultsPerPage');
      if (max !== null && !(/^\d+$/.test(max) && Number(max) >= 1 && Number(max) <= 100)) throw new Invalid('maxResultsPerPage must be 1 to 100');
      if (query.get('paginationToken') !== null) throw new Invalid('this double never hands out a paginationToken');

      // The snapshot bound Amazon reports: a little in the past, so late writes land in the next window.
      const bound = Date.now() - 60_000;
      const matches = opts.orders.filter((o) => {
        const channel = o.salesChannel as { marketplaceId?: string } | undefined;
        const fulfillment = o.fulfillment as { fulfillmentStatus?: string; fulfilledBy?: string } | undefined;
        const created = Date.parse(String(o.createdTime));
        const updated = Date.parse(String(o.lastUpdatedTime));
        if (marketplaceIds && !marketplaceIds.includes(channel?.marketplaceId ?? '')) return false;
        if (statuses && !statuses.includes(fulfillment?.fulfillmentStatus ?? '')) return false;
        if (fulfilledBy && !fulfilledBy.includes(fulfillment?.fulfilledBy ?? '')) return false;
        if (createdAfter !== undefined) return created >= createdAfter && created < (createdBefore ?? bound);
        return updated >= lastUpdatedAfter! && updated < (lastUpdatedBefore ?? bound);
      });
      const edge = new Date(createdAfter !== undefined ? (createdBefore ?? bound) : (lastUpdatedBefore ?? bound)).toISOString();
      send(
        res,
        200,
        { orders: matches.map((o) => trimToIncluded(o, included)), ...(createdAfter !== undefined ? { createdBefore: edge } : { lastUpdatedBefore: edge }) },
        { 'x-amzn-RateLimit-Limit': '0.0056' },
      );
      return 200;
    } catch (e) {
      if (!(e instanceof Invalid)) throw e;
      send(res, 400, errorList('InvalidInput', e.message));
      return 400;
    }
  }

  const server = createServer({ key: opts.tls.serverKeyPem, cert: opts.tls.serverCertPem }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://double.invalid');
    const seen: SeenRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      host: req.headers.host,
      servername: (req.socket as TLSSocket).servername || undefined,
      status: 0,
    };
    requests.push(seen);
    const answer = async (): Promise<number> => {
      if (req.method === 'POST' && url.pathname === '/auth/o2/token') return token(req, res);
      if (req.method === 'GET' && url.pathname === '/orders/2026-01-01/orders') return searchOrders(req, res, url.searchParams);
      send(res, 404, errorList('NotFound', `${req.method} ${url.pathname} is not served by this double`));
      return 404;
    };
    answer().then(
      (status) => (seen.status = status),
      () => {
        seen.status = 500;
        send(res, 500, errorList('InternalFailure', 'the double failed'));
      },
    );
  });
  const url = await listenOnLoopback(server, {}, 'https');
  return {
    url,
    lwaUrl: `${url}/auth/o2/token`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
