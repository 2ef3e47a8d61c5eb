import axios, { type AxiosInstance, type AxiosResponse, type Method } from 'axios';
import type { z } from 'zod';
import { DockhandError } from '../domain/errors';
import { silentLogger, type Logger } from '../log/logger';
import { toShipStationDate } from './dates';
import { errorForNetwork, errorForResponse } from './errors';
import { createPacer, defaultSleep, retryDelayMs, type Pacer, type RateBudget } from './pacer';
import {
  CreateOrderInput,
  CreateOrdersResult,
  ListOrdersResponse,
  Order,
  Store,
  SuccessMessage,
  Tag,
  Warehouse,
} from './schemas';

/** createorders takes at most 100 orders per request (spec). */
export const MAX_ORDERS_PER_CALL = 100;
/** ListOrders pageSize maximum (spec). */
export const MAX_PAGE_SIZE = 500;

export interface ShipStationClientOptions {
  /** `https://ssapi.shipstation.com` in production; a simulator URL in tests. */
  baseUrl: string;
  apiKey: string;
  apiSecret: string;
  logger?: Logger;
  /** Retries after the first attempt, for idempotent calls only. Default 3. */
  maxRetries?: number;
  /** Per-request timeout. Default 30 s. */
  timeoutMs?: number;
  /** First backoff step for 5xx/network retries. Default 1 s. */
  retryBaseMs?: number;
  /** Injected for tests; the pacer and backoff use them. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Calls in flight at once (1–2). Default 1. */
  maxConcurrent?: number;
}

export interface ListOrdersQuery {
  /** "Starts with" match (spec). */
  orderNumber?: string;
  storeId?: number;
  orderStatus?: 'awaiting_payment' | 'awaiting_shipment' | 'pending_fulfillment' | 'shipped' | 'on_hold' | 'cancelled';
  /** ISO 8601 instant; sent as Pacific wall time, as ShipStation expects. */
  modifyDateStart?: string;
  modifyDateEnd?: string;
  sortBy?: 'OrderDate' | 'ModifyDate' | 'CreateDate';
  sortDir?: 'ASC' | 'DESC';
  page?: number;
  /** Up to 500. */
  pageSize?: number;
  /** Fetch every page from `page` on and return them as one list. */
  allPages?: boolean;
}

export interface ShipStationClient {
  /**
   * POST /orders/createorders in batches of {@link MAX_ORDERS_PER_CALL}. One result per order,
   * in input order; an order ShipStation refused has `success: false` and its `errorMessage`.
   */
  createOrders(orders: CreateOrderInput[]): Promise<CreateOrdersResult>;
  /** POST /orders/createorder: creates, or updates the order with the same `orderKey`. */
  createOrder(order: CreateOrderInput): Promise<Order>;
  /** GET /orders/{orderId}. */
  getOrder(orderId: number): Promise<Order>;
  /** GET /orders. One page, or every page with `allPages`. */
  listOrders(query?: ListOrdersQuery): Promise<ListOrdersResponse>;
  /**
   * ShipStation v1 cannot filter by orderKey, so this lists by orderNumber (a "starts with"
   * search) and picks the order whose orderKey matches. Undefined when there is none.
   */
  findByOrderKey(orderNumber: string, orderKey: string): Promise<Order | undefined>;
  /** GET /stores. */
  listStores(opts?: { showInactive?: boolean }): Promise<Store[]>;
  /** GET /accounts/listtags. */
  listTags(): Promise<Tag[]>;
  /** GET /warehouses. */
  listWarehouses(): Promise<Warehouse[]>;
  /**
   * POST /orders/holduntil. `until` is `YYYY-MM-DD` (a Pacific calendar day, sent as is) or an
   * ISO instant (converted to Pacific wall time).
   */
  holdUntil(orderId: number, until: string): Promise<SuccessMessage>;
  /** POST /orders/addtag. */
  addTag(orderId: number, tagId: number): Promise<SuccessMessage>;
  /** The rate-limit window as last reported by ShipStation. */
  budget(): RateBudget;
}

