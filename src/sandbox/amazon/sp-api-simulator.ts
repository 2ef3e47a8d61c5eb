import { createReportsApi, REPORT_DOCUMENT_PATH, REPORTS_USAGE_PLANS, sellerPerformanceReport, type ReportGenerator, type ReportsOperation } from './reports-api';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { createSandboxTls, type SandboxTls } from '../tls';
import { ApiError, invalidInput, type ApiResult } from './api-error';
import {
  GRANTLESS_NOTIFICATIONS_OPERATIONS,
  NOTIFICATIONS_USAGE_PLANS,
  createNotificationsStore,
  notificationsHandlers,
  type NotificationsOperation,
  type WireDestination,
  type WireSubscription,
} from './notifications-api';
import {
  BUYER_REQUESTED_CANCEL,
  ORDER_STATUS_CHANGE_REASON,
  buildOrderChangeNotification,
  type OrderChangeType,
} from './order-change';
import { ConfirmShipmentRequest, describeIssues } from './confirm-shipment';
import { TokenBucket } from './token-bucket';
import {
  INCLUDED_DATA,
  projectOrder,
  type IncludedData,
  type WireFulfillmentStatus,
  type WireOrder,
} from './wire-order';
import { listenOnLoopback } from '../listen';
import { FEEDS_USAGE_PLANS, createFeedsApi, type FeedsApi, type FeedsOperation } from './feeds-api';
import { LISTINGS_USAGE_PLANS, createListingsApi, listingsFeedProcessor, type ListingsApi, type ListingsOperation } from './listings-api';
import { createFinancesApi, type FinancesApi } from './finances-api';
import { createReturnsSim, paymentAdjustmentProcessor, type ReturnsSim } from './returns-sim';

/** Default LWA app credentials the sandbox accepts when none are given. */
export const SANDBOX_LWA_CREDENTIALS = {
  clientId: 'amzn1.application-oa2-client.dockhandsandbox0000000000000000',
  clientSecret: 'amzn1.oa2-cs.v1.dockhand-sandbox-client-secret',
  refreshToken: 'Atzr|dockhand-sandbox-refresh-token',
} as const;

export type SpApiOperation = 'searchOrders' | 'getOrder' | 'confirmShipment' | NotificationsOperation | ReportsOperation | ListingsOperation | FeedsOperation | 'listFinancialEventsByOrderId';

/**
 * Default usage plans, from each operation's description in orders_2026-01-01.json
 * (searchOrders, getOrder), ordersV0.json (confirmShipment) and notifications.json.
 */
export const SP_API_USAGE_PLANS: Readonly<Record<SpApiOperation, { rate: number; burst: number }>> = {
  searchOrders: { rate: 0.0056, burst: 20 },
  getOrder: { rate: 0.5, burst: 30 },
  confirmShipment: { rate: 2, burst: 10 },
  ...NOTIFICATIONS_USAGE_PLANS,
  ...REPORTS_USAGE_PLANS,
  ...LISTINGS_USAGE_PLANS,
  ...FEEDS_USAGE_PLANS,
  // financesV0.json, listFinancialEventsByOrderId's usage plan.
  listFinancialEventsByOrderId: { rate: 0.5, burst: 30 },
};

/** The selling partner id the sandbox puts in notifications unless `sellerId` is given. */
export const SANDBOX_SELLER_ID = 'A1DOCKHANDSANDBOX';
/** The application id the sandbox puts in notifications unless `applicationId` is given. */
export const SANDBOX_APPLICATION_ID = 'amzn1.sellerapps.app.dockhand-sandbox';
/** The LWA scope grantless Notifications API operations need. */
export const NOTIFICATIONS_SCOPE = 'sellingpartnerapi::notifications';

/** Where a notification goes: an SQS destination created through createDestination. */
export interface NotificationDestination {
  destinationId: string;
  arn: string;
}

/** Receives each published notification body (a JSON string), e.g. to put it on a queue. */
export type NotificationSink = (destination: NotificationDestination, body: string) => void;

/** Grantless scopes LWA issues client_credentials tokens for. */
export const LWA_GRANTLESS_SCOPES = [
  'sellingpartnerapi::notifications',
  'sellingpartnerapi::client_credential:rotation',
] as const;

/** The stats key under which LWA token requests are counted (LWA has no operationId). */
export const LWA_STATS_KEY = 'lwaToken';

export interface SpApiSimulatorOptions {
  /** LWA app client id; defaults to {@link SANDBOX_LWA_CREDENTIALS}. */
  clientId?: string;
  clientSecret?: string;
  refreshToken?: string;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Defaults to 0 (ephemeral). */
  port?: number;
  /** TLS material; a fresh CA and server certificate are created when absent. */
  tls?: SandboxTls;
  /** Lifetime of issued access tokens, judged by `clock`. Default 3600. */
  tokenTtlSeconds?: number;
  /** Multiplies every usage-plan rate (bursts stay as specified). Default 1. */
  rateScale?: number;
  /** Milliseconds since the epoch. Default Date.now. */
  clock?: () => number;
  /** Called with every ORDER_CHANGE notification a subscription asks for (SQS destinations only). */
  onNotification?: NotificationSink;
  /** SellerId in notifications. Default {@link SANDBOX_SELLER_ID}. */
  sellerId?: string;
  /** NotificationMetadata.ApplicationId. Default {@link SANDBOX_APPLICATION_ID}. */
  applicationId?: string;
  /** Delivers each notification this many real milliseconds later (timer). Default 0: synchronously. */
  notificationDelayMs?: number;
  /** A feed is processed this long (simulator clock) after createFeed. Default 0. */
  feedProcessingMs?: number;
  /** An applied refund shows in Finances this long (simulator clock) after its feed was processed. Default one day, as Finances lags. */
  refundPostingMs?: number;
}

