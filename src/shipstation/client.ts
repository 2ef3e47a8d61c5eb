import axios, { type AxiosInstance, type AxiosResponse, type Method } from 'axios';
import { z } from 'zod';
import { DockhandError } from '../domain/errors';
import { silentLogger, type Logger } from '../log/logger';
import { toShipStationDate } from './dates';
import { errorForNetwork, errorForResponse } from './errors';
import { createPacer, defaultSleep, retryDelayMs, type Pacer, type RateBudget } from './pacer';
import {
  type CreateLabelForOrderInput,
  CreateLabelResult,
  CreateOrderInput,
  CreateOrdersResult,
  ListFulfillmentsResponse,
  ListOrdersResponse,
  ListProductsResponse,
  Rate,
  type GetRatesInput,
  ListShipmentsResponse,
  ListWebhooksResponse,
  type MarkAsShippedInput,
  MarkAsShippedResult,
  Order,
  Store,
  SubscribeWebhookResult,
  SuccessMessage,
  Tag,
  VoidLabelResult,
  Warehouse,
  type Webhook,
  type WebhookEvent,
} from './schemas';
import { isTrustedResourceUrl } from './ship-notify';

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

export interface ListShipmentsQuery {
  orderId?: number;
  /** Exact order number. */
  orderNumber?: string;
  storeId?: number;
  /** Not in the v1 table, but what a SHIP_NOTIFY resource_url filters by. */
  batchId?: number;
  /** ISO 8601 instants; sent as Pacific wall time. Both ends inclusive. */
  createDateStart?: string;
  createDateEnd?: string;
  /** ISO 8601 instants; sent as Pacific wall time. Both ends inclusive. Finds labels voided in the window. */
  voidDateStart?: string;
  voidDateEnd?: string;
  /** ShipStation's default is false, which leaves shipmentItems null. */
  includeShipmentItems?: boolean;
  sortBy?: 'ShipDate' | 'CreateDate';
  sortDir?: 'ASC' | 'DESC';
  page?: number;
  /** Up to 500. */
  pageSize?: number;
  /** Fetch every page from `page` on and return them as one list. */
  allPages?: boolean;
}