interface CallSpec<S extends z.ZodType> {
  method: Method;
  path: string;
  /** Human name for messages and logs, e.g. `createorders (100 orders)`. */
  what: string;
  schema: S;
  params?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Whether sending the same request twice leaves ShipStation as sending it once. */
  idempotent: boolean;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const hasOrderKey = (o: CreateOrderInput) => typeof o.orderKey === 'string' && o.orderKey.length > 0;

/** Creates a ShipStation v1 client. One client per API key, so pacing sees every call. */
export function createShipStationClient(opts: ShipStationClientOptions): ShipStationClient {
  const log = (opts.logger ?? silentLogger).child({ component: 'shipstation' });
  const maxRetries = opts.maxRetries ?? 3;
  const retryBaseMs = opts.retryBaseMs ?? 1_000;
  const sleep = opts.sleep ?? defaultSleep;
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const pacerOpts: Parameters<typeof createPacer>[0] = { now, sleep, maxConcurrent: opts.maxConcurrent ?? 1 };
  const pacer: Pacer = createPacer(pacerOpts);

  const http: AxiosInstance = axios.create({
    baseURL: opts.baseUrl.replace(/\/+$/, ''),
    auth: { username: opts.apiKey, password: opts.apiSecret },
    timeout: opts.timeoutMs ?? 30_000,
    headers: { Accept: 'application/json' },
    // We read every status ourselves and parse JSON ourselves, so a non-JSON body is caught
    // as unparseable instead of arriving as a string.
    validateStatus: () => true,
    transformResponse: [(data: unknown) => data],
    responseType: 'text',
    transitional: { clarifyTimeoutError: true },
  });

  async function once<S extends z.ZodType>(spec: CallSpec<S>): Promise<z.infer<S>> {
    const started = now();
    let res: AxiosResponse<string>;
    try {
      res = await pacer.schedule(async () => {
        const r = await http.request<string>({
          method: spec.method,
          url: spec.path,
          params: spec.params,
          data: spec.body,
          headers: spec.body === undefined ? undefined : { 'Content-Type': 'application/json' },
        });
        pacer.observe(r.headers as Record<string, unknown>, r.status);
        return r;
      });
    } catch (e) {
      throw errorForNetwork(e, spec.what);
    }
    const budget = pacer.budget();
    // Only the path, status and timing: bodies and query strings can carry buyer data.
    log.debug(
      { method: spec.method, path: spec.path, status: res.status, ms: now() - started, remaining: budget.remaining },
      'shipstation call',
    );
    const text = typeof res.data === 'string' ? res.data : String(res.data ?? '');
    if (res.status < 200 || res.status >= 300) throw errorForResponse(res.status, text, spec.what);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new DockhandError('shipstation.unparseable', `ShipStation answered ${spec.what} with something that is not JSON`, {
        cause: e,
        status: res.status,
        hint: 'A proxy or captive portal may be answering instead of ShipStation; check the base URL.',
      });
    }
    const parsed = spec.schema.safeParse(json);
    if (!parsed.success) {
      // Paths only, never values: values can be buyer names and addresses.
      const where = parsed.error.issues.slice(0, 5).map((i) => i.path.join('.') || '(root)').join(', ');
      throw new DockhandError('shipstation.unparseable', `ShipStation's answer to ${spec.what} has an unexpected shape at ${where}`, {
        cause: parsed.error,
        status: res.status,
        hint: 'ShipStation may have changed its API; report this with the log line.',
      });
    }
    return parsed.data;
  }