/** An order as given to {@link SpApiSimulator.putOrder}: `lastUpdatedTime` may be left out. */
export type NewWireOrder = Omit<WireOrder, 'lastUpdatedTime'> & { lastUpdatedTime?: string };

export interface ShipmentConfirmation {
  orderId: string;
  body: ConfirmShipmentRequest;
  /** Simulator clock (ms) when the confirmation was accepted. */
  at: number;
}

export interface SpApiSimulatorStats {
  /** Requests that reached an operation (throttled ones included), by operationId. */
  requests: Record<string, number>;
  /** Requests answered 429, by operationId. */
  throttled: Record<string, number>;
}

export interface SpApiSimulator {
  /** `https://127.0.0.1:PORT` */
  readonly url: string;
  /** `url + '/auth/o2/token'` */
  readonly lwaUrl: string;
  readonly port: number;
  readonly caCertPem: string;
  /** Inserts or replaces an order; stamps `lastUpdatedTime` with now when absent. */
  putOrder(order: NewWireOrder): WireOrder;
  /** Applies `mutate` to the stored order and bumps `lastUpdatedTime` (strictly increasing). */
  updateOrder(orderId: string, mutate: (order: WireOrder) => void): WireOrder;
  /** Cancels the whole order the way Amazon reports a buyer cancellation. */
  cancelOrder(orderId: string, opts?: { cancelledBy?: 'BUYER' | 'MERCHANT' | 'AMAZON'; reason?: string }): WireOrder;
  /** Records a buyer's cancellation request on every line without cancelling (status unchanged). */
  requestBuyerCancellation(orderId: string, reason?: string): WireOrder;
  /** Replaces the notification sink given as `onNotification` (undefined: publish nowhere). */
  setNotificationSink(sink: NotificationSink | undefined): void;
  /** Loses the next `count` notifications, as if delivery had failed. */
  dropNotifications(count: number): void;
  /** While on, every notification is delivered twice (SQS is at-least-once). */
  duplicateNotifications(on: boolean): void;
  /** Destinations created through the API. */
  destinations(): WireDestination[];
  /** Subscriptions created through the API, with their notificationType. */
  subscriptions(): (WireSubscription & { notificationType: string })[];
  /** A copy of the stored order (every dataset included), or undefined. */
  getOrder(orderId: string): WireOrder | undefined;
  /** Copies of all stored orders, in searchOrders order. */
  orders(): WireOrder[];
  /** Accepted confirmShipment calls, oldest first; from the `from`-th on (a watcher reads only what is new). */
  confirmations(from?: number): ShipmentConfirmation[];
  /** The next `count` API (not LWA) calls that pass auth answer `status` instead. */
  failNext(count: number, status: number): void;
  /** The Reports API's generator of a report type (GET_V2_SELLER_PERFORMANCE_REPORT is registered). */
  registerReportType(reportType: string, generator: ReportGenerator): void;
  /** Reports requested so far. */
  reportRequests(): Array<{ reportId: string; reportType: string; processingStatus: string }>;
  stats(): SpApiSimulatorStats;
  resetStats(): void;
  /** The seller's listings (Listings Items API): put listings, read patches accepted or refused. */
  readonly listings: ListingsApi;
  /** The Feeds API: register a processor per feed type, read the feeds created. */
  readonly feeds: FeedsApi;
  /** Seller-fulfilled returns (the returns report's rows): add one, and the next report shows it. */
  readonly returns: ReturnsSim;
  /** Finances: the refunds the adjustment feeds applied, as listFinancialEventsByOrderId shows them. */
  readonly finances: FinancesApi;
  close(): Promise<void>;
}

const ORDER_ID = /^\d{3}-\d{7}-\d{7}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const TWO_MINUTES_MS = 2 * 60 * 1000;
// "The token will expire after 24 hours." (SearchOrdersResponse.pagination)
const PAGINATION_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_BODY_BYTES = 1024 * 1024;
const FULFILLMENT_STATUSES: readonly WireFulfillmentStatus[] = [
  'PENDING_AVAILABILITY',
  'PENDING',
  'UNSHIPPED',
  'PARTIALLY_SHIPPED',
  'SHIPPED',
  'CANCELLED',
  'UNFULFILLABLE',
];
const FULFILLED_BY = ['MERCHANT', 'AMAZON'] as const;
// The spec documents x-amzn-RateLimit-Limit only on these statuses (403/413/415/429/5xx lack it).
const RATE_LIMIT_HEADER_STATUSES = new Set([200, 204, 400, 404]);


// The query parameters orders_2026-01-01.json defines for each operation. A client sending any
// other name has drifted from the spec (a typo Amazon would ignore or refuse), so it fails here.
const SEARCH_ORDERS_PARAMS = new Set([
  'createdAfter', 'createdBefore', 'lastUpdatedAfter', 'lastUpdatedBefore', 'fulfillmentStatuses',
  'marketplaceIds', 'fulfilledBy', 'maxResultsPerPage', 'paginationToken', 'includedData',
]);
const GET_ORDER_PARAMS = new Set(['includedData']);

function rejectUnknownParams(query: URLSearchParams, allowed: ReadonlySet<string>): void {
  for (const name of query.keys()) {
    if (!allowed.has(name)) throw invalidInput(`Unknown query parameter: ${name}.`);
  }
}

interface IssuedToken {
  expiresAt: number;
  grantless: boolean;
  scope?: string;
}


interface SearchCursor {
  v: 1;
  /** Snapshot upper bound (ms). */
  b: number;
  /** Sort key of the last order on the previous page. */
  k: [number, string];
  /** Fingerprint of the filters the token was issued for. */
  f: string;
  /** Issue time of the first page (ms). */
  i: number;
}

function fail(status: number): ApiError {
  if (status === 429) {
    return new ApiError(429, 'QuotaExceeded', 'You exceeded your quota for the requested resource.');
  }
  if (status === 503) {
    return new ApiError(503, 'ServiceUnavailable', 'Service temporarily unavailable. Please try again later.');
  }
  return new ApiError(status, 'InternalFailure', 'We encountered an internal error. Please try again.');
}