export interface ListFulfillmentsQuery {
  fulfillmentId?: number;
  orderId?: number;
  orderNumber?: string;
  trackingNumber?: string;
  /** ISO 8601 instants; sent as Pacific wall time. Both ends inclusive. */
  createDateStart?: string;
  createDateEnd?: string;
  /** Calendar days `YYYY-MM-DD` (Pacific), both inclusive. */
  shipDateStart?: string;
  shipDateEnd?: string;
  sortBy?: 'ShipDate' | 'CreateDate';
  sortDir?: 'ASC' | 'DESC';
  page?: number;
  pageSize?: number;
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
  /** GET /shipments (labels created in ShipStation). One page, or every page with `allPages`. */
  listShipments(query?: ListShipmentsQuery): Promise<ListShipmentsResponse>;
  /** GET /fulfillments (orders marked shipped without a ShipStation label). One page, or every page with `allPages`. */
  listFulfillments(query?: ListFulfillmentsQuery): Promise<ListFulfillmentsResponse>;
  /**
   * Fetches the shipments a SHIP_NOTIFY `resource_url` names, with their items
   * (`includeShipmentItems` forced to true) and every page. The webhook is unsigned, so the URL
   * is fetched only when it is this client's own ShipStation (same scheme, host and port, no
   * userinfo) and a `/shipments` URL; anything else is refused before any request is made,
   * since our credentials go with it.
   * @throws DockhandError `writeback.forged_webhook` for a URL elsewhere.
   */
  getShipmentsAt(resourceUrl: string): Promise<ListShipmentsResponse>;
  /** POST /webhooks/subscribe. Returns the new webhook's id. */
  subscribeWebhook(input: { targetUrl: string; event: WebhookEvent; storeId?: number; friendlyName: string }): Promise<number>;
  /** GET /webhooks. */
  listWebhooks(): Promise<Webhook[]>;
  /** DELETE /webhooks/{id}. A webhook that is already gone (404) counts as unsubscribed. */
  unsubscribeWebhook(id: number): Promise<void>;
  /** POST /shipments/voidlabel. `approved: false` with ShipStation's reason when it refuses. */
  voidLabel(shipmentId: number): Promise<VoidLabelResult>;
  /** POST /orders/markasshipped: records a fulfillment without a label. `shipDate` is `YYYY-MM-DD`. */
  markAsShipped(input: MarkAsShippedInput): Promise<MarkAsShippedResult>;
  /** POST /orders/createlabelfororder. Buys a real label in production; Dockhand uses it in the sandbox and tests only. */
  createLabelForOrder(input: CreateLabelForOrderInput): Promise<CreateLabelResult>;
  /** POST /shipments/getrates: the rates of one carrier (v1 answers one carrier per call, without transit times). */
  getRates(input: GetRatesInput): Promise<Rate[]>;
  /** GET /products. One page, or every page with `allPages`. */
  listProducts(query?: { page?: number; pageSize?: number; allPages?: boolean; showInactive?: boolean }): Promise<ListProductsResponse>;
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
  /** The endpoint answers 200 with no body (DELETE /webhooks/{id}); parsed as `undefined`. */
  emptyBody?: boolean;
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
    if (spec.emptyBody && text.trim() === '') return spec.schema.parse(undefined) as z.infer<S>;
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
    return paged({ path: '/orders', what: 'list orders', schema: ListOrdersResponse, rows: 'orders' }, params, query.page ?? 1, query.allPages === true);
  }

  /**
   * GET on a v1 list: one page, or with `allPages` that page and every following one, their
   * rows (`rows` names the array) appended into one answer.
   */
  async function paged<K extends string, S extends z.ZodType<{ page: number; pages: number } & Record<K, unknown[]>>>(
    list: { path: string; what: string; schema: S; rows: K },
    params: CallSpec<S>['params'],
    page: number,
    allPages: boolean,
  ): Promise<z.infer<S>> {
    const get = (p: number): Promise<z.infer<S>> =>
      call({ method: 'GET', path: list.path, what: `${list.what} (page ${p})`, schema: list.schema, params: { ...params, page: p }, idempotent: true });
    const first = await get(page);
    if (!allPages) return first;
    const rows = [...first[list.rows]];
    for (let p = first.page + 1; p <= first.pages; p++) {
      const next = await get(p);
      rows.push(...next[list.rows]);
      if (next[list.rows].length === 0) break;
    }
    return { ...first, [list.rows]: rows };
  }

  const instant = (iso: string | undefined) => (iso ? toShipStationDate(iso) : undefined);

  const listShipmentsWith = (params: CallSpec<typeof ListShipmentsResponse>['params'], what: string, allPages: boolean, page = 1) =>
    paged({ path: '/shipments', what, schema: ListShipmentsResponse, rows: 'shipments' }, params, page, allPages);

  const base = new URL(opts.baseUrl);
  const shipmentsPath = `${base.pathname.replace(/\/+$/, '')}/shipments`.toLowerCase();

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

    listShipments(query = {}) {
      const params = {
        orderId: query.orderId,
        orderNumber: query.orderNumber,
        storeId: query.storeId,
        batchId: query.batchId,
        createDateStart: instant(query.createDateStart),
        createDateEnd: instant(query.createDateEnd),
        voidDateStart: instant(query.voidDateStart),
        voidDateEnd: instant(query.voidDateEnd),
        includeShipmentItems: query.includeShipmentItems,
        sortBy: query.sortBy,
        sortDir: query.sortDir,
        pageSize: query.pageSize ?? (query.allPages ? MAX_PAGE_SIZE : undefined),
      };
      return listShipmentsWith(params, 'list shipments', query.allPages === true, query.page);
    },

    async listFulfillments(query = {}) {
      const params = {
        fulfillmentId: query.fulfillmentId,
        orderId: query.orderId,
        orderNumber: query.orderNumber,
        trackingNumber: query.trackingNumber,
        createDateStart: instant(query.createDateStart),
        createDateEnd: instant(query.createDateEnd),
        shipDateStart: query.shipDateStart,
        shipDateEnd: query.shipDateEnd,
        sortBy: query.sortBy,
        sortDir: query.sortDir,
        pageSize: query.pageSize ?? (query.allPages ? MAX_PAGE_SIZE : undefined),
      };
      return paged({ path: '/fulfillments', what: 'list fulfillments', schema: ListFulfillmentsResponse, rows: 'fulfillments' }, params, query.page ?? 1, query.allPages === true);
    },

    getShipmentsAt(resourceUrl) {
      const target = isTrustedResourceUrl(resourceUrl, opts.baseUrl) ? new URL(resourceUrl) : undefined;
      if (!target || target.pathname.replace(/\/+$/, '').toLowerCase() !== shipmentsPath) {
        // The URL itself may be attacker-chosen: name the host only, never echo the whole thing into logs.
        const host = (() => {
          try {
            return new URL(resourceUrl).host;
          } catch {
            return 'an unparseable URL';
          }
        })();
        return Promise.reject(
          new DockhandError('writeback.forged_webhook', `Refused a SHIP_NOTIFY whose resource_url is not ${base.origin}/shipments (it points at ${host})`, {
            hint: 'Someone may be posting fake webhooks to Dockhand, or the ShipStation base URL in the config does not match the account sending them. Nothing was fetched; check the webhook target URL is not public, and the base URL.',
          }),
        );
      }
      // Only what names a batch (or a store) is taken from the URL: whoever knows the webhook's
      // secret must not be able to make Dockhand page through every label of the account.
      const params: Record<string, string> = {};
      for (const [k, v] of target.searchParams) {
        const name = k.toLowerCase();
        if (name === 'batchid') params.batchId = v;
        else if (name === 'storeid') params.storeId = v;
      }
      if (params.batchId === undefined) {
        return Promise.reject(
          new DockhandError('writeback.forged_webhook', 'Refused a SHIP_NOTIFY whose resource_url names no batchId', {
            hint: 'A SHIP_NOTIFY resource_url names the batch of labels it is about; this one does not. Nothing was fetched; the polling pass finds real labels anyway.',
          }),
        );
      }
      return listShipmentsWith(
        { ...params, includeShipmentItems: true, pageSize: MAX_PAGE_SIZE },
        'get SHIP_NOTIFY shipments',
        true,
      );
    },

    async subscribeWebhook(input) {
      const res = await call({
        method: 'POST',
        path: '/webhooks/subscribe',
        what: `subscribe ${input.event} webhook`,
        schema: SubscribeWebhookResult,
        body: { target_url: input.targetUrl, event: input.event, store_id: input.storeId ?? null, friendly_name: input.friendlyName },
        // Each call adds another subscription, and each subscription delivers every event again.
        idempotent: false,
      });
      return res.id;
    },

    async listWebhooks() {
      const res = await call({ method: 'GET', path: '/webhooks', what: 'list webhooks', schema: ListWebhooksResponse, idempotent: true });
      return res.webhooks;
    },

    async unsubscribeWebhook(id) {
      try {
        await call({
          method: 'DELETE',
          path: `/webhooks/${id}`,
          what: `unsubscribe webhook ${id}`,
          schema: z.undefined(),
          // Deleting twice leaves it deleted; a retry that finds it gone is handled below.
          idempotent: true,
          emptyBody: true,
        });
      } catch (e) {
        if (e instanceof DockhandError && e.status === 404) return;
        throw e;
      }
    },

    voidLabel(shipmentId) {
      return call({
        method: 'POST',
        path: '/shipments/voidlabel',
        what: `void label ${shipmentId}`,
        schema: VoidLabelResult,
        body: { shipmentId },
        // Not retried: the void goes on to the carrier as a refund request, and what a second
        // void of the same label answers is undocumented (it may say approved: false), so a
        // blind retry could report a voided label as refused. Re-read the shipment instead.
        idempotent: false,
      });
    },

    markAsShipped(input) {
      return call({
        method: 'POST',
        path: '/orders/markasshipped',
        what: `mark order ${input.orderId} shipped`,
        schema: MarkAsShippedResult,
        body: input,
        // Each call records a fulfillment; a retry after a lost answer could record a second one.
        idempotent: false,
      });
    },

    createLabelForOrder(input) {
      return call({
        method: 'POST',
        path: '/orders/createlabelfororder',
        what: `create label for order ${input.orderId}`,
        schema: CreateLabelResult,
        body: input,
        // Each call buys another label.
        idempotent: false,
      });
    },

    getRates(input) {
      return call({
        method: 'POST',
        path: '/shipments/getrates',
        what: `get rates (${input.carrierCode})`,
        schema: Rate.array(),
        body: input,
        // A quote changes nothing in ShipStation: asking twice is asking once.
        idempotent: true,
      });
    },

    listProducts(q = {}) {
      const params = { showInactive: q.showInactive, pageSize: q.pageSize ?? (q.allPages ? MAX_PAGE_SIZE : undefined) };
      return paged({ path: '/products', what: 'list products', schema: ListProductsResponse, rows: 'products' }, params, q.page ?? 1, q.allPages === true);
    },

    budget: () => pacer.budget(),
  };
}