  async function call<S extends z.ZodType>(spec: CallSpec<S>): Promise<z.infer<S>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await once(spec);
      } catch (e) {
        const err = e instanceof DockhandError ? e : errorForNetwork(e, spec.what);
        if (!err.transient || !spec.idempotent || attempt >= maxRetries) throw err;
        // After a 429 the pacer already holds the next call until the window resets.
        const delay = err.code === 'shipstation.rate_limited' ? 0 : retryDelayMs(attempt, retryBaseMs, 30_000, random());
        log.warn({ path: spec.path, code: err.code, status: err.status, attempt: attempt + 1, delayMs: delay }, 'shipstation retry');
        if (delay > 0) await sleep(delay);
      }
    }
  }

  async function listOrders(query: ListOrdersQuery = {}): Promise<ListOrdersResponse> {
    const pageSize = query.pageSize ?? (query.allPages ? MAX_PAGE_SIZE : undefined);
    const params = {
      orderNumber: query.orderNumber,
      storeId: query.storeId,
      orderStatus: query.orderStatus,
      modifyDateStart: query.modifyDateStart ? toShipStationDate(query.modifyDateStart) : undefined,
      modifyDateEnd: query.modifyDateEnd ? toShipStationDate(query.modifyDateEnd) : undefined,
      sortBy: query.sortBy,
      sortDir: query.sortDir,
      pageSize,
    };
    const get = (page: number) =>
      call({ method: 'GET', path: '/orders', what: `list orders (page ${page})`, schema: ListOrdersResponse, params: { ...params, page }, idempotent: true });
    const first = await get(query.page ?? 1);
    if (!query.allPages) return first;
    const orders = [...first.orders];
    for (let page = first.page + 1; page <= first.pages; page++) {
      const next = await get(page);
      orders.push(...next.orders);
      if (next.orders.length === 0) break;
    }
    return { ...first, orders };
  }

  return {
    async createOrders(orders) {
      const results: CreateOrdersResult['results'] = [];
      for (const batch of chunks(orders, MAX_ORDERS_PER_CALL)) {
        const res = await call({
          method: 'POST',
          path: '/orders/createorders',
          what: `createorders (${batch.length} orders)`,
          schema: CreateOrdersResult,
          body: batch,
          // Retrying is safe only when every order carries an orderKey: ShipStation then updates
          // instead of creating a second copy (createorder/createorders spec).
          idempotent: batch.every(hasOrderKey),
        });
        results.push(...res.results);
      }
      return { hasErrors: results.some((r) => !r.success), results };
    },

    createOrder(order) {
      return call({
        method: 'POST',
        path: '/orders/createorder',
        what: `createorder ${order.orderNumber}`,
        schema: Order,
        body: order,
        // With an orderKey, createorder "becomes idempotent" (spec); without one a retry could duplicate.
        idempotent: hasOrderKey(order),
      });
    },

    getOrder(orderId) {
      return call({ method: 'GET', path: `/orders/${orderId}`, what: `get order ${orderId}`, schema: Order, idempotent: true });
    },

    listOrders,

    async findByOrderKey(orderNumber, orderKey) {
      const { orders } = await listOrders({ orderNumber, allPages: true });
      return orders.find((o) => o.orderKey === orderKey);
    },

    listStores(o = {}) {
      return call({
        method: 'GET',
        path: '/stores',
        what: 'list stores',
        schema: Store.array(),
        params: { showInactive: o.showInactive },
        idempotent: true,
      });
    },

    listTags() {
      return call({ method: 'GET', path: '/accounts/listtags', what: 'list tags', schema: Tag.array(), idempotent: true });
    },

    listWarehouses() {
      return call({ method: 'GET', path: '/warehouses', what: 'list warehouses', schema: Warehouse.array(), idempotent: true });
    },

    holdUntil(orderId, until) {
      const holdUntilDate = /^\d{4}-\d{2}-\d{2}$/.test(until) ? until : toShipStationDate(until);
      return call({
        method: 'POST',
        path: '/orders/holduntil',
        what: `hold order ${orderId}`,
        schema: SuccessMessage,
        body: { orderId, holdUntilDate },
        // Setting the same hold date twice leaves the same state, so a retry is harmless.
        idempotent: true,
      });
    },

    addTag(orderId, tagId) {
      return call({
        method: 'POST',
        path: '/orders/addtag',
        what: `tag order ${orderId}`,
        schema: SuccessMessage,
        body: { orderId, tagId },
        // A tag is either on an order or not; adding it twice leaves it on once.
        idempotent: true,
      });
    },

    budget: () => pacer.budget(),
  };
}