function formatRate(rate: number): string {
  return String(Number(rate.toPrecision(6)));
}

function sortKey(order: WireOrder): [number, string] {
  return [Date.parse(order.lastUpdatedTime), order.orderId];
}

function compareKeys(a: [number, string], b: [number, string]): number {
  if (a[0] !== b[0]) return a[0] - b[0];
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/** Reads a Swagger `type: array` query parameter: comma-separated and/or repeated. */
function listParam(query: URLSearchParams, name: string): string[] | undefined {
  const raw = query.getAll(name);
  if (raw.length === 0) return undefined;
  return raw
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
}

function enumListParam<T extends string>(query: URLSearchParams, name: string, allowed: readonly T[]): T[] | undefined {
  const values = listParam(query, name);
  if (!values) return undefined;
  for (const value of values) {
    if (!(allowed as readonly string[]).includes(value)) {
      throw invalidInput(`Invalid value for ${name}: ${value}`, `Allowed values: ${allowed.join(', ')}`);
    }
  }
  return values as T[];
}

function dateParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  // An unencoded '+' in an offset arrives as a space after form decoding.
  const value = raw.replace(/ /g, '+');
  const ms = Date.parse(value);
  if (!ISO_DATE_TIME.test(value) || Number.isNaN(ms)) {
    throw invalidInput(`Invalid ${name}: ${raw}`, 'The date must be in ISO 8601 date-time format.');
  }
  return ms;
}

function includedDataParam(query: URLSearchParams): Set<IncludedData> {
  return new Set(enumListParam(query, 'includedData', INCLUDED_DATA) ?? []);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) reject(new ApiError(413, 'RequestEntityTooLarge', 'The request size exceeded the maximum accepted size.'));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    'content-length': String(Buffer.byteLength(payload)),
  });
  res.end(payload);
}

/**
 * Starts a loopback Amazon SP-API: Login with Amazon (`POST /auth/o2/token`), Orders API
 * v2026-01-01 searchOrders/getOrder, Orders v0 confirmShipment and Notifications API v1
 * destinations/subscriptions, over HTTPS with the usage-plan rate limits, 403/429 bodies and
 * headers the specs document. Order changes made through the handle publish ORDER_CHANGE
 * notifications to `onNotification` when a subscription asks for them.
 */
