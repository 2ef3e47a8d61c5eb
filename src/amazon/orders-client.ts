import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { DockhandError } from '../domain/errors';
import type { Order } from '../domain/order';
import { silentLogger, type Logger } from '../log/logger';
import {
  AMAZON_OPERATIONS,
  createPacer,
  nextRetryDelayMs,
  parseRateLimitHeader,
  type AmazonOperation,
  type Pacer,
} from './pacer';
import {
  AmazonErrorList,
  ConfirmShipmentRequest,
  GetOrderEnvelope,
  SearchOrdersEnvelope,
  type AmazonError,
  type RawAmazonOrder,
} from './schemas';
import {
  classifyThrown,
  createSellingPartner,
  thrownCode,
  TLS_HINT,
  type AmazonCredentials,
  type CallParams,
  type RawResult,
} from './selling-partner';
import { parseAmazonOrders, type OrderContext, type RejectedOrder } from './to-order';

// ---------------------------------------------------------------- public API

export type { AmazonRegion } from './selling-partner';

/**
 * Datasets we always ask for: everything `toDockhandOrder` reads, nothing more. PACKAGES (what
 * was confirmed to Amazon, with tracking) is valid for both searchOrders and getOrder.
 */
export const INCLUDED_DATA = ['BUYER', 'RECIPIENT', 'FULFILLMENT', 'PROCEEDS', 'CANCELLATION', 'PACKAGES'] as const;

export interface AmazonOrdersClientOptions extends AmazonCredentials {
  logger?: Logger;
  /** Retries after the first try for 429, 5xx and network failures. Default 5. */
  maxRetries?: number;
  /** Share one pacer between clients of the same seller account: Amazon's limits are per seller and app. */
  pacer?: Pacer;
  /** First backoff step for 5xx/network retries. Default 500 ms. */
  retryBaseMs?: number;
  /** Whole-response deadline per HTTP call. Default 30 s. */
  timeoutMs?: number;
  /** Jitter source in [0, 1). Default Math.random. */
  random?: () => number;
}

export interface SearchOrdersQuery {
  marketplaceIds: string[];
  /** Exactly one of lastUpdatedAfter and createdAfter (ISO 8601). */
  lastUpdatedAfter?: string;
  createdAfter?: string;
  fulfillmentStatuses?: string[];
  /** Default ['MERCHANT']: Dockhand ships merchant-fulfilled orders only. */
  fulfilledBy?: ('MERCHANT' | 'AMAZON')[];
  /** The previous page's nextToken. */
  paginationToken?: string;
  /** 1–100; Amazon's default is 100. */
  maxResultsPerPage?: number;
}

export interface SearchOrdersPage {
  /** Raw wire orders, each a JSON object; validate them with `parseAmazonOrders`. */
  orders: RawAmazonOrder[];
  nextToken?: string;
  /** Amazon's snapshot bound: the next sync window starts here. */
  lastUpdatedBefore?: string;
  createdBefore?: string;
}

export type OperationBudget = { tokens: number; ratePerSecond: number };

export interface AmazonOrdersClient {
  /** searchOrders (Orders API v2026-01-01), always with INCLUDED_DATA. */
  searchOrders(q: SearchOrdersQuery): Promise<SearchOrdersPage>;
  /** getOrder (v2026-01-01) with INCLUDED_DATA; resolves to the raw wire order object. */
  getOrder(orderId: string): Promise<RawAmazonOrder>;
  /** confirmShipment (Orders v0): tells Amazon a package shipped. */
  confirmShipment(orderId: string, body: ConfirmShipmentRequest): Promise<void>;
  /** Exchanges the refresh token for an access token at LWA; throws amazon.auth_rejected if refused. */
  checkCredentials(): Promise<void>;
  /** Tokens left and current rate per operation, for progress display. */
  budget(): Record<AmazonOperation, OperationBudget>;
  /** Stops the pacer's timer (unless it was passed in) and closes pooled sockets. */
  close(): Promise<void>;
}

const AUTH_HINT =
  'Check SELLING_PARTNER_APP_CLIENT_ID, SELLING_PARTNER_APP_CLIENT_SECRET and AMAZON_REFRESH_TOKEN; if the seller revoked the app, authorize it again in Seller Central to get a new refresh token.';
const UNREACHABLE_HINT = 'Amazon did not answer; Dockhand retries on the next run. Check the network or https://status.amazon.com if it persists.';
const CONFIG_HINT = 'Check AMAZON_REGION (na, eu or fe) and the Amazon credentials.';