export async function startSpApiSimulator(opts: SpApiSimulatorOptions = {}): Promise<SpApiSimulator> {
  const clock = opts.clock ?? Date.now;
  const credentials = {
    clientId: opts.clientId ?? SANDBOX_LWA_CREDENTIALS.clientId,
    clientSecret: opts.clientSecret ?? SANDBOX_LWA_CREDENTIALS.clientSecret,
    refreshToken: opts.refreshToken ?? SANDBOX_LWA_CREDENTIALS.refreshToken,
  };
  const tokenTtlSeconds = opts.tokenTtlSeconds ?? 3600;
  const rateScale = opts.rateScale ?? 1;
  if (!(rateScale > 0)) throw new RangeError('rateScale must be > 0');
  const tls = opts.tls ?? createSandboxTls();

  const orders = new Map<string, WireOrder>();
  const tokens = new Map<string, IssuedToken>();
  const confirmations: ShipmentConfirmation[] = [];
  let requests: Record<string, number> = {};
  let throttled: Record<string, number> = {};
  let pendingFailures: { count: number; status: number } = { count: 0, status: 500 };
  let lastStamp = Number.NEGATIVE_INFINITY;

  const listings = createListingsApi(clock);
  const feedsApi = createFeedsApi({ clock, processingMs: opts.feedProcessingMs ?? 0 });
  feedsApi.register('JSON_LISTINGS_FEED', listingsFeedProcessor(listings));
  const finances = createFinancesApi();
  const returnsSim = createReturnsSim();
  feedsApi.register(
    'POST_PAYMENT_ADJUSTMENT_DATA',
    paymentAdjustmentProcessor({
      finances,
      clock,
      postDelayMs: opts.refundPostingMs ?? 86_400_000,
      lookup: (orderId) => {
        const order = orders.get(orderId);
        if (!order) return undefined;
        const currency = order.proceeds?.grandTotal?.currencyCode ?? order.orderItems.map((i) => i.product?.price?.unitPrice?.currencyCode).find(Boolean);
        return { items: order.orderItems.map((i) => i.orderItemId), ...(currency ? { currency } : {}) };
      },
    }),
  );

  const startedAt = clock();
  const buckets = Object.fromEntries(
    (Object.keys(SP_API_USAGE_PLANS) as SpApiOperation[]).map((op) => {
      const plan = SP_API_USAGE_PLANS[op];
      return [op, new TokenBucket(plan.rate * rateScale, plan.burst, startedAt)];
    }),
  ) as Record<SpApiOperation, TokenBucket>;

  const count = (table: Record<string, number>, key: string): void => {
    table[key] = (table[key] ?? 0) + 1;
  };

  // Never earlier than any stamp already handed out, so "now" as a search bound covers them.
  const logicalNow = (): number => Math.max(clock(), lastStamp);

  const nextStamp = (previous?: string): string => {
    const previousMs = previous === undefined ? Number.NEGATIVE_INFINITY : Date.parse(previous);
    const ms = Math.max(clock(), lastStamp + 1, Number.isNaN(previousMs) ? Number.NEGATIVE_INFINITY : previousMs + 1);
    lastStamp = ms;
    return new Date(ms).toISOString();
  };

  const stored = (orderId: string): WireOrder => {
    const order = orders.get(orderId);
    if (!order) throw new Error(`SP-API sandbox has no order ${orderId}`);
    return order;
  };

  // ---------------------------------------------------------------- ORDER_CHANGE publishing

  const sellerId = opts.sellerId ?? SANDBOX_SELLER_ID;
  const applicationId = opts.applicationId ?? SANDBOX_APPLICATION_ID;
  const notificationDelayMs = opts.notificationDelayMs ?? 0;
  const notifications = createNotificationsStore();
  let sink = opts.onNotification;
  let toDrop = 0;
  let duplicate = false;
  const pendingDeliveries = new Set<NodeJS.Timeout>();

  const deliver = (destination: NotificationDestination, body: string): void => {
    const target = sink;
    if (!target) return;
    const times = duplicate ? 2 : 1;
    for (let i = 0; i < times; i++) {
      if (notificationDelayMs <= 0) {
        target(destination, body);
        continue;
      }
      const timer = setTimeout(() => {
        pendingDeliveries.delete(timer);
        target(destination, body);
      }, notificationDelayMs);
      timer.unref();
      pendingDeliveries.add(timer);
    }
  };

  /** Publishes an ORDER_CHANGE for `order` (already stamped) if a subscription's filter matches. */
  const publish = (order: WireOrder, changeType: OrderChangeType, changeReason: string): void => {
    const subscription = notifications.subscriptions.get('ORDER_CHANGE');
    if (!subscription) return;
    const filter = subscription.processingDirective?.eventFilter;
    if (filter?.marketplaceIds && !filter.marketplaceIds.includes(order.salesChannel.marketplaceId ?? '')) return;
    if (filter?.orderChangeTypes && !filter.orderChangeTypes.includes(changeType)) return;
    const arn = notifications.destinations.get(subscription.destinationId)?.resource.sqs?.arn;
    if (arn === undefined) return; // EventBridge destinations are accepted but never delivered to
    if (toDrop > 0) {
      toDrop -= 1;
      return;
    }
    const body = buildOrderChangeNotification(order, {
      sellerId,
      applicationId,
      subscriptionId: subscription.subscriptionId,
      notificationId: randomUUID(),
      changeType,
      changeReason,
      now: logicalNow(),
    });
    deliver({ destinationId: subscription.destinationId, arn }, JSON.stringify(body));
  };

  // ---------------------------------------------------------------- Login with Amazon

  const lwaError = (status: number, error: string, description: string): ApiResult => ({
    status,
    body: { error_description: description, error },
  });

  const handleLwa = async (req: IncomingMessage): Promise<ApiResult> => {
    count(requests, LWA_STATS_KEY);
    if (req.method !== 'POST') return lwaError(400, 'invalid_request', 'The request method must be POST.');
    const raw = (await readBody(req)).toString('utf8');
    let params: Record<string, unknown>;
    const contentType = req.headers['content-type'] ?? '';
    try {
      params = contentType.includes('json')
        ? (JSON.parse(raw) as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(raw));
    } catch {
      return lwaError(400, 'invalid_request', 'The request body could not be parsed.');
    }
    if (typeof params !== 'object' || params === null) {
      return lwaError(400, 'invalid_request', 'The request body could not be parsed.');
    }
    const grantType = params['grant_type'];
    if (typeof grantType !== 'string') {
      return lwaError(400, 'invalid_request', 'The request is missing a required parameter : grant_type');
    }
    if (grantType !== 'refresh_token' && grantType !== 'client_credentials') {
      return lwaError(400, 'unsupported_grant_type', `The authorization grant type is not supported : ${grantType}`);
    }
    if (params['client_id'] !== credentials.clientId || params['client_secret'] !== credentials.clientSecret) {
      return lwaError(401, 'invalid_client', 'Client authentication failed');
    }
    const accessToken = `Atza|${randomBytes(32).toString('base64url')}`;
    const expiresAt = clock() + tokenTtlSeconds * 1000;
    if (grantType === 'refresh_token') {
      if (params['refresh_token'] !== credentials.refreshToken) {
        return lwaError(400, 'invalid_grant', 'The request has an invalid grant parameter : refresh_token');
      }
      tokens.set(accessToken, { expiresAt, grantless: false });
      return {
        status: 200,
        body: {
          access_token: accessToken,
          refresh_token: credentials.refreshToken,
          token_type: 'bearer',
          expires_in: tokenTtlSeconds,
        },
      };
    }
    const scope = params['scope'];
    if (typeof scope !== 'string' || !(LWA_GRANTLESS_SCOPES as readonly string[]).includes(scope)) {
      return lwaError(400, 'invalid_scope', 'An unknown scope was requested');
    }
    tokens.set(accessToken, { expiresAt, grantless: true, scope });
    return { status: 200, body: { access_token: accessToken, scope, token_type: 'bearer', expires_in: tokenTtlSeconds } };
  };

  // ---------------------------------------------------------------- Orders API

  // Grantless operations take only a client_credentials token for the notifications scope;
  // every other operation needs the seller's authorization (a refresh_token grant).
  const authorize = (req: IncomingMessage, grantless: boolean): void => {
    const header = req.headers['x-amz-access-token'];
    const token = Array.isArray(header) ? header[0] : header;
    const issued = token === undefined ? undefined : tokens.get(token);
    const fits = grantless ? issued?.grantless === true && issued.scope === NOTIFICATIONS_SCOPE : issued?.grantless === false;
    if (!issued || !fits) {
      throw new ApiError(403, 'Unauthorized', 'Access to requested resource is denied.');
    }
    if (clock() >= issued.expiresAt) {
      // amazon-sp-api refreshes when details match /access token.*expired/.
      throw new ApiError(403, 'Unauthorized', 'Access to requested resource is denied.', 'The access token you provided has expired.');
    }
  };

  const searchOrders = (query: URLSearchParams): ApiResult => {
    rejectUnknownParams(query, SEARCH_ORDERS_PARAMS);
    const now = clock();
    const createdAfter = dateParam(query, 'createdAfter');
    const createdBefore = dateParam(query, 'createdBefore');
    const lastUpdatedAfter = dateParam(query, 'lastUpdatedAfter');
    const lastUpdatedBefore = dateParam(query, 'lastUpdatedBefore');
    if ((createdAfter === undefined) === (lastUpdatedAfter === undefined)) {
      throw invalidInput('Exactly one of createdAfter and lastUpdatedAfter must be provided.');
    }
    if (createdAfter !== undefined && lastUpdatedBefore !== undefined) {
      throw invalidInput('lastUpdatedBefore may not be provided together with createdAfter.');
    }
    if (lastUpdatedAfter !== undefined && createdBefore !== undefined) {
      throw invalidInput('createdBefore may not be provided together with lastUpdatedAfter.');
    }
    const mode = createdAfter !== undefined ? 'created' : 'lastUpdated';
    const after = (createdAfter ?? lastUpdatedAfter) as number;
    const before = mode === 'created' ? createdBefore : lastUpdatedBefore;
    const beforeName = mode === 'created' ? 'createdBefore' : 'lastUpdatedBefore';
    if (before !== undefined) {
      if (before < after) {
        throw invalidInput(`${beforeName} must be equal to or after ${mode === 'created' ? 'createdAfter' : 'lastUpdatedAfter'}.`);
      }
      if (before > now - TWO_MINUTES_MS) {
        throw invalidInput(`${beforeName} must be at least two minutes before the time of the request.`);
      }
    }
    const statuses = enumListParam(query, 'fulfillmentStatuses', FULFILLMENT_STATUSES);
    const fulfilledBy = enumListParam(query, 'fulfilledBy', FULFILLED_BY);
    const marketplaceIds = listParam(query, 'marketplaceIds');
    if (marketplaceIds && marketplaceIds.length > 50) {
      throw invalidInput('marketplaceIds may contain at most 50 values.');
    }
    const rawMax = query.get('maxResultsPerPage');
    const maxResults = rawMax === null ? 100 : Number(rawMax);
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
      throw invalidInput('maxResultsPerPage must be an integer between 1 and 100.');
    }
    const included = includedDataParam(query);

    // maxResultsPerPage and includedData may change between pages; every other filter may not.
    const fingerprint = createHash('sha256')
      .update(
        JSON.stringify([
          mode,
          after,
          before ?? null,
          [...(statuses ?? [])].sort(),
          [...(fulfilledBy ?? [])].sort(),
          [...(marketplaceIds ?? [])].sort(),
        ]),
      )
      .digest('base64url')
      .slice(0, 16);

    let cursor: SearchCursor | undefined;
    const rawToken = query.get('paginationToken');
    if (rawToken !== null) {
      try {
        cursor = JSON.parse(Buffer.from(rawToken, 'base64url').toString('utf8')) as SearchCursor;
      } catch {
        cursor = undefined;
      }
      if (!cursor || cursor.v !== 1 || typeof cursor.b !== 'number' || !Array.isArray(cursor.k)) {
        throw invalidInput('Invalid paginationToken.');
      }
      if (cursor.f !== fingerprint) {
        throw invalidInput('Invalid paginationToken.', 'Request parameters must match the request that returned the token.');
      }
      if (now - cursor.i > PAGINATION_TOKEN_TTL_MS) {
        throw invalidInput('Invalid paginationToken.', 'The paginationToken has expired.');
      }
    }

    // The bound is fixed on the first page and carried in the token, so later pages see the
    // same snapshot; orders changed meanwhile move past the bound and surface in the next window.
    const bound = cursor?.b ?? before ?? logicalNow();
    const matching = [...orders.values()]
      .filter((order) => {
        const at = Date.parse(mode === 'created' ? order.createdTime : order.lastUpdatedTime);
        if (!(at >= after && at <= bound)) return false;
        if (statuses && !statuses.includes(order.fulfillment?.fulfillmentStatus as WireFulfillmentStatus)) return false;
        if (fulfilledBy && !fulfilledBy.includes(order.fulfillment?.fulfilledBy as (typeof FULFILLED_BY)[number])) return false;
        if (marketplaceIds && !marketplaceIds.includes(order.salesChannel.marketplaceId ?? '')) return false;
        return true;
      })
      .sort((a, b) => compareKeys(sortKey(a), sortKey(b)));
    // Keyset rather than a bare offset: an order already returned that gets updated mid-walk
    // moves behind the cursor instead of shifting every later order back by one.
    const remaining = cursor ? matching.filter((order) => compareKeys(sortKey(order), cursor.k) > 0) : matching;
    const page = remaining.slice(0, maxResults);
    const last = page[page.length - 1];
    const body: Record<string, unknown> = { orders: page.map((order) => projectOrder(order, included)) };
    if (remaining.length > maxResults && last) {
      const next: SearchCursor = { v: 1, b: bound, k: sortKey(last), f: fingerprint, i: cursor?.i ?? now };
      body['pagination'] = { nextToken: Buffer.from(JSON.stringify(next)).toString('base64url') };
    }
    body[beforeName] = new Date(bound).toISOString();
    return { status: 200, body };
  };

  const findOrder = (orderId: string): WireOrder => {
    const order = orders.get(orderId);
    if (order) return order;
    if (!ORDER_ID.test(orderId)) throw invalidInput(`Invalid orderId: ${orderId}`, 'Expected the 3-7-7 format.');
    throw new ApiError(404, 'NotFound', 'The requested order was not found.', `No order ${orderId}`);
  };

  const getOrder = (orderId: string, query: URLSearchParams): ApiResult => {
    rejectUnknownParams(query, GET_ORDER_PARAMS);
    const included = includedDataParam(query);
    return { status: 200, body: { order: projectOrder(findOrder(orderId), included) } };
  };

  const confirmShipment = async (orderId: string, req: IncomingMessage): Promise<ApiResult> => {
    const raw = (await readBody(req)).toString('utf8');
    const order = findOrder(orderId);
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw invalidInput('Invalid Input', 'The request body is not valid JSON.');
    }
    const parsed = ConfirmShipmentRequest.safeParse(json);
    if (!parsed.success) throw invalidInput('Invalid Input', describeIssues(parsed.error));
    const request = parsed.data;
    if (request.marketplaceId !== order.salesChannel.marketplaceId) {
      throw invalidInput('Invalid Input', `marketplaceId ${request.marketplaceId} does not match the order.`);
    }
    if (order.fulfillment?.fulfilledBy === 'AMAZON') {
      throw invalidInput('Invalid Input', 'Only merchant-fulfilled orders can be confirmed.');
    }
    const status = order.fulfillment?.fulfillmentStatus;
    if (status === 'CANCELLED' || status === 'PENDING' || status === 'PENDING_AVAILABILITY') {
      throw invalidInput('Invalid Input', `An order in status ${status} cannot be confirmed.`);
    }
    const detail = request.packageDetail;
    if (detail.orderItems.length === 0) throw invalidInput('Invalid Input', 'packageDetail.orderItems is empty.');
    // Re-sending a packageReferenceId replaces that package (e.g. a corrected tracking number).
    const otherPackages = (order.packages ?? []).filter((pkg) => pkg.packageReferenceId !== detail.packageReferenceId);
    for (const line of detail.orderItems) {
      const item = order.orderItems.find((candidate) => candidate.orderItemId === line.orderItemId);
      if (!item) throw invalidInput('Invalid Input', `orderItemId ${line.orderItemId} is not part of order ${orderId}.`);
      if (line.quantity < 1) throw invalidInput('Invalid Input', `quantity for ${line.orderItemId} must be at least 1.`);
      const alreadyShipped = otherPackages
        .flatMap((pkg) => pkg.packageItems ?? [])
        .filter((packed) => packed.orderItemId === line.orderItemId)
        .reduce((sum, packed) => sum + packed.quantity, 0);
      if (alreadyShipped + line.quantity > item.quantityOrdered) {
        throw invalidInput('Invalid Input', `quantity for ${line.orderItemId} exceeds the quantity ordered.`);
      }
    }

    const at = clock();
    confirmations.push({ orderId, body: structuredClone(request), at });
    const shipTime = new Date(Date.parse(detail.shipDate)).toISOString();
    order.packages = [
      ...otherPackages,
      {
        packageReferenceId: detail.packageReferenceId,
        createdTime: new Date(at).toISOString(),
        packageStatus: { status: 'SHIPPED' },
        carrier: detail.carrierName ?? detail.carrierCode,
        shipTime,
        ...(detail.shippingMethod === undefined ? {} : { shippingService: detail.shippingMethod }),
        trackingNumber: detail.trackingNumber,
        packageItems: detail.orderItems.map((line) => ({
          orderItemId: line.orderItemId,
          quantity: line.quantity,
          ...(line.transparencyCodes ? { transparencyCodes: line.transparencyCodes } : {}),
        })),
      },
    ];
    let allShipped = true;
    for (const item of order.orderItems) {
      const shipped = order.packages
        .flatMap((pkg) => pkg.packageItems ?? [])
        .filter((packed) => packed.orderItemId === item.orderItemId)
        .reduce((sum, packed) => sum + packed.quantity, 0);
      item.fulfillment = { ...item.fulfillment, quantityFulfilled: shipped, quantityUnfulfilled: item.quantityOrdered - shipped };
      if (shipped < item.quantityOrdered) allShipped = false;
    }
    order.fulfillment = {
      ...order.fulfillment,
      fulfillmentStatus: allShipped ? 'SHIPPED' : 'PARTIALLY_SHIPPED',
    };
    order.lastUpdatedTime = nextStamp(order.lastUpdatedTime);
    if (order.fulfillment.fulfillmentStatus !== status) publish(order, 'OrderStatusChange', ORDER_STATUS_CHANGE_REASON);
    return { status: 204 };
  };

  const route = (
    method: string,
    path: string,
  ): { op: SpApiOperation; orderId?: string; params?: string[] } | undefined => {
    const segments = path.split('/').filter((segment) => segment.length > 0);
    const decode = (segment: string): string => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    };
    if (method === 'GET' && segments[0] === 'orders' && segments[1] === '2026-01-01' && segments[2] === 'orders') {
      if (segments.length === 3) return { op: 'searchOrders' };
      if (segments.length === 4 && segments[3] !== undefined) return { op: 'getOrder', orderId: decode(segments[3]) };
    }
    if (
      method === 'POST' &&
      segments.length === 5 &&
      segments[0] === 'orders' &&
      segments[1] === 'v0' &&
      segments[2] === 'orders' &&
      segments[4] === 'shipmentConfirmation' &&
      segments[3] !== undefined
    ) {
      return { op: 'confirmShipment', orderId: decode(segments[3]) };
    }
    if (segments[0] === 'listings' && segments[1] === '2021-08-01' && segments[2] === 'items' && segments.length === 5) {
      const op = ({ GET: 'getListingsItem', PATCH: 'patchListingsItem' } as const)[method as 'GET' | 'PATCH'];
      if (op) return { op, params: [decode(segments[3]!), decode(segments[4]!)] };
    }
    if (segments[0] === 'feeds' && segments[1] === '2021-06-30') {
      const table: Record<string, Partial<Record<string, FeedsOperation>>> = {
        'documents/0': { POST: 'createFeedDocument' },
        'documents/1': { GET: 'getFeedDocument' },
        'feeds/0': { POST: 'createFeed', GET: 'getFeeds' },
        'feeds/1': { GET: 'getFeed' },
      };
      const params = segments.slice(3).map(decode);
      const op = table[`${segments[2]}/${params.length}`]?.[method];
      if (op) return { op, params };
    }
    if (segments[0] === 'notifications' && segments[1] === 'v1') {
      const params = segments.slice(3).map(decode);
      const table: Record<string, Partial<Record<string, NotificationsOperation>>> = {
        'destinations/0': { GET: 'getDestinations', POST: 'createDestination' },
        'destinations/1': { GET: 'getDestination', DELETE: 'deleteDestination' },
        'subscriptions/1': { GET: 'getSubscription', POST: 'createSubscription' },
        'subscriptions/2': { GET: 'getSubscriptionById', DELETE: 'deleteSubscriptionById' },
      };
      const op = table[`${segments[2]}/${params.length}`]?.[method];
      if (op) return { op, params };
    }
    if (method === 'GET' && segments.length === 5 && segments[0] === 'finances' && segments[1] === 'v0' && segments[2] === 'orders' && segments[4] === 'financialEvents') {
      return { op: 'listFinancialEventsByOrderId', params: [decode(segments[3]!)] };
    }
    if (segments[0] === 'reports' && segments[1] === '2021-06-30') {
      if (method === 'POST' && segments[2] === 'reports' && segments.length === 3) return { op: 'createReport' };
      if (method === 'GET' && segments[2] === 'reports' && segments.length === 4) return { op: 'getReport', params: [decode(segments[3]!)] };
      if (method === 'GET' && segments[2] === 'documents' && segments.length === 4) return { op: 'getReportDocument', params: [decode(segments[3]!)] };
    }
    return undefined;
  };

  const notificationsApi = notificationsHandlers(notifications, applicationId);
  let reportsBaseUrl = '';
  const reportsApi = createReportsApi({ baseUrl: () => reportsBaseUrl, clock });
  reportsApi.register('GET_V2_SELLER_PERFORMANCE_REPORT', sellerPerformanceReport);
  reportsApi.register('GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE', returnsSim.report);
  const dispatchNotifications = async (op: NotificationsOperation, params: string[], req: IncomingMessage, query: URLSearchParams): Promise<ApiResult> => {
    const [first = '', second = ''] = params;
    switch (op) {
      case 'createDestination':
        return notificationsApi.createDestination((await readBody(req)).toString('utf8'));
      case 'getDestinations':
        return notificationsApi.getDestinations();
      case 'getDestination':
        return notificationsApi.getDestination(first);
      case 'deleteDestination':
        return notificationsApi.deleteDestination(first);
      case 'createSubscription':
        return notificationsApi.createSubscription(first, (await readBody(req)).toString('utf8'));
      case 'getSubscription':
        return notificationsApi.getSubscription(first, query);
      case 'getSubscriptionById':
        return notificationsApi.getSubscriptionById(first, second);
      case 'deleteSubscriptionById':
        return notificationsApi.deleteSubscriptionById(first, second);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'https://sellingpartnerapi-na.amazon.com');
    if (url.pathname === '/auth/o2/token') {
      let result: ApiResult;
      try {
        result = await handleLwa(req);
      } catch (error) {
        result = error instanceof ApiError ? lwaError(error.status, 'invalid_request', error.message) : lwaError(500, 'server_error', 'Internal error');
      }
      send(res, result.status, result.body, { 'x-amzn-RequestId': requestId });
      return;
    }

    // A report document's pre-signed URL: no token, as on Amazon's S3.
    if (req.method === 'GET' && url.pathname.startsWith(REPORT_DOCUMENT_PATH)) {
      const doc = reportsApi.document(decodeURIComponent(url.pathname.slice(REPORT_DOCUMENT_PATH.length)));
      if (!doc) return void res.writeHead(404, { 'content-type': 'application/xml' }).end('<Error><Code>NoSuchKey</Code></Error>');
      res.writeHead(200, { 'content-type': doc.contentType, 'content-length': String(doc.bytes.length) }).end(doc.bytes);
      return;
    }
    // Presigned feed document URLs carry their own authorization, as S3's do.
    if (await feedsApi.serveDocument(req, res, url.pathname)) return;
    const target = route(req.method ?? 'GET', url.pathname);
    if (!target) {
      send(res, 404, new ApiError(404, 'NotFound', 'Resource not found.', `${req.method} ${url.pathname}`).toBody(), {
        'x-amzn-RequestId': requestId,
      });
      return;
    }
    const { op } = target;
    const rateHeader = { 'x-amzn-RateLimit-Limit': formatRate(buckets[op].ratePerSecond) };
    count(requests, op);
    let result: ApiResult;
    try {
      authorize(req, GRANTLESS_NOTIFICATIONS_OPERATIONS.has(op as NotificationsOperation));
      if (!buckets[op].tryTake(clock())) {
        count(throttled, op);
        throw fail(429);
      }
      if (pendingFailures.count > 0) {
        pendingFailures.count -= 1;
        throw fail(pendingFailures.status);
      }
      if (op === 'searchOrders') result = searchOrders(url.searchParams);
      else if (op === 'getOrder') result = getOrder(target.orderId ?? '', url.searchParams);
      else if (op === 'confirmShipment') result = await confirmShipment(target.orderId ?? '', req);
      else if (op === 'createReport') result = reportsApi.createReport((await readBody(req)).toString('utf8'));
      else if (op === 'getReport') result = reportsApi.getReport(target.params?.[0] ?? '');
      else if (op === 'getReportDocument') result = reportsApi.getReportDocument(target.params?.[0] ?? '');
      else if (op === 'getListingsItem' || op === 'patchListingsItem') {
        const [sellerId = '', sku = ''] = target.params ?? [];
        result = op === 'getListingsItem' ? listings.getListingsItem(sellerId, sku, url.searchParams) : listings.patchListingsItem(sellerId, sku, url.searchParams, (await readBody(req)).toString('utf8'));
      } else if (op === 'createFeedDocument') result = feedsApi.createFeedDocument((await readBody(req)).toString('utf8'), baseUrl);
      else if (op === 'createFeed') result = feedsApi.createFeed((await readBody(req)).toString('utf8'));
      else if (op === 'getFeed') result = feedsApi.getFeed(target.params?.[0] ?? '');
      else if (op === 'getFeedDocument') result = feedsApi.getFeedDocument(target.params?.[0] ?? '', baseUrl);
      else if (op === 'getFeeds') result = feedsApi.getFeeds(url.searchParams);
      else if (op === 'listFinancialEventsByOrderId') result = finances.handle('GET', url.pathname, url.searchParams, new Date(clock()))!;
      else result = await dispatchNotifications(op, target.params ?? [], req, url.searchParams);
    } catch (error) {
      const apiError =
        error instanceof ApiError ? error : new ApiError(500, 'InternalFailure', 'We encountered an internal error. Please try again.');
      result = { status: apiError.status, body: apiError.toBody() };
    }
    send(res, result.status, result.body, {
      'x-amzn-RequestId': requestId,
      ...(RATE_LIMIT_HEADER_STATUSES.has(result.status) ? rateHeader : {}),
    });
  };

  const server = createServer({ key: tls.serverKeyPem, cert: tls.serverCertPem }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, fail(500).toBody(), {});
      else res.destroy();
    });
  });
  const baseUrl = await listenOnLoopback(server, opts, 'https');
  reportsBaseUrl = baseUrl;
  const port = Number(new URL(baseUrl).port);

  const sorted = (): WireOrder[] => [...orders.values()].sort((a, b) => compareKeys(sortKey(a), sortKey(b)));

  return {
    url: baseUrl,
    lwaUrl: `${baseUrl}/auth/o2/token`,
    registerReportType: (type, generator) => reportsApi.register(type, generator),
    reportRequests: () => reportsApi.requests(),
    port,
    caCertPem: tls.caCertPem,
    putOrder(order) {
      if (typeof order.orderId !== 'string' || !Array.isArray(order.orderItems)) {
        throw new TypeError('putOrder needs an orderId and orderItems');
      }
      const copy = structuredClone(order) as WireOrder;
      if (copy.lastUpdatedTime === undefined) copy.lastUpdatedTime = nextStamp();
      const previous = orders.get(copy.orderId);
      orders.set(copy.orderId, copy);
      if (!previous || previous.fulfillment?.fulfillmentStatus !== copy.fulfillment?.fulfillmentStatus) {
        publish(copy, 'OrderStatusChange', ORDER_STATUS_CHANGE_REASON);
      }
      return structuredClone(copy);
    },
    updateOrder(orderId, mutate) {
      const order = stored(orderId);
      const previous = order.lastUpdatedTime;
      const previousStatus = order.fulfillment?.fulfillmentStatus;
      mutate(order);
      if (order.orderId !== orderId) throw new Error('updateOrder must not change orderId');
      order.lastUpdatedTime = nextStamp(previous);
      // ORDER_CHANGE reports status transitions and buyer requests, not e.g. address edits:
      // those only show up when polling.
      if (order.fulfillment?.fulfillmentStatus !== previousStatus) publish(order, 'OrderStatusChange', ORDER_STATUS_CHANGE_REASON);
      return structuredClone(order);
    },
    cancelOrder(orderId, cancelOpts = {}) {
      const order = stored(orderId);
      const previousStatus = order.fulfillment?.fulfillmentStatus;
      const cancelledBy = cancelOpts.cancelledBy ?? 'BUYER';
      const reason = cancelOpts.reason ?? (cancelledBy === 'BUYER' ? 'BUYER_CANCELED' : 'NO_INVENTORY');
      order.fulfillment = { ...order.fulfillment, fulfillmentStatus: 'CANCELLED' };
      for (const item of order.orderItems) {
        item.cancellation = {
          ...(cancelledBy === 'BUYER' ? { cancellationRequest: { requester: 'BUYER', cancelReason: reason } } : {}),
          cancellationExecution: { cancelledBy, cancelReason: reason },
        };
        item.fulfillment = { ...item.fulfillment, quantityUnfulfilled: 0 };
      }
      order.lastUpdatedTime = nextStamp(order.lastUpdatedTime);
      if (cancelledBy === 'BUYER') publish(order, 'BuyerRequestedChange', BUYER_REQUESTED_CANCEL);
      if (previousStatus !== 'CANCELLED') publish(order, 'OrderStatusChange', ORDER_STATUS_CHANGE_REASON);
      return structuredClone(order);
    },
    requestBuyerCancellation(orderId, reason = 'BUYER_CANCELED') {
      const order = stored(orderId);
      for (const item of order.orderItems) {
        item.cancellation = { ...item.cancellation, cancellationRequest: { requester: 'BUYER', cancelReason: reason } };
      }
      order.lastUpdatedTime = nextStamp(order.lastUpdatedTime);
      publish(order, 'BuyerRequestedChange', BUYER_REQUESTED_CANCEL);
      return structuredClone(order);
    },
    setNotificationSink(next) {
      sink = next;
    },
    dropNotifications(count) {
      toDrop = count;
    },
    duplicateNotifications(on) {
      duplicate = on;
    },
    destinations: () => structuredClone([...notifications.destinations.values()]),
    subscriptions: () => structuredClone([...notifications.subscriptions.values()]),
    getOrder(orderId) {
      const order = orders.get(orderId);
      return order ? structuredClone(order) : undefined;
    },
    orders: () => structuredClone(sorted()),
    confirmations: (from = 0) => structuredClone(confirmations.slice(from)),
    failNext(failures, status) {
      pendingFailures = { count: failures, status };
    },
    stats: () => ({ requests: { ...requests }, throttled: { ...throttled } }),
    resetStats() {
      requests = {};
      throttled = {};
    },
    listings,
    feeds: feedsApi,
    returns: returnsSim,
    finances,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of pendingDeliveries) clearTimeout(timer);
        pendingDeliveries.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