/** Maps what amazon-sp-api or Node throws (no HTTP response from SP-API) to a DockhandError. */
function fromThrown(e: unknown, what: string): DockhandError {
  if (e instanceof DockhandError) return e;
  const { kind, code, message } = classifyThrown(e);
  switch (kind) {
    case 'lwa_refused':
      return new DockhandError('amazon.auth_rejected', `Login with Amazon refused our credentials (${code}) during ${what}: ${message}`, { hint: AUTH_HINT, cause: e });
    case 'lwa_unavailable':
      return new DockhandError('amazon.unreachable', `Login with Amazon failed (${code}) during ${what}`, { hint: UNREACHABLE_HINT, cause: e, transient: true });
    case 'tls':
      return new DockhandError('amazon.unreachable', `TLS check failed (${code}) during ${what}: ${message}`, { hint: TLS_HINT, cause: e });
    case 'network':
      return new DockhandError('amazon.unreachable', `Amazon unreachable (${code}) during ${what}: ${message}`, { hint: UNREACHABLE_HINT, cause: e, transient: true });
    case 'unknown':
      return new DockhandError('internal', `${what} failed: ${message}`, { cause: e });
  }
}

function headerValue(headers: RawResult['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function firstAmazonError(body: string): AmazonError | undefined {
  try {
    const parsed = AmazonErrorList.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data.errors[0] : undefined;
  } catch {
    return undefined;
  }
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
}

/**
 * Creates the Orders API client on top of amazon-sp-api. The library only moves bytes
 * (`raw_result`, its own retries off); pacing, retries, token refresh and error mapping live
 * here, in one place, so every call is counted and classified the same way.
 *
 * @throws DockhandError `config.invalid` when the URLs or credentials can't be used at all.
 */
export function createAmazonOrdersClient(opts: AmazonOrdersClientOptions): AmazonOrdersClient {
  const log = (opts.logger ?? silentLogger).child({ component: 'amazon-orders', region: opts.region });
  const maxRetries = opts.maxRetries ?? 5;
  const retryBaseMs = opts.retryBaseMs ?? 500;
  const random = opts.random ?? Math.random;
  const timeouts = { deadline: opts.timeoutMs ?? 30_000 };
  // getOrder/searchOrders from v2026-01-01; confirmShipment only exists in v0, which the
  // library's version fallback picks for it.
  const { sp, agent } = createSellingPartner(opts, { timeouts, endpointsVersions: { orders: '2026-01-01' }, hints: { auth: AUTH_HINT, config: CONFIG_HINT } });
  // Created after the library so that a configuration error leaves no pacer timer running.
  const ownPacer = !opts.pacer;
  const pacer = opts.pacer ?? createPacer();

  const backoff = (attempt: number, op: AmazonOperation, throttled: boolean): number =>
    nextRetryDelayMs({ attempt, ratePerSecond: pacer.budget(op).ratePerSecond, throttled, jitter: random(), baseMs: retryBaseMs });

  /**
   * One logical call: paced, retried on 429/5xx/network up to maxRetries, token refreshed once
   * on "access token expired". Returns the 2xx response; throws a DockhandError otherwise.
   * `params` is a factory because amazon-sp-api encodes path parameters in place.
   */
  async function send(op: AmazonOperation, what: string, params: () => CallParams): Promise<RawResult> {
    let refreshed = false;
    let retries = 0;
    const retry = async (reason: Record<string, unknown>, delayMs: number): Promise<void> => {
      retries += 1;
      log.warn({ op, attempt: retries, delayMs, ...reason }, 'retrying SP-API call');
      if (delayMs > 0) await sleep(delayMs);
    };
    for (;;) {
      const started = Date.now();
      let res: RawResult;
      try {
        res = await pacer.schedule(op, () => sp.callAPI({ ...params(), options: { raw_result: true, timeouts } }));
      } catch (e) {
        const err = fromThrown(e, what);
        if (err.transient && retries < maxRetries) {
          await retry({ code: thrownCode(e) }, backoff(retries + 1, op, false));
          continue;
        }
        log.error({ op, code: err.code, cause: thrownCode(e) }, 'SP-API call failed');
        throw err;
      }

      const status = res.statusCode;
      const requestId = headerValue(res.headers, 'x-amzn-requestid');
      const rate = parseRateLimitHeader(res.headers['x-amzn-ratelimit-limit']);
      if (rate !== undefined && pacer.adoptRate(op, rate)) log.info({ op, ratePerSecond: rate }, 'adopted Amazon usage-plan rate');
      log.debug({ op, status, requestId, ms: Date.now() - started }, 'SP-API call');
      if (status >= 200 && status < 300) return res;

      const amazonError = firstAmazonError(res.body);
      const detail = amazonError ? `${amazonError.code}: ${amazonError.message}${amazonError.details ? ` (${amazonError.details})` : ''}` : `HTTP ${status}`;

      if (status === 403 && amazonError?.code === 'Unauthorized' && /access token.*expired/i.test(amazonError.details ?? '') && !refreshed) {
        // Amazon's access tokens live an hour; the library only refreshes on its own when not in raw mode.
        refreshed = true;
        log.info({ op, requestId }, 'access token expired; refreshing');
        try {
          await sp.refreshAccessToken();
        } catch (e) {
          throw fromThrown(e, `refreshing the access token for ${what}`);
        }
        continue;
      }
      if (status === 401 || status === 403) {
        log.error({ op, status, requestId }, 'SP-API refused our access token');
        throw new DockhandError('amazon.auth_rejected', `Amazon refused ${what} (${status} ${detail}, request ${requestId ?? 'n/a'})`, {
          hint: AUTH_HINT,
          status,
        });
      }
      if (status === 429) {
        // Empty our bucket and hold every call of this operation, not just this one, for at
        // least one token's refill time: anything sooner would only be throttled again.
        const holdMs = backoff(retries + 1, op, true);
        pacer.throttled(op, holdMs);
        if (retries < maxRetries) {
          await retry({ status, requestId }, 0);
          continue;
        }
        throw new DockhandError('amazon.rate_limited', `Amazon throttled ${what} ${retries + 1} times in a row (request ${requestId ?? 'n/a'})`, {
          hint: 'Dockhand paces itself to Amazon’s usage plan; it will try again on the next run. Another app using the same seller account may be spending the quota.',
          status,
          transient: true,
        });
      }
      if (status >= 500 || status === 408) {
        if (retries < maxRetries) {
          await retry({ status, requestId }, backoff(retries + 1, op, false));
          continue;
        }
        throw new DockhandError('amazon.unreachable', `Amazon failed ${what} ${retries + 1} times (${status} ${detail}, request ${requestId ?? 'n/a'})`, {
          hint: UNREACHABLE_HINT,
          status,
          transient: true,
        });
      }
      log.warn({ op, status, requestId, amazonCode: amazonError?.code }, 'SP-API rejected the call');
      throw new DockhandError('amazon.rejected', `Amazon rejected ${what} (${status} ${detail}, request ${requestId ?? 'n/a'})`, {
        hint: status === 404 ? 'Amazon does not know this resource; check the order id and the account region.' : 'Amazon refused the request as sent; the message above says which parameter.',
        status,
      });
    }
  }

  function parseBody<T>(res: RawResult, schema: z.ZodType<T>, what: string): T {
    let json: unknown;
    try {
      json = JSON.parse(res.body);
    } catch (e) {
      throw new DockhandError('amazon.unparseable', `Amazon answered ${what} with a body that is not JSON (${res.body.length} bytes)`, {
        hint: 'Amazon sent something unexpected; Dockhand retries on the next run. Report it if it persists.',
        cause: e,
        status: res.statusCode,
        transient: true,
      });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new DockhandError('amazon.unparseable', `Amazon answered ${what} with an unexpected shape: ${describeIssue(parsed.error)}`, {
        hint: 'Amazon may have changed the Orders API; check for a Dockhand update.',
        cause: parsed.error,
        status: res.statusCode,
      });
    }
    return parsed.data;
  }

  return {
    async searchOrders(q) {
      const query: Record<string, unknown> = {
        marketplaceIds: q.marketplaceIds,
        includedData: [...INCLUDED_DATA],
        fulfilledBy: q.fulfilledBy ?? ['MERCHANT'],
      };
      if (q.lastUpdatedAfter !== undefined) query['lastUpdatedAfter'] = q.lastUpdatedAfter;
      if (q.createdAfter !== undefined) query['createdAfter'] = q.createdAfter;
      if (q.fulfillmentStatuses?.length) query['fulfillmentStatuses'] = q.fulfillmentStatuses;
      if (q.paginationToken !== undefined) query['paginationToken'] = q.paginationToken;
      if (q.maxResultsPerPage !== undefined) query['maxResultsPerPage'] = q.maxResultsPerPage;

      const res = await send('searchOrders', 'searchOrders', () => ({ operation: 'orders.searchOrders', query: { ...query } }));
      const body = parseBody(res, SearchOrdersEnvelope, 'searchOrders');
      log.debug({ op: 'searchOrders', count: body.orders.length, more: Boolean(body.pagination?.nextToken) }, 'searchOrders page');
      return {
        orders: body.orders,
        ...(body.pagination?.nextToken ? { nextToken: body.pagination.nextToken } : {}),
        ...(body.lastUpdatedBefore ? { lastUpdatedBefore: body.lastUpdatedBefore } : {}),
        ...(body.createdBefore ? { createdBefore: body.createdBefore } : {}),
      };
    },

    async getOrder(orderId) {
      const what = `getOrder ${orderId}`;
      const res = await send('getOrder', what, () => ({
        operation: 'orders.getOrder',
        path: { orderId },
        query: { includedData: [...INCLUDED_DATA] },
      }));
      return parseBody(res, GetOrderEnvelope, what).order;
    },

    async confirmShipment(orderId, body) {
      const what = `confirmShipment ${orderId}`;
      const checked = ConfirmShipmentRequest.safeParse(body);
      if (!checked.success) {
        throw new DockhandError('internal', `Refusing to send ${what}: ${describeIssue(checked.error)}`, {
          hint: 'The shipment data Dockhand built is incomplete; check the tracking number, carrier and items in ShipStation.',
        });
      }
      // Retrying is safe: packageReferenceId "uniquely identifies a package within the scope of
      // an order" (ordersV0.json), so a repeat describes the same package, not a second one.
      await send('confirmShipment', what, () => ({
        operation: 'orders.confirmShipment',
        path: { orderId },
        body: structuredClone(checked.data),
      }));
      log.info({ op: 'confirmShipment', orderId, packageReferenceId: checked.data.packageDetail.packageReferenceId }, 'shipment confirmed');
    },

    async checkCredentials() {
      let retries = 0;
      for (;;) {
        try {
          await sp.refreshAccessToken();
          return;
        } catch (e) {
          const err = fromThrown(e, 'checking credentials');
          if (!err.transient || retries >= maxRetries) throw err;
          retries += 1;
          await sleep(nextRetryDelayMs({ attempt: retries, ratePerSecond: 1, throttled: false, jitter: random(), baseMs: retryBaseMs }));
        }
      }
    },

    budget() {
      return Object.fromEntries(
        AMAZON_OPERATIONS.map((op) => {
          const { tokens, ratePerSecond } = pacer.budget(op);
          return [op, { tokens, ratePerSecond }];
        }),
      ) as Record<AmazonOperation, OperationBudget>;
    },

    async close() {
      if (ownPacer) await pacer.close();
      agent?.destroy();
    },
  };
}

// ---------------------------------------------------------------- Dockhand orders

export interface OrderPage {
  orders: Order[];
  rejected: RejectedOrder[];
  nextToken?: string;
  lastUpdatedBefore?: string;
  createdBefore?: string;
}

/**
 * Fetches one searchOrders page and maps it into Dockhand orders. Orders that can't be mapped
 * come back in `rejected` (with the raw wire order, for quarantine) instead of failing the page.
 * `ctx.marketplaceIds` defaults to the query's.
 */
export async function fetchOrderPage(
  client: AmazonOrdersClient,
  query: SearchOrdersQuery,
  ctx: { accountId: string; marketplaceIds?: string[] },
  logger: Logger = silentLogger,
): Promise<OrderPage> {
  const page = await client.searchOrders(query);
  const { orders, rejected } = parseAmazonOrders(page.orders, {
    accountId: ctx.accountId,
    marketplaceIds: ctx.marketplaceIds ?? query.marketplaceIds,
  });
  for (const r of rejected) {
    logger.warn({ amazonOrderId: r.amazonOrderId, code: r.error.code, accountId: ctx.accountId }, 'Amazon order rejected');
  }
  return {
    orders,
    rejected,
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    ...(page.lastUpdatedBefore ? { lastUpdatedBefore: page.lastUpdatedBefore } : {}),
    ...(page.createdBefore ? { createdBefore: page.createdBefore } : {}),
  };
}

/**
 * Fetches one order by id as a Dockhand `Order`.
 *
 * @throws DockhandError `order.malformed` / `order.unknown_marketplace` when it can't be mapped,
 *   or the client's amazon.* errors.
 */
export async function fetchDockhandOrder(client: AmazonOrdersClient, orderId: string, ctx: OrderContext): Promise<Order> {
  const raw = await client.getOrder(orderId);
  const { orders, rejected } = parseAmazonOrders([raw], ctx);
  const order = orders[0];
  if (order) return order;
  throw rejected[0]?.error ?? new DockhandError('internal', `getOrder ${orderId} produced no order`);
}
