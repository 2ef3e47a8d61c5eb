import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createV2Inventory, type V2Inventory } from './v2-inventory';
import { randomUUID } from 'node:crypto';
import { formatPacific, toPacificKey } from './pacific-time';
import { FixedRateWindow, type RateWindowState } from './rate-window';
import { ALL_STATUSES, flattenModelState, isObject, validateOrderBody, type ModelState } from './order-validation';
import { listenOnLoopback } from '../listen';
import { ORDER_SEARCH_PATH, renderOrderSearchPage, SIMULATED_APP_PATH, type OrderPageOrder } from './order-page';
import { getRatesAnswer, listProductsAnswer, type SimProduct } from './catalog';

export { SIMULATED_APP_PATH } from './order-page';

/**
 * A loopback ShipStation API v1 (https://ssapi.shipstation.com) for tests and the sandbox,
 * written from test/specs/shipstation/shipstation-v1-openapi.ballerina.yaml only. It shares
 * no types with src/shipstation on purpose: a misread of the spec must not hide on both sides.
 */

// ---------------------------------------------------------------- types

export interface SimStore {
  storeId: number;
  storeName: string;
  /** `Amazon` marks ShipStation's own native Amazon connection. */
  marketplaceName: string;
  marketplaceId?: number;
  accountName?: string | null;
  active?: boolean;
}

export interface SimTag {
  tagId: number;
  name: string;
  color: string;
}

export interface SimWarehouse {
  warehouseId: number;
  warehouseName: string;
  isDefault?: boolean;
  /** Where it ships from (default: Austin, TX 78701). */
  origin?: { city: string; state: string; postalCode: string };
}

export interface ShipStationSimulatorOptions {
  apiKey: string;
  apiSecret: string;
  host?: string;
  port?: number;
  /** Every call is refused as by an account whose plan has no API access. */
  planRefusesApi?: boolean;
  /** Shrinks the 60 s rate window to 60/rateScale s (the 40-request limit stays). */
  rateScale?: number;
  /** Epoch ms; drives dates and the rate window. */
  clock?: () => number;
  stores?: SimStore[];
  tags?: SimTag[];
  /**
   * More tags the account holds, by name, on top of `tags` (ids and colours are the simulator's;
   * a name already held, in any case, is not added again). The sandbox passes the tags its
   * seller's config uses, as a seller creates them once in ShipStation's settings.
   */
  tagNames?: string[];
  warehouses?: SimWarehouse[];
  /** What GET /products lists (the seller's product catalogue). */
  products?: SimProduct[];
  /** The v2 API key `GET /v2/inventory` takes (its `api-key` header). Default `sandbox-shipstation-v2-key`. */
  v2ApiKey?: string;
  /** The account has no inventory add-on: /v2/inventory answers 403. */
  v2WithoutInventoryAddon?: boolean;
}

export interface Weight { value: number; units: string }
export interface Address {
  name: string | null;
  company: string | null;
  street1: string | null;
  street2: string | null;
  street3: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  country: string | null;
  phone: string | null;
  residential: boolean | null;
  addressVerified: string | null;
}

export interface OrderItem {
  orderItemId: number;
  lineItemKey: string | null;
  sku: string | null;
  name: string | null;
  imageUrl: string | null;
  weight: Weight | null;
  quantity: number;
  unitPrice: number;
  taxAmount: number | null;
  shippingAmount: number | null;
  warehouseLocation: string | null;
  options: Array<{ name: string; value: string }>;
  productId: number | null;
  fulfillmentSku: string | null;
  adjustment: boolean;
  upc: string | null;
  createDate: string;
  modifyDate: string;
}

export interface AdvancedOptions {
  warehouseId: number;
  nonMachinable: boolean;
  saturdayDelivery: boolean;
  containsAlcohol: boolean;
  mergedOrSplit: boolean;
  mergedIds: number[];
  parentId: number | null;
  storeId: number;
  customField1: string | null;
  customField2: string | null;
  customField3: string | null;
  source: string | null;
  billToParty: string | null;
  billToAccount: string | null;
  billToPostalCode: string | null;
  billToCountryCode: string | null;
}

/** An order as GET /orders/{orderId} returns it (field order follows the spec's GetOrder response). */
export interface ShipStationOrder {
  orderId: number;
  orderNumber: string;
  orderKey: string;
  orderDate: string;
  createDate: string;
  modifyDate: string;
  paymentDate: string | null;
  shipByDate: string | null;
  orderStatus: string;
  customerId: number | null;
  customerUsername: string | null;
  customerEmail: string | null;
  billTo: Address;
  shipTo: Address;
  items: OrderItem[];
  orderTotal: number;
  amountPaid: number;
  taxAmount: number;
  shippingAmount: number;
  customerNotes: string | null;
  internalNotes: string | null;
  gift: boolean;
  giftMessage: string | null;
  paymentMethod: string | null;
  requestedShippingService: string | null;
  carrierCode: string | null;
  serviceCode: string | null;
  packageCode: string | null;
  confirmation: string;
  shipDate: string | null;
  holdUntilDate: string | null;
  weight: Weight;
  dimensions: { units: string; length: number; width: number; height: number } | null;
  insuranceOptions: { provider: string | null; insureShipment: boolean; insuredValue: number };
  internationalOptions: { contents: string | null; customsItems: unknown; nonDelivery: string | null };
  advancedOptions: AdvancedOptions;
  tagIds: number[] | null;
  userId: string | null;
  externallyFulfilled: boolean;
  externallyFulfilledBy: string | null;
  labelMessages: unknown;
}

/** What a warehouse user may change on an order in the ShipStation UI. */
export interface StaffEditPatch {
  warehouseId?: number;
  tagIds?: number[];
  internalNotes?: string | null;
  carrierCode?: string | null;
  serviceCode?: string | null;
  packageCode?: string | null;
}

/** A shipment (label) as GET /shipments returns it; field order follows the spec's Shipment model. */
export interface SimShipment {
  shipmentId: number;
  orderId: number;
  orderKey: string;
  userId: string;
  customerEmail: string | null;
  orderNumber: string;
  /** Pacific wall time in .NET's trimmed form (`2014-10-03T06:51:33.627`), as in the spec example. */
  createDate: string;
  /** `YYYY-MM-DD`. */
  shipDate: string;
  shipmentCost: number;
  insuranceCost: number;
  trackingNumber: string;
  isReturnLabel: boolean;
  batchNumber: string;
  carrierCode: string;
  serviceCode: string;
  packageCode: string;
  confirmation: string;
  warehouseId: number;
  voided: boolean;
  voidDate: string | null;
  marketplaceNotified: boolean;
  notifyErrorMessage: string | null;
  shipTo: Address;
  weight: Weight;
  dimensions: ShipStationOrder['dimensions'];
  insuranceOptions: ShipStationOrder['insuranceOptions'];
  advancedOptions: AdvancedOptions;
  /** null in a response asked for without `includeShipmentItems=true`. */
  shipmentItems: OrderItem[] | null;
  labelData: null;
  formData: null;
}

/** A fulfillment (an order marked shipped without a ShipStation label), per the spec's Fulfillment model. */
export interface SimFulfillment {
  fulfillmentId: number;
  orderId: number;
  orderNumber: string;
  userId: string;
  customerEmail: string | null;
  trackingNumber: string | null;
  createDate: string;
  /** `YYYY-MM-DDT00:00:00`, as in the spec example. */
  shipDate: string;
  voidDate: string | null;
  deliveryDate: string | null;
  carrierCode: string;
  fulfillmentProviderCode: string | null;
  fulfillmentServiceCode: string | null;
  fulfillmentFee: number;
  voidRequested: boolean;
  voided: boolean;
  marketplaceNotified: boolean;
  notifyErrorMessage: string | null;
  shipTo: Address;
}

/** A webhook subscription as GET /webhooks lists it (PascalCase, as the spec shows). */
export interface SimWebhook {
  IsLabelAPIHook: boolean;
  WebHookID: number;
  SellerID: number;
  StoreID: number | null;
  HookType: string;
  MessageFormat: string;
  Url: string;
  Name: string | null;
  BulkCopyBatchID: string | null;
  BulkCopyRecordID: string | null;
  Active: boolean;
  WebhookLogs: string[];
  Seller: null;
  Store: null;
}

/** What happened to one SHIP_NOTIFY the simulator tried to deliver. */
export interface WebhookDelivery {
  webhookId: number;
  targetUrl: string;
  resourceUrl: string;
  batchId: number;
  /** Dropped by `dropWebhooks`: no request was made, like a webhook ShipStation lost. */
  dropped: boolean;
  /** HTTP status the target answered, when it answered. */
  status?: number;
  /** Why the request failed (refused, timeout), when it did. */
  error?: string;
}

export interface CreateLabelOptions {
  carrierCode?: string;
  serviceCode?: string;
  packageCode?: string;
  /** `YYYY-MM-DD` or any date ShipStation accepts; defaults to today, Pacific. */
  shipDate?: string;
  /** A partial package: these lines and quantities only. Default: every item of the order. */
  items?: Array<{ lineItemKey: string; quantity: number }>;
  /** false: no SHIP_NOTIFY for this label. Default true. */
  notify?: boolean;
}

export interface MarkShippedOptions {
  carrierCode?: string;
  trackingNumber?: string | null;
  notifySalesChannel?: boolean;
}

export interface ShipStationSimulatorStats {
  /** Answered (not throttled) authenticated calls, keyed `METHOD /path/{template}`. */
  requests: Record<string, number>;
  throttled: number;
  createOrdersCalls: number;
}

export interface ShipStationSimulator {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  /**
   * The stand-in for ShipStation's web app (`ship.shipstation.com`): `<url>/app`, where
   * `/orders/all-orders-search-result?quickSearch=<order number>` shows the order read-only.
   */
  appUrl: string;
  /** Active (not deleted) orders, oldest orderId first; copies. */
  orders(): ShipStationOrder[];
  getByOrderKey(orderKey: string): ShipStationOrder | undefined;
  getByOrderNumber(orderNumber: string): ShipStationOrder[];
  /** Simulates a warehouse user editing the order in the UI; bumps modifyDate. Throws when unknown. */
  staffEdit(orderId: number, patch: StaffEditPatch): ShipStationOrder;
  /**
   * Simulates staff marking the order shipped without a label (which locks it from API
   * updates) and records the fulfillment GET /fulfillments lists. `shipDate` defaults to
   * today, Pacific; the carrier to `usps` and the tracking number to a generated one.
   */
  markShipped(orderId: number, shipDate?: string, opts?: MarkShippedOptions): ShipStationOrder;
  /**
   * Simulates staff printing a label: a shipment in its own batch, the order shipped once every
   * item is in a live shipment, and SHIP_NOTIFY to each matching webhook (unless `notify` is
   * false). Call it several times for several packages. Throws for an unknown order or line.
   */
  createLabel(orderId: number, opts?: CreateLabelOptions): SimShipment;
  /** Simulates staff voiding a label; the order returns to awaiting_shipment when no live package is left. */
  voidLabel(shipmentId: number): SimShipment;
  /** Every shipment, voided ones included, oldest first; copies with items. */
  shipments(): SimShipment[];
  /** Every fulfillment, oldest first; copies. */
  fulfillments(): SimFulfillment[];
  /** Active webhook subscriptions; copies. */
  webhooks(): SimWebhook[];
  /** Every SHIP_NOTIFY attempted so far, in order; results fill in as deliveries finish. */
  webhookDeliveries(): WebhookDelivery[];
  /** Resolves once every SHIP_NOTIFY started so far has been answered or has failed. */
  flushWebhooks(): Promise<void>;
  /** The next `count` SHIP_NOTIFY deliveries are lost (recorded as dropped, never sent). */
  dropWebhooks(count: number): void;
  stats(): ShipStationSimulatorStats;
  resetStats(): void;
  /** The next `count` authenticated, non-throttled calls answer `status` (500/502/503) with a short body. */
  failNext(count: number, status: 500 | 502 | 503): void;
  /** ShipStation v2 inventory levels (GET /v2/inventory): set and draw down stock. */
  readonly v2Inventory: V2Inventory;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- constants

/** The v2 API key the sandbox's ShipStation takes unless another is given. */
export const SANDBOX_V2_API_KEY = 'sandbox-shipstation-v2-key';

const RATE_LIMIT = 40;
const RATE_WINDOW_MS = 60_000;
const MAX_ORDERS_PER_BATCH = 100;
const MAX_PAGE_SIZE = 500;
const DEFAULT_PAGE_SIZE = 100;
/** The createorder description: only these may be updated; shipped and cancelled are locked. */
const OPEN_STATUSES = new Set(['awaiting_payment', 'awaiting_shipment', 'on_hold', 'pending_fulfillment']);

/** The ListShipments/ListFulfillments `sortBy` enum (sortBy1 in the spec). */
const SHIPMENT_SORTS = { ShipDate: 'shipDate', CreateDate: 'createDate' } as const;
/** The subscribe table's `event` values. */
const WEBHOOK_EVENTS = ['ORDER_NOTIFY', 'ITEM_ORDER_NOTIFY', 'SHIP_NOTIFY', 'ITEM_SHIP_NOTIFY'];
const CONFIRMATIONS = ['none', 'delivery', 'signature', 'adult_signature', 'direct_signature'];
const WEIGHT_UNITS = ['pounds', 'ounces', 'grams'];
/** The account's own user: who "printed" labels and marked orders shipped in the sandbox. */
const SANDBOX_USER_ID = '5a1d0b0c-0000-4000-8000-00000000d0c4';
const SANDBOX_SELLER_ID = 100000;
/** A minimal PDF, so labelData is base64 of something a PDF reader opens. */
const LABEL_PDF_BASE64 = Buffer.from('%PDF-1.4\n% Dockhand sandbox label\n%%EOF\n').toString('base64');
/** How long one SHIP_NOTIFY POST may take before it counts as failed. */
const WEBHOOK_TIMEOUT_MS = 5_000;

const DEFAULT_STORES: SimStore[] = [{ storeId: 100001, storeName: 'Dockhand Sandbox', marketplaceName: 'ShipStation', marketplaceId: 0 }];
const DEFAULT_WAREHOUSES: SimWarehouse[] = [{ warehouseId: 200001, warehouseName: 'Sandbox Warehouse', isDefault: true }];
const DEFAULT_TAGS: SimTag[] = [
  { tagId: 300001, name: 'Prime', color: '#FF9900' },
  { tagId: 300002, name: 'Needs Review', color: '#FF0000' },
  { tagId: 300003, name: 'Gift', color: '#33CCCC' },
];

const EXTRA_TAG_COLORS = ['#3366CC', '#9933CC', '#339933', '#CC6633'];

/** `tags` plus one tag per name it lacks (compared case-insensitively, as ShipStation's tag names are). */
function withTagNames(tags: SimTag[], names: string[]): SimTag[] {
  const out = tags.map((t) => ({ ...t }));
  for (const raw of names) {
    const name = raw.trim();
    if (!name || out.some((t) => t.name.toLowerCase() === name.toLowerCase())) continue;
    const tagId = Math.max(300_000, ...out.map((t) => t.tagId)) + 1;
    out.push({ tagId, name, color: EXTRA_TAG_COLORS[(out.length - tags.length) % EXTRA_TAG_COLORS.length]! });
  }
  return out;
}

/**
 * When the account's plan has no API access, ShipStation answers 402 Payment Required (seen
 * by integrators once a plan drops below the tiers that include API access, e.g.
 * https://hub.acctivate.com/articles/shipstation-payment-required-402-error). We use that
 * status so a client can tell "upgrade the plan" apart from "wrong key" (401).
 */
const PLAN_REFUSED_STATUS = 402;
const PLAN_REFUSED_BODY = { Message: 'API access is not available on your ShipStation plan. Upgrade the plan, then generate new API keys.' };

// ---------------------------------------------------------------- helpers

class HttpError extends Error {
  constructor(readonly status: number, readonly body: unknown) {
    super(`HTTP ${status}`);
  }
}

const invalid = (modelState: ModelState) => new HttpError(400, { Message: 'The request is invalid.', ModelState: modelState });
const badRequest = (message: string) => new HttpError(400, { Message: message });
const clone = <T>(v: T): T => structuredClone(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const bool = (v: unknown, dflt: boolean): boolean => (typeof v === 'boolean' ? v : dflt);
const round2 = (n: number) => Math.round(n * 100) / 100;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(raw: string, param: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw invalid({ [param]: ['Unexpected character encountered while parsing value.'] });
  }
}

function credentialsOf(req: IncomingMessage): { key: string; secret: string } | null {
  const header = req.headers.authorization;
  const m = header ? /^Basic\s+(.+)$/i.exec(header.trim()) : null;
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const at = decoded.indexOf(':');
  return at < 0 ? null : { key: decoded.slice(0, at), secret: decoded.slice(at + 1) };
}

function toAddress(v: unknown, isShipTo: boolean): Address {
  const a = isObject(v) ? v : {};
  return {
    name: str(a.name),
    company: str(a.company),
    street1: str(a.street1),
    street2: str(a.street2),
    street3: str(a.street3),
    city: str(a.city),
    state: str(a.state),
    postalCode: str(a.postalCode),
    country: str(a.country),
    phone: str(a.phone),
    residential: typeof a.residential === 'boolean' ? a.residential : isShipTo ? false : null,
    // Set by ShipStation's address check, never by the caller; new orders are unchecked.
    addressVerified: isShipTo ? 'Address not yet validated' : null,
  };
}

/**
 * .NET's round-trip form with trailing fraction zeros dropped (`FFFFFFF`), which is how the
 * spec's shipment and fulfillment examples print createDate (`2014-10-03T06:51:33.627`).
 */
const netDate = (pacificKey: string): string => pacificKey.replace(/\.?0+$/, '');

/**
 * Checks a small JSON body against an endpoint's field table. Unknown fields are refused,
 * which ShipStation's binder does not do: a client that misspells an optional field
 * (`tracking_number`) would otherwise lose it silently here and in production alike.
 */
function checkFields(
  body: unknown,
  param: string,
  fields: Record<string, { type: 'integer' | 'number' | 'string' | 'boolean' | 'date' | 'object'; required?: boolean; oneOf?: readonly string[] }>,
): Record<string, unknown> {
  if (!isObject(body)) throw invalid({ [param]: ['A JSON object is required.'] });
  const errors: ModelState = {};
  const add = (field: string, message: string) => (errors[`${param}.${field}`] ??= []).push(message);
  for (const key of Object.keys(body)) if (!(key in fields)) add(key, `Unknown field '${key}'.`);
  for (const [field, rule] of Object.entries(fields)) {
    const v = body[field];
    if (v === undefined || v === null) {
      if (rule.required) add(field, `The ${field} field is required.`);
      continue;
    }
    const ok =
      rule.type === 'integer' ? Number.isInteger(v)
      : rule.type === 'number' ? typeof v === 'number' && Number.isFinite(v)
      : rule.type === 'string' ? typeof v === 'string' && (!rule.required || v !== '')
      : rule.type === 'boolean' ? typeof v === 'boolean'
      : rule.type === 'date' ? typeof v === 'string' && toPacificKey(v) !== null
      : isObject(v);
    if (!ok) add(field, `The value for ${field} is not a valid ${rule.type}.`);
    else if (rule.oneOf && !rule.oneOf.includes(v as string)) add(field, `Invalid ${field} '${String(v)}'. Allowed values: ${rule.oneOf.join(', ')}.`);
  }
  if (Object.keys(errors).length > 0) throw invalid(errors);
  return body;
}

/** Reads page/pageSize/sortBy/sortDir and date ranges from a list query, collecting 400 reasons. */
class ListQuery {
  readonly errors: ModelState = {};
  constructor(readonly q: URLSearchParams) {}
  int(name: string, dflt: number | undefined, min: number, max: number): number | undefined {
    const raw = this.q.get(name);
    if (raw === null || raw === '') return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.errors[name] = [`The value '${raw}' is not valid for ${name}.`];
      return dflt;
    }
    return n;
  }
  date(name: string): string | undefined {
    const raw = this.q.get(name);
    if (!raw) return undefined;
    const key = toPacificKey(raw);
    if (!key) this.errors[name] = [`The value '${raw}' is not valid for ${name}.`];
    return key ?? undefined;
  }
  bool(name: string): boolean | undefined {
    const raw = this.q.get(name);
    if (raw === null || raw === '') return undefined;
    // ASP.NET binds booleans case-insensitively; SHIP_NOTIFY URLs carry `False`.
    const lower = raw.toLowerCase();
    if (lower !== 'true' && lower !== 'false') this.errors[name] = [`The value '${raw}' is not valid for ${name}.`];
    return lower === 'true';
  }
  text(name: string): string | undefined {
    return this.q.get(name) || undefined;
  }
  sort(): { field: 'shipDate' | 'createDate'; desc: boolean } {
    const by = this.q.get('sortBy');
    const field = by ? SHIPMENT_SORTS[by as keyof typeof SHIPMENT_SORTS] : 'createDate';
    if (!field) this.errors.sortBy = [`The value '${by}' is not valid for sortBy.`];
    const dir = (this.q.get('sortDir') ?? 'ASC').toUpperCase();
    if (dir !== 'ASC' && dir !== 'DESC') this.errors.sortDir = [`The value '${this.q.get('sortDir')}' is not valid for sortDir.`];
    return { field: field ?? 'createDate', desc: dir === 'DESC' };
  }
  done(): void {
    if (Object.keys(this.errors).length > 0) throw invalid(this.errors);
  }
}

/** Start and End are both inclusive for shipments and fulfillments ("on or after", "on or before"). */
const inRange = (v: string | null, start: string | undefined, end: string | undefined): boolean =>
  (start === undefined && end === undefined) || (v !== null && (start === undefined || v >= start) && (end === undefined || v <= end));

function pageOf<T>(items: T[], page: number, pageSize: number) {
  return { items: items.slice((page - 1) * pageSize, page * pageSize), total: items.length, page, pages: Math.ceil(items.length / pageSize) };
}

/** Rebuilds a canonical date from what the caller sent; ShipStation echoes dates in its own form. */
const dateOrNull = (v: unknown): string | null => (typeof v === 'string' ? toPacificKey(v) : null);

// ---------------------------------------------------------------- simulator

/**
 * Starts the simulator on `opts.host ?? '127.0.0.1'`, `opts.port ?? 0`.
 * Implements GET/DELETE /orders/{orderId}, GET /orders, POST /orders/createorder,
 * /orders/createorders, /orders/holduntil, /orders/addtag, /orders/createlabelfororder,
 * /orders/markasshipped, GET /shipments, POST /shipments/voidlabel, GET /fulfillments,
 * GET /webhooks, POST /webhooks/subscribe, DELETE /webhooks/{webhookId}, GET /stores,
 * GET /accounts/listtags and GET /warehouses, with Basic auth and the v1 rate limit, and
 * delivers SHIP_NOTIFY webhooks for labels.
 */
export async function startShipStationSimulator(opts: ShipStationSimulatorOptions): Promise<ShipStationSimulator> {
  const clock = opts.clock ?? Date.now;
  const scale = opts.rateScale ?? 1;
  if (!(scale > 0)) throw new Error('rateScale must be > 0');
  const limiter = new FixedRateWindow(RATE_LIMIT, RATE_WINDOW_MS / scale, clock);
  const v2Inventory = createV2Inventory({ apiKey: opts.v2ApiKey ?? SANDBOX_V2_API_KEY, clock, rateScale: scale, ...(opts.v2WithoutInventoryAddon ? { withoutAddon: true } : {}) });
  const stores = opts.stores ?? DEFAULT_STORES;
  const warehouses = opts.warehouses ?? DEFAULT_WAREHOUSES;
  const tags = withTagNames(opts.tags ?? DEFAULT_TAGS, opts.tagNames ?? []);
  const validation = { storeIds: new Set(stores.map((s) => s.storeId)), warehouseIds: new Set(warehouses.map((w) => w.warehouseId)) };
  const defaultWarehouseId = (warehouses.find((w) => w.isDefault) ?? warehouses[0])?.warehouseId ?? 0;
  const defaultStoreId = stores[0]?.storeId ?? 0;
  const simCreateDate = formatPacific(clock());

  const records: Array<{ order: ShipStationOrder; active: boolean }> = [];
  let nextOrderId = 410_000_001;
  let nextItemId = 720_000_001;
  let nextCustomerId = 610_000_001;
  let nextProductId = 810_000_001;
  const customerIds = new Map<string, number>();
  const productIds = new Map<string, number>();

  let stats: ShipStationSimulatorStats = { requests: {}, throttled: 0, createOrdersCalls: 0 };
  let pendingFailures: Array<500 | 502 | 503> = [];

  const active = () => records.filter((r) => r.active).map((r) => r.order);
  const findById = (orderId: number) => records.find((r) => r.active && r.order.orderId === orderId)?.order;
  const findByKey = (orderKey: string) => records.find((r) => r.active && r.order.orderKey === orderKey)?.order;

  function requireOrder(orderId: number): ShipStationOrder {
    const o = findById(orderId);
    if (!o) throw new Error(`ShipStation simulator: no order ${orderId}`);
    return o;
  }

  function customerIdFor(o: Record<string, unknown>): number | null {
    const who = str(o.customerUsername) ?? str(o.customerEmail);
    if (!who) return null;
    let id = customerIds.get(who);
    if (id === undefined) customerIds.set(who, (id = nextCustomerId++));
    return id;
  }

  function productIdFor(sku: string | null): number | null {
    if (!sku) return null;
    let id = productIds.get(sku);
    if (id === undefined) productIds.set(sku, (id = nextProductId++));
    return id;
  }

  /**
   * Builds the stored order from a (validated) body. An update replaces every field from the
   * body, as ShipStation does: fields the caller leaves out are cleared, not kept. Only the
   * identity (orderId, orderKey, createDate) and item ids matched by lineItemKey survive.
   */
  function buildOrder(body: Record<string, unknown>, existing: ShipStationOrder | undefined, orderKey: string): ShipStationOrder {
    const now = formatPacific(clock());
    const oldItems = new Map((existing?.items ?? []).filter((i) => i.lineItemKey).map((i) => [i.lineItemKey as string, i]));
    const items: OrderItem[] = (Array.isArray(body.items) ? body.items : []).filter(isObject).map((it) => {
      const lineItemKey = str(it.lineItemKey);
      const prior = lineItemKey ? oldItems.get(lineItemKey) : undefined;
      const sku = str(it.sku);
      const w = isObject(it.weight) ? { value: num(it.weight.value) ?? 0, units: str(it.weight.units) ?? 'ounces' } : null;
      return {
        orderItemId: prior?.orderItemId ?? nextItemId++,
        lineItemKey,
        sku,
        name: str(it.name),
        imageUrl: str(it.imageUrl),
        weight: w,
        quantity: num(it.quantity) ?? 0,
        unitPrice: num(it.unitPrice) ?? 0,
        taxAmount: num(it.taxAmount),
        shippingAmount: num(it.shippingAmount),
        warehouseLocation: str(it.warehouseLocation),
        options: Array.isArray(it.options)
          ? it.options.filter(isObject).map((o) => ({ name: str(o.name) ?? '', value: str(o.value) ?? '' }))
          : [],
        productId: num(it.productId) ?? productIdFor(sku),
        fulfillmentSku: str(it.fulfillmentSku),
        adjustment: bool(it.adjustment, false),
        upc: str(it.upc),
        createDate: prior?.createDate ?? now,
        modifyDate: now,
      };
    });
    const taxAmount = num(body.taxAmount) ?? 0;
    const shippingAmount = num(body.shippingAmount) ?? 0;
    const itemsTotal = items.filter((i) => !i.adjustment).reduce((s, i) => s + i.quantity * i.unitPrice, 0);
    const adv = isObject(body.advancedOptions) ? body.advancedOptions : {};
    const ins = isObject(body.insuranceOptions) ? body.insuranceOptions : {};
    const intl = isObject(body.internationalOptions) ? body.internationalOptions : {};
    const dims = isObject(body.dimensions) ? body.dimensions : null;
    const weight = isObject(body.weight) ? body.weight : null;
    return {
      orderId: existing?.orderId ?? nextOrderId++,
      orderNumber: String(body.orderNumber),
      orderKey,
      orderDate: dateOrNull(body.orderDate) ?? now,
      createDate: existing?.createDate ?? now,
      modifyDate: now,
      paymentDate: dateOrNull(body.paymentDate),
      shipByDate: dateOrNull(body.shipByDate),
      orderStatus: String(body.orderStatus),
      customerId: customerIdFor(body),
      customerUsername: str(body.customerUsername),
      customerEmail: str(body.customerEmail),
      billTo: toAddress(body.billTo, false),
      shipTo: toAddress(body.shipTo, true),
      items,
      orderTotal: round2(itemsTotal + taxAmount + shippingAmount),
      amountPaid: num(body.amountPaid) ?? 0,
      taxAmount,
      shippingAmount,
      customerNotes: str(body.customerNotes),
      internalNotes: str(body.internalNotes),
      gift: bool(body.gift, false),
      giftMessage: str(body.giftMessage),
      paymentMethod: str(body.paymentMethod),
      requestedShippingService: str(body.requestedShippingService),
      carrierCode: str(body.carrierCode),
      serviceCode: str(body.serviceCode),
      packageCode: str(body.packageCode),
      confirmation: str(body.confirmation) ?? 'none',
      shipDate: dateOrNull(body.shipDate)?.slice(0, 10) ?? null,
      holdUntilDate: dateOrNull(body.holdUntilDate)?.slice(0, 10) ?? null,
      weight: weight ? { value: num(weight.value) ?? 0, units: str(weight.units) ?? 'ounces' } : { value: 0, units: 'ounces' },
      dimensions: dims
        ? { units: str(dims.units) ?? 'inches', length: num(dims.length) ?? 0, width: num(dims.width) ?? 0, height: num(dims.height) ?? 0 }
        : null,
      insuranceOptions: {
        provider: str(ins.provider),
        insureShipment: bool(ins.insureShipment, false),
        insuredValue: num(ins.insuredValue) ?? 0,
      },
      internationalOptions: { contents: str(intl.contents), customsItems: intl.customsItems ?? null, nonDelivery: str(intl.nonDelivery) },
      advancedOptions: {
        warehouseId: num(adv.warehouseId) ?? defaultWarehouseId,
        nonMachinable: bool(adv.nonMachinable, false),
        saturdayDelivery: bool(adv.saturdayDelivery, false),
        containsAlcohol: bool(adv.containsAlcohol, false),
        mergedOrSplit: false,
        mergedIds: [],
        parentId: null,
        storeId: num(adv.storeId) ?? defaultStoreId,
        customField1: str(adv.customField1),
        customField2: str(adv.customField2),
        customField3: str(adv.customField3),
        source: str(adv.source),
        billToParty: str(adv.billToParty),
        billToAccount: str(adv.billToAccount),
        billToPostalCode: str(adv.billToPostalCode),
        billToCountryCode: str(adv.billToCountryCode),
      },
      tagIds: Array.isArray(body.tagIds) && body.tagIds.length > 0 ? [...new Set(body.tagIds as number[])] : null,
      userId: existing?.userId ?? null,
      externallyFulfilled: false,
      externallyFulfilledBy: null,
      labelMessages: null,
    };
  }

  /** createorder semantics for one order; throws HttpError(400) with the reason on failure. */
  function upsert(body: unknown, param: string): ShipStationOrder {
    const errors = validateOrderBody(body, validation, param);
    if (Object.keys(errors).length > 0) throw invalid(errors);
    const b = body as Record<string, unknown>;
    const givenKey = typeof b.orderKey === 'string' && b.orderKey !== '' ? b.orderKey : undefined;
    const existing = givenKey ? findByKey(givenKey) : undefined;
    if (existing && !OPEN_STATUSES.has(existing.orderStatus)) {
      // The spec says shipped/cancelled orders are "locked from modification through the
      // API" without documenting the response; we answer 400 with a message that says so.
      throw badRequest(`Order ${existing.orderNumber} (orderKey ${existing.orderKey}) is ${existing.orderStatus} and locked from modification through the API.`);
    }
    const order = buildOrder(b, existing, givenKey ?? randomUUID());
    if (existing) records.find((r) => r.order === existing)!.order = order;
    else records.push({ order, active: true });
    return order;
  }

  function createOrders(body: unknown) {
    if (!Array.isArray(body)) {
      throw invalid({ apiOrders: ["Cannot deserialize the current JSON object into type 'SS.OpenApi.Models.Orders.Order[]' because the type requires a JSON array."] });
    }
    if (body.length > MAX_ORDERS_PER_BATCH) {
      throw invalid({ apiOrders: [`A maximum of ${MAX_ORDERS_PER_BATCH} orders may be created or updated per request; got ${body.length}.`] });
    }
    const results = body.map((one, i) => {
      const o = isObject(one) ? one : {};
      try {
        const order = upsert(one, `apiOrders[${i}]`);
        return { orderId: order.orderId, orderNumber: order.orderNumber, orderKey: order.orderKey, success: true, errorMessage: null };
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        const b = e.body as { Message: string; ModelState?: ModelState };
        return {
          orderId: 0,
          orderNumber: str(o.orderNumber),
          orderKey: str(o.orderKey),
          success: false,
          errorMessage: b.ModelState ? flattenModelState(b.ModelState) : b.Message,
        };
      }
    });
    return { hasErrors: results.some((r) => !r.success), results };
  }

  function listOrders(q: URLSearchParams) {
    const errors: ModelState = {};
    const intParam = (name: string, dflt: number, min: number, max: number): number => {
      const raw = q.get(name);
      if (raw === null || raw === '') return dflt;
      const n = Number(raw);
      if (!Number.isInteger(n) || n < min || n > max) {
        errors[name] = [`The value '${raw}' is not valid for ${name} (${min}..${max}).`];
        return dflt;
      }
      return n;
    };
    const page = intParam('page', 1, 1, Number.MAX_SAFE_INTEGER);
    const pageSize = intParam('pageSize', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    const storeIdRaw = q.get('storeId');
    const storeId = storeIdRaw ? Number(storeIdRaw) : undefined;
    if (storeId !== undefined && !Number.isInteger(storeId)) errors.storeId = [`The value '${storeIdRaw}' is not valid for storeId.`];
    const status = q.get('orderStatus') || undefined;
    if (status && !(ALL_STATUSES as readonly string[]).includes(status)) errors.orderStatus = [`The value '${status}' is not valid for orderStatus.`];
    const ranges: Array<[string, keyof ShipStationOrder, 'start' | 'end']> = [];
    for (const [param, field] of [['createDate', 'createDate'], ['modifyDate', 'modifyDate'], ['orderDate', 'orderDate'], ['paymentDate', 'paymentDate']] as const) {
      ranges.push([`${param}Start`, field, 'start'], [`${param}End`, field, 'end']);
    }
    const bounds: Array<{ field: keyof ShipStationOrder; side: 'start' | 'end'; key: string }> = [];
    for (const [param, field, side] of ranges) {
      const raw = q.get(param);
      if (!raw) continue;
      const key = toPacificKey(raw);
      if (!key) errors[param] = [`The value '${raw}' is not valid for ${param}.`];
      else bounds.push({ field, side, key });
    }
    const sortByRaw = q.get('sortBy');
    const sortField = sortByRaw ? ({ OrderDate: 'orderDate', ModifyDate: 'modifyDate', CreateDate: 'createDate' } as const)[sortByRaw as 'OrderDate'] : 'orderId';
    if (!sortField) errors.sortBy = [`The value '${sortByRaw}' is not valid for sortBy.`];
    const sortDir = (q.get('sortDir') ?? 'ASC').toUpperCase();
    if (sortDir !== 'ASC' && sortDir !== 'DESC') errors.sortDir = [`The value '${q.get('sortDir')}' is not valid for sortDir.`];
    if (Object.keys(errors).length > 0) throw invalid(errors);

    const orderNumber = q.get('orderNumber')?.toLowerCase();
    const customerName = q.get('customerName')?.toLowerCase();
    const keyword = q.get('itemKeyword')?.toLowerCase();
    let matched = active().filter((o) => {
      if (orderNumber && !o.orderNumber.toLowerCase().startsWith(orderNumber)) return false;
      if (storeId !== undefined && o.advancedOptions.storeId !== storeId) return false;
      if (status && o.orderStatus !== status) return false;
      if (customerName && ![o.billTo.name, o.shipTo.name].some((n) => n?.toLowerCase().includes(customerName))) return false;
      if (keyword && !o.items.some((i) => [i.sku, i.name, ...i.options.map((x) => x.value)].some((t) => t?.toLowerCase().includes(keyword)))) return false;
      for (const b of bounds) {
        const v = o[b.field] as string | null;
        if (v === null) return false;
        // "Start" means after the date and "End" before/on it, per the ListOrders table.
        if (b.side === 'start' ? v < b.key : v > b.key) return false;
      }
      return true;
    });
    const field = sortField ?? 'orderId';
    matched = [...matched].sort((a, b) => {
      const av = a[field] as string | number;
      const bv = b[field] as string | number;
      const c = av < bv ? -1 : av > bv ? 1 : a.orderId - b.orderId;
      return sortDir === 'DESC' ? -c : c;
    });
    const total = matched.length;
    return {
      orders: matched.slice((page - 1) * pageSize, page * pageSize).map(clone),
      total,
      page,
      pages: Math.ceil(total / pageSize),
    };
  }

  function orderIdFromBody(body: unknown, param: string): ShipStationOrder {
    const id = isObject(body) ? body.orderId : undefined;
    if (!Number.isInteger(id)) throw invalid({ [`${param}.orderId`]: ['The orderId field is required.'] });
    const order = findById(id as number);
    if (!order) throw badRequest(`Order ${String(id)} was not found.`);
    return order;
  }

  function holdUntil(body: unknown) {
    const order = orderIdFromBody(body, 'request');
    const date = isObject(body) && typeof body.holdUntilDate === 'string' ? toPacificKey(body.holdUntilDate) : null;
    if (!date) throw invalid({ 'request.holdUntilDate': ['The holdUntilDate field is required.'] });
    if (!OPEN_STATUSES.has(order.orderStatus)) throw badRequest(`Order ${order.orderNumber} is ${order.orderStatus} and cannot be put on hold.`);
    order.orderStatus = 'on_hold';
    order.holdUntilDate = date.slice(0, 10);
    order.modifyDate = formatPacific(clock());
    return { success: true, message: 'Order held successfully.' };
  }

  function addTag(body: unknown) {
    const order = orderIdFromBody(body, 'request');
    const tagId = isObject(body) ? body.tagId : undefined;
    if (!Number.isInteger(tagId)) throw invalid({ 'request.tagId': ['The tagId field is required.'] });
    if (!tags.some((t) => t.tagId === tagId)) throw badRequest(`Tag ${String(tagId)} was not found.`);
    const current = order.tagIds ?? [];
    if (!current.includes(tagId as number)) order.tagIds = [...current, tagId as number];
    order.modifyDate = formatPacific(clock());
    return { success: true, message: 'Tag added successfully.' };
  }

  function listStores(q: URLSearchParams) {
    const showInactive = q.get('showInactive') === 'true';
    const marketplaceId = q.get('marketplaceId');
    return stores
      .filter((s) => showInactive || s.active !== false)
      .filter((s) => marketplaceId === null || marketplaceId === '' || (s.marketplaceId ?? 0) === Number(marketplaceId))
      .map((s) => ({
        storeId: s.storeId,
        storeName: s.storeName,
        marketplaceId: s.marketplaceId ?? 0,
        marketplaceName: s.marketplaceName,
        accountName: s.accountName ?? null,
        email: null,
        integrationUrl: null,
        active: s.active ?? true,
        companyName: '',
        phone: '',
        publicEmail: '',
        website: '',
        refreshDate: simCreateDate,
        lastRefreshAttempt: simCreateDate,
        createDate: simCreateDate,
        modifyDate: simCreateDate,
        autoRefresh: s.marketplaceName !== 'ShipStation',
      }));
  }

  function listWarehouses() {
    const address = (name: string, o: SimWarehouse['origin'] = { city: 'Austin', state: 'TX', postalCode: '78701' }) => ({
      name,
      company: 'Dockhand Sandbox',
      street1: '100 Loopback Way',
      street2: '',
      street3: '',
      city: o.city,
      state: o.state,
      postalCode: o.postalCode,
      country: 'US',
      phone: '5125550100',
      residential: false,
    });
    return warehouses.map((w) => ({
      warehouseId: w.warehouseId,
      warehouseName: w.warehouseName,
      originAddress: address(w.warehouseName, w.origin),
      returnAddress: { ...address(w.warehouseName, w.origin), residential: null },
      createDate: simCreateDate,
      isDefault: w.warehouseId === defaultWarehouseId,
    }));
  }

  // ------------------------------------------------------------ shipments, fulfillments, webhooks

  const shipmentRecords: Array<{ shipment: SimShipment; batchId: number }> = [];
  const fulfillmentRecords: SimFulfillment[] = [];
  const hooks: SimWebhook[] = [];
  const deliveries: WebhookDelivery[] = [];
  const inFlight = new Set<Promise<void>>();
  const stopDeliveries = new AbortController();
  let webhooksToDrop = 0;
  let nextShipmentId = 520_000_001;
  let nextFulfillmentId = 530_000_001;
  let nextBatchId = 540_000_001;
  let nextBatchNumber = 100_301;
  let nextWebhookId = 550_001;

  const nowKey = () => formatPacific(clock());
  /** A Pacific calendar day from any date ShipStation accepts (an instant with an offset is converted). */
  const dayOf = (v: string | undefined): string | null => (v === undefined ? nowKey().slice(0, 10) : (toPacificKey(v)?.slice(0, 10) ?? null));
  const trackingFor = (id: number) => `9400111${String(id).padStart(15, '0')}`;
  const storeOf = (storeId: number) => stores.find((s) => s.storeId === storeId);
  // Only ShipStation's native marketplace connections tell the channel; an API-created order's store has no channel to tell.
  const notifiesChannel = (order: ShipStationOrder) => storeOf(order.advancedOptions.storeId)?.marketplaceName === 'Amazon';

  /**
   * Shipped once every (non-adjustment) item is in live shipments, or a live fulfillment exists;
   * back to awaiting_shipment once no live shipment or fulfillment is left.
   */
  function refreshShipped(order: ShipStationOrder): void {
    const live = shipmentRecords.map((r) => r.shipment).filter((x) => x.orderId === order.orderId && !x.voided);
    const fulfilled = fulfillmentRecords.some((f) => f.orderId === order.orderId && !f.voided);
    const inBoxes = new Map<number, number>();
    for (const x of live) for (const it of x.shipmentItems ?? []) inBoxes.set(it.orderItemId, (inBoxes.get(it.orderItemId) ?? 0) + it.quantity);
    const covered = order.items.filter((i) => !i.adjustment).every((i) => (inBoxes.get(i.orderItemId) ?? 0) >= i.quantity);
    if ((live.length > 0 && covered) || fulfilled) {
      if (order.orderStatus !== 'shipped') {
        order.orderStatus = 'shipped';
        order.shipDate = live.at(-1)?.shipDate ?? order.shipDate;
        order.modifyDate = nowKey();
      }
    } else if (order.orderStatus === 'shipped' && live.length === 0) {
      order.orderStatus = 'awaiting_shipment';
      order.shipDate = null;
      order.modifyDate = nowKey();
    }
  }

  interface LabelSpec {
    carrierCode: string;
    serviceCode: string;
    packageCode: string;
    confirmation: string;
    shipDate: string;
    items: OrderItem[];
    weight?: Weight;
    dimensions?: ShipStationOrder['dimensions'];
    insuranceOptions?: ShipStationOrder['insuranceOptions'];
  }

  /** Stores a label in a batch of its own and, unless told not to, sends SHIP_NOTIFY for that batch. */
  function recordLabel(order: ShipStationOrder, spec: LabelSpec, notify: boolean): SimShipment {
    const shipmentId = nextShipmentId++;
    const batchId = nextBatchId++;
    const shipment: SimShipment = {
      shipmentId,
      orderId: order.orderId,
      orderKey: order.orderKey,
      userId: SANDBOX_USER_ID,
      customerEmail: order.customerEmail,
      orderNumber: order.orderNumber,
      createDate: netDate(nowKey()),
      shipDate: spec.shipDate,
      shipmentCost: 7.3,
      insuranceCost: 0,
      trackingNumber: trackingFor(shipmentId),
      isReturnLabel: false,
      batchNumber: String(nextBatchNumber++),
      carrierCode: spec.carrierCode,
      serviceCode: spec.serviceCode,
      packageCode: spec.packageCode,
      confirmation: spec.confirmation,
      warehouseId: order.advancedOptions.warehouseId,
      voided: false,
      voidDate: null,
      marketplaceNotified: notifiesChannel(order),
      notifyErrorMessage: null,
      shipTo: clone(order.shipTo),
      weight: clone(spec.weight ?? order.weight),
      dimensions: clone(spec.dimensions ?? order.dimensions),
      insuranceOptions: clone(spec.insuranceOptions ?? order.insuranceOptions),
      advancedOptions: clone(order.advancedOptions),
      shipmentItems: spec.items.map(clone),
      labelData: null,
      formData: null,
    };
    shipmentRecords.push({ shipment, batchId });
    refreshShipped(order);
    if (notify) announceBatch(batchId, order);
    return shipment;
  }

  function announceBatch(batchId: number, order: ShipStationOrder): void {
    // The real resource_url (community and help-center reports): GET /shipments for the batch, without items.
    const resourceUrl = `${url}/shipments?batchId=${batchId}&includeShipmentItems=False`;
    for (const hook of hooks) {
      if (hook.HookType !== 'SHIP_NOTIFY' || !hook.Active) continue;
      if (hook.StoreID !== null && hook.StoreID !== order.advancedOptions.storeId) continue;
      const d: WebhookDelivery = { webhookId: hook.WebHookID, targetUrl: hook.Url, resourceUrl, batchId, dropped: false };
      deliveries.push(d);
      if (webhooksToDrop > 0) {
        webhooksToDrop -= 1;
        d.dropped = true;
        continue;
      }
      const p = deliver(hook.Url, resourceUrl, d);
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
  }

  async function deliver(target: string, resourceUrl: string, d: WebhookDelivery): Promise<void> {
    // Let the API answer first: ShipStation posts "within a few minutes" of the label, never before.
    await new Promise((r) => setImmediate(r));
    try {
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ resource_url: resourceUrl, resource_type: 'SHIP_NOTIFY' }),
        signal: AbortSignal.any([stopDeliveries.signal, AbortSignal.timeout(WEBHOOK_TIMEOUT_MS)]),
      });
      d.status = res.status;
      await res.arrayBuffer();
    } catch (e) {
      d.error = e instanceof Error ? e.message : String(e);
    }
  }

  function weightFrom(v: unknown, param: string): Weight | undefined {
    if (!isObject(v)) return undefined;
    const value = num(v.value);
    const units = str(v.units);
    if (value === null || units === null || !WEIGHT_UNITS.includes(units)) {
      throw invalid({ [`${param}.weight`]: [`A weight needs a numeric value and units (${WEIGHT_UNITS.join(', ')}).`] });
    }
    return { value, units };
  }

  function labelableOrder(orderId: number): ShipStationOrder {
    const order = findById(orderId);
    if (!order) throw badRequest(`Order ${orderId} was not found.`);
    if (order.orderStatus === 'cancelled') throw badRequest(`Order ${order.orderNumber} is cancelled; no label can be created for it.`);
    return order;
  }

  function createLabelForOrder(body: unknown) {
    const b = checkFields(body, 'request', {
      orderId: { type: 'integer', required: true },
      carrierCode: { type: 'string', required: true },
      serviceCode: { type: 'string', required: true },
      // Not in the createlabelfororder table, but in its example and the request schema.
      packageCode: { type: 'string' },
      // The table says required, the example sends null: null means `none`.
      confirmation: { type: 'string', oneOf: CONFIRMATIONS },
      shipDate: { type: 'date', required: true },
      weight: { type: 'object' },
      dimensions: { type: 'object' },
      insuranceOptions: { type: 'object' },
      internationalOptions: { type: 'object' },
      advancedOptions: { type: 'object' },
      testLabel: { type: 'boolean', required: true },
    });
    const weight = weightFrom(b.weight, 'request');
    const order = labelableOrder(b.orderId as number);
    const spec: LabelSpec = {
      carrierCode: b.carrierCode as string,
      serviceCode: b.serviceCode as string,
      packageCode: str(b.packageCode) ?? 'package',
      confirmation: str(b.confirmation) ?? 'none',
      shipDate: dayOf(b.shipDate as string)!,
      items: order.items.map(clone),
      ...(weight ? { weight } : {}),
    };
    if (b.testLabel === true) {
      // A test label is printable but is not a shipment: nothing is stored and no webhook fires.
      const shipmentId = nextShipmentId++;
      return { shipmentId, shipmentCost: 0, insuranceCost: 0, trackingNumber: trackingFor(shipmentId), labelData: LABEL_PDF_BASE64, formData: null };
    }
    const s = recordLabel(order, spec, true);
    return { shipmentId: s.shipmentId, shipmentCost: s.shipmentCost, insuranceCost: s.insuranceCost, trackingNumber: s.trackingNumber, labelData: LABEL_PDF_BASE64, formData: null };
  }

  function listShipments(q: URLSearchParams) {
    const lq = new ListQuery(q);
    const page = lq.int('page', 1, 1, Number.MAX_SAFE_INTEGER)!;
    const pageSize = lq.int('pageSize', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)!;
    const orderId = lq.int('orderId', undefined, 0, Number.MAX_SAFE_INTEGER);
    const batchId = lq.int('batchId', undefined, 0, Number.MAX_SAFE_INTEGER);
    const storeId = lq.int('storeId', undefined, 0, Number.MAX_SAFE_INTEGER);
    const [createStart, createEnd] = [lq.date('createDateStart'), lq.date('createDateEnd')];
    const [shipStart, shipEnd] = [lq.date('shipDateStart'), lq.date('shipDateEnd')];
    const [voidStart, voidEnd] = [lq.date('voidDateStart'), lq.date('voidDateEnd')];
    const withItems = lq.bool('includeShipmentItems') ?? false;
    const sort = lq.sort();
    lq.done();
    const orderNumber = lq.text('orderNumber');
    const tracking = lq.text('trackingNumber');
    const carrierCode = lq.text('carrierCode');
    const serviceCode = lq.text('serviceCode');
    const recipient = lq.text('recipientName')?.toLowerCase();
    const matched = shipmentRecords
      .filter(({ shipment: x, batchId: b }) => {
        if (orderId !== undefined && x.orderId !== orderId) return false;
        if (batchId !== undefined && b !== batchId) return false;
        if (storeId !== undefined && x.advancedOptions.storeId !== storeId) return false;
        if (orderNumber !== undefined && x.orderNumber !== orderNumber) return false;
        if (tracking !== undefined && x.trackingNumber !== tracking) return false;
        if (carrierCode !== undefined && x.carrierCode !== carrierCode) return false;
        if (serviceCode !== undefined && x.serviceCode !== serviceCode) return false;
        if (recipient !== undefined && !x.shipTo.name?.toLowerCase().includes(recipient)) return false;
        return (
          inRange(toPacificKey(x.createDate), createStart, createEnd) &&
          inRange(toPacificKey(x.shipDate), shipStart, shipEnd) &&
          inRange(x.voidDate === null ? null : toPacificKey(x.voidDate), voidStart, voidEnd)
        );
      })
      .map((r) => r.shipment);
    const sorted = sortBy(matched, sort, (x) => x.shipmentId);
    const p = pageOf(sorted, page, pageSize);
    return {
      shipments: p.items.map((x) => ({ ...clone(x), shipmentItems: withItems ? clone(x.shipmentItems) : null })),
      total: p.total,
      page: p.page,
      pages: p.pages,
    };
  }

  function sortBy<T extends { createDate: string; shipDate: string }>(items: T[], sort: { field: 'shipDate' | 'createDate'; desc: boolean }, id: (x: T) => number): T[] {
    return [...items].sort((a, b) => {
      const av = toPacificKey(a[sort.field]) ?? '';
      const bv = toPacificKey(b[sort.field]) ?? '';
      const c = av < bv ? -1 : av > bv ? 1 : id(a) - id(b);
      return sort.desc ? -c : c;
    });
  }

  function voidShipment(shipment: SimShipment): void {
    shipment.voided = true;
    shipment.voidDate = netDate(nowKey());
    const order = findById(shipment.orderId);
    if (order) refreshShipped(order);
  }

  function voidLabelRequest(body: unknown) {
    const b = checkFields(body, 'request', { shipmentId: { type: 'integer', required: true } });
    const record = shipmentRecords.find((r) => r.shipment.shipmentId === b.shipmentId);
    if (!record) throw badRequest(`Shipment ${String(b.shipmentId)} was not found.`);
    // The spec documents only the approved answer; a second void of the same label is refused in words, not with an error status.
    if (record.shipment.voided) return { approved: false, message: 'Label has already been voided' };
    voidShipment(record.shipment);
    return { approved: true, message: 'Label voided successfully' };
  }

  function recordFulfillment(order: ShipStationOrder, f: { carrierCode: string; shipDate: string; trackingNumber: string | null; notifySalesChannel: boolean }): SimFulfillment {
    const fulfillment: SimFulfillment = {
      fulfillmentId: nextFulfillmentId++,
      orderId: order.orderId,
      orderNumber: order.orderNumber,
      userId: SANDBOX_USER_ID,
      customerEmail: order.customerEmail,
      trackingNumber: f.trackingNumber,
      createDate: netDate(nowKey()),
      shipDate: `${f.shipDate}T00:00:00`,
      voidDate: null,
      deliveryDate: null,
      carrierCode: f.carrierCode,
      fulfillmentProviderCode: null,
      fulfillmentServiceCode: null,
      fulfillmentFee: 0,
      voidRequested: false,
      voided: false,
      marketplaceNotified: f.notifySalesChannel && notifiesChannel(order),
      notifyErrorMessage: null,
      shipTo: clone(order.shipTo),
    };
    fulfillmentRecords.push(fulfillment);
    order.orderStatus = 'shipped';
    order.shipDate = f.shipDate;
    order.modifyDate = nowKey();
    return fulfillment;
  }

  function markAsShipped(body: unknown) {
    const b = checkFields(body, 'request', {
      orderId: { type: 'integer', required: true },
      carrierCode: { type: 'string', required: true },
      shipDate: { type: 'date' },
      trackingNumber: { type: 'string' },
      notifyCustomer: { type: 'boolean' },
      notifySalesChannel: { type: 'boolean' },
    });
    const order = findById(b.orderId as number);
    if (!order) throw badRequest(`Order ${String(b.orderId)} was not found.`);
    if (!OPEN_STATUSES.has(order.orderStatus)) throw badRequest(`Order ${order.orderNumber} is ${order.orderStatus} and cannot be marked as shipped.`);
    recordFulfillment(order, {
      carrierCode: b.carrierCode as string,
      shipDate: dayOf(str(b.shipDate) ?? undefined)!,
      trackingNumber: str(b.trackingNumber),
      notifySalesChannel: b.notifySalesChannel === true,
    });
    return { orderId: order.orderId, orderNumber: order.orderNumber };
  }

  function listFulfillments(q: URLSearchParams) {
    const lq = new ListQuery(q);
    const page = lq.int('page', 1, 1, Number.MAX_SAFE_INTEGER)!;
    const pageSize = lq.int('pageSize', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)!;
    const fulfillmentId = lq.int('fulfillmentId', undefined, 0, Number.MAX_SAFE_INTEGER);
    const orderId = lq.int('orderId', undefined, 0, Number.MAX_SAFE_INTEGER);
    const [createStart, createEnd] = [lq.date('createDateStart'), lq.date('createDateEnd')];
    const [shipStart, shipEnd] = [lq.date('shipDateStart'), lq.date('shipDateEnd')];
    const sort = lq.sort();
    lq.done();
    const orderNumber = lq.text('orderNumber');
    const tracking = lq.text('trackingNumber');
    const recipient = lq.text('recipientName')?.toLowerCase();
    const matched = fulfillmentRecords.filter((f) => {
      if (fulfillmentId !== undefined && f.fulfillmentId !== fulfillmentId) return false;
      if (orderId !== undefined && f.orderId !== orderId) return false;
      if (orderNumber !== undefined && f.orderNumber !== orderNumber) return false;
      if (tracking !== undefined && f.trackingNumber !== tracking) return false;
      if (recipient !== undefined && !f.shipTo.name?.toLowerCase().includes(recipient)) return false;
      return inRange(toPacificKey(f.createDate), createStart, createEnd) && inRange(toPacificKey(f.shipDate), shipStart, shipEnd);
    });
    const p = pageOf(sortBy(matched, sort, (f) => f.fulfillmentId), page, pageSize);
    return { fulfillments: p.items.map(clone), total: p.total, page: p.page, pages: p.pages };
  }

  function subscribe(body: unknown) {
    const b = checkFields(body, 'request', {
      target_url: { type: 'string', required: true },
      event: { type: 'string', required: true, oneOf: WEBHOOK_EVENTS },
      store_id: { type: 'integer' },
      friendly_name: { type: 'string' },
    });
    let target: URL | undefined;
    try {
      target = new URL(b.target_url as string);
    } catch {
      target = undefined;
    }
    if (!target || (target.protocol !== 'http:' && target.protocol !== 'https:')) {
      throw invalid({ 'request.target_url': [`'${String(b.target_url)}' is not an absolute http(s) URL.`] });
    }
    const storeId = num(b.store_id);
    if (storeId !== null && !validation.storeIds.has(storeId)) throw badRequest(`Store ${storeId} was not found.`);
    const hook: SimWebhook = {
      IsLabelAPIHook: false,
      WebHookID: nextWebhookId++,
      SellerID: SANDBOX_SELLER_ID,
      StoreID: storeId,
      HookType: b.event as string,
      MessageFormat: 'Json',
      Url: target.href,
      Name: str(b.friendly_name),
      BulkCopyBatchID: null,
      BulkCopyRecordID: null,
      Active: true,
      WebhookLogs: [],
      Seller: null,
      Store: null,
    };
    hooks.push(hook);
    return { id: hook.WebHookID };
  }

  type Handler = (ctx: { query: URLSearchParams; body: () => unknown; id: number }) => unknown;
  const routes: Array<{ method: string; template: string; pattern: RegExp; handler: Handler; bodyParam?: string }> = [
    { method: 'GET', template: '/orders', pattern: /^\/orders$/, handler: ({ query }) => listOrders(query) },
    {
      method: 'GET', template: '/orders/{orderId}', pattern: /^\/orders\/(\d+)$/,
      handler: ({ id }) => {
        const o = findById(id);
        if (!o) throw new HttpError(404, { Message: `Order ${id} was not found.` });
        return clone(o);
      },
    },
    {
      method: 'DELETE', template: '/orders/{orderId}', pattern: /^\/orders\/(\d+)$/,
      handler: ({ id }) => {
        const r = records.find((x) => x.active && x.order.orderId === id);
        if (!r) throw new HttpError(404, { Message: `Order ${id} was not found.` });
        // Soft delete per the spec: the order leaves the UI and the API's lists.
        r.active = false;
        return { success: true, message: 'The requested order has been deleted.' };
      },
    },
    { method: 'POST', template: '/orders/createorder', pattern: /^\/orders\/createorder$/, handler: ({ body }) => clone(upsert(body(), 'apiOrder')) },
    {
      method: 'POST', template: '/orders/createorders', pattern: /^\/orders\/createorders$/,
      handler: ({ body }) => {
        stats.createOrdersCalls += 1;
        return createOrders(body());
      },
    },
    { method: 'POST', template: '/orders/holduntil', pattern: /^\/orders\/holduntil$/, handler: ({ body }) => holdUntil(body()) },
    { method: 'POST', template: '/orders/addtag', pattern: /^\/orders\/addtag$/, handler: ({ body }) => addTag(body()) },
    { method: 'GET', template: '/stores', pattern: /^\/stores$/, handler: ({ query }) => listStores(query) },
    { method: 'GET', template: '/accounts/listtags', pattern: /^\/accounts\/listtags$/, handler: () => tags.map((t) => ({ ...t })) },
    { method: 'GET', template: '/warehouses', pattern: /^\/warehouses$/, handler: () => listWarehouses() },
    { method: 'GET', template: '/products', pattern: /^\/products$/, handler: ({ query }) => listProductsAnswer(opts.products ?? [], query, simCreateDate) },
    {
      method: 'POST', template: '/shipments/getrates', pattern: /^\/shipments\/getrates$/, bodyParam: 'request',
      handler: ({ body }) => {
        const r = getRatesAnswer(body());
        if ('errors' in r) throw invalid(r.errors);
        if ('message' in r) throw badRequest(r.message);
        return r.rates;
      },
    },
    {
      method: 'POST', template: '/orders/createlabelfororder', pattern: /^\/orders\/createlabelfororder$/, bodyParam: 'request',
      handler: ({ body }) => createLabelForOrder(body()),
    },
    { method: 'POST', template: '/orders/markasshipped', pattern: /^\/orders\/markasshipped$/, bodyParam: 'request', handler: ({ body }) => markAsShipped(body()) },
    { method: 'GET', template: '/shipments', pattern: /^\/shipments$/, handler: ({ query }) => listShipments(query) },
    { method: 'POST', template: '/shipments/voidlabel', pattern: /^\/shipments\/voidlabel$/, bodyParam: 'request', handler: ({ body }) => voidLabelRequest(body()) },
    { method: 'GET', template: '/fulfillments', pattern: /^\/fulfillments$/, handler: ({ query }) => listFulfillments(query) },
    { method: 'GET', template: '/webhooks', pattern: /^\/webhooks$/, handler: () => ({ webhooks: hooks.map(clone) }) },
    { method: 'POST', template: '/webhooks/subscribe', pattern: /^\/webhooks\/subscribe$/, bodyParam: 'request', handler: ({ body }) => subscribe(body()) },
    {
      method: 'DELETE', template: '/webhooks/{webhookId}', pattern: /^\/webhooks\/(\d+)$/,
      handler: ({ id }) => {
        const at = hooks.findIndex((h) => h.WebHookID === id);
        if (at < 0) throw new HttpError(404, { Message: `Webhook ${id} was not found.` });
        hooks.splice(at, 1);
        // The spec documents a bare 200 with no body.
        return undefined;
      },
    },
  ];

  function send(res: ServerResponse, status: number, body: unknown, rate?: RateWindowState): void {
    const headers: Record<string, string> = {};
    if (rate) {
      headers['X-Rate-Limit-Limit'] = String(rate.limit);
      headers['X-Rate-Limit-Remaining'] = String(rate.remaining);
      headers['X-Rate-Limit-Reset'] = String(rate.resetSeconds);
    }
    if (body === undefined) {
      res.writeHead(status, { ...headers, 'Content-Length': '0' });
      res.end();
      return;
    }
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    headers['Content-Type'] = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
    res.writeHead(status, headers);
    res.end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    // The web app is a page for a browser: no Basic auth, no rate limit, not counted in stats.
    const appPath = new URL(req.url ?? '/', 'http://localhost').pathname.toLowerCase();
    if (appPath === SIMULATED_APP_PATH || appPath.startsWith(`${SIMULATED_APP_PATH}/`)) {
      serveApp(req, res);
      return;
    }
    // API v2 authenticates with its own api-key header and paces on its own window.
    if (v2Inventory.handle(req, res, new URL(req.url ?? '/', 'http://localhost'))) return;
    const creds = credentialsOf(req);
    if (!creds || creds.key !== opts.apiKey || creds.secret !== opts.apiSecret) {
      // ShipStation answers bad or missing credentials with a bare 401 and no JSON body.
      res.setHeader('WWW-Authenticate', 'Basic realm="ssapi.shipstation.com"');
      send(res, 401, '401 Unauthorized', limiter.peek(opts.apiKey));
      return;
    }
    if (opts.planRefusesApi) {
      send(res, PLAN_REFUSED_STATUS, PLAN_REFUSED_BODY);
      return;
    }
    const decision = limiter.take(creds.key);
    if (!decision.allowed) {
      stats.throttled += 1;
      send(res, 429, { message: 'Too Many Requests' }, decision);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    // ShipStation runs on ASP.NET, where routes are case-insensitive and a trailing slash is ignored.
    const path = url.pathname.toLowerCase().replace(/\/+$/, '') || '/';
    const method = (req.method ?? 'GET').toUpperCase();
    const route = routes.find((r) => r.method === method && r.pattern.test(path));
    if (!route) {
      send(res, 404, { Message: `No HTTP resource was found that matches the request URI '${url.pathname}'.` }, decision);
      return;
    }
    const statKey = `${method} ${route.template}`;
    stats.requests[statKey] = (stats.requests[statKey] ?? 0) + 1;
    const failure = pendingFailures.shift();
    if (failure === 500) {
      send(res, 500, { Message: 'An error has occurred.' }, decision);
      return;
    }
    if (failure) {
      send(res, failure, failure === 502 ? 'Bad Gateway' : 'Service Unavailable', decision);
      return;
    }
    try {
      const id = Number(route.pattern.exec(path)?.[1] ?? 0);
      const result = route.handler({ query: url.searchParams, body: () => parseJson(raw, route.bodyParam ?? (route.template.includes('createorders') ? 'apiOrders' : 'apiOrder')), id });
      send(res, 200, result, decision);
    } catch (e) {
      if (e instanceof HttpError) send(res, e.status, e.body, decision);
      else send(res, 500, { Message: 'An error has occurred.', ExceptionMessage: e instanceof Error ? e.message : String(e) }, decision);
    }
  }

  /** The order search of the web app; anything else under the app is a 404 page. */
  function serveApp(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.toLowerCase().replace(/\/+$/, '');
    if ((req.method ?? 'GET').toUpperCase() !== 'GET' || path !== `${SIMULATED_APP_PATH}${ORDER_SEARCH_PATH}`) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`Not found. Orders are at ${SIMULATED_APP_PATH}${ORDER_SEARCH_PATH}?quickSearch=<order number>`);
      return;
    }
    const query = (url.searchParams.get('quickSearch') ?? '').trim();
    const needle = query.toLowerCase();
    const matched = needle ? active().filter((o) => o.orderNumber.toLowerCase().includes(needle) || String(o.orderId) === needle) : [];
    const html = renderOrderSearchPage(query, matched.map(pageOrder));
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(html);
  }

  function pageOrder(o: ShipStationOrder): OrderPageOrder {
    return {
      orderId: o.orderId,
      orderNumber: o.orderNumber,
      orderKey: o.orderKey,
      orderStatus: o.orderStatus,
      orderDate: o.orderDate,
      shipByDate: o.shipByDate,
      holdUntilDate: o.holdUntilDate,
      storeName: stores.find((s) => s.storeId === o.advancedOptions.storeId)?.storeName ?? String(o.advancedOptions.storeId),
      warehouseName: warehouses.find((w) => w.warehouseId === o.advancedOptions.warehouseId)?.warehouseName ?? String(o.advancedOptions.warehouseId),
      tags: (o.tagIds ?? []).map((id) => tags.find((t) => t.tagId === id) ?? { name: `tag ${id}`, color: '#999999' }),
      items: o.items.map((i) => ({ sku: i.sku, name: i.name, quantity: i.quantity })),
      labels: shipmentRecords
        .map((r) => r.shipment)
        .filter((x) => x.orderId === o.orderId)
        .map((x) => ({
          shipmentId: x.shipmentId,
          carrierCode: x.carrierCode,
          serviceCode: x.serviceCode,
          trackingNumber: x.trackingNumber,
          shipDate: x.shipDate,
          voided: x.voided,
          items: (x.shipmentItems ?? []).reduce((n, i) => n + i.quantity, 0),
        })),
      fulfillments: fulfillmentRecords
        .filter((f) => f.orderId === o.orderId)
        .map((f) => ({ fulfillmentId: f.fulfillmentId, carrierCode: f.carrierCode, trackingNumber: f.trackingNumber, shipDate: f.shipDate, voided: f.voided })),
    };
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, { Message: 'An error has occurred.', ExceptionMessage: String(e) });
      else res.destroy();
    });
  });
  const url = await listenOnLoopback(server, opts, 'http');

  return {
    url,
    appUrl: `${url}${SIMULATED_APP_PATH}`,
    v2Inventory,
    orders: () => active().map(clone),
    getByOrderKey: (orderKey) => {
      const o = findByKey(orderKey);
      return o ? clone(o) : undefined;
    },
    getByOrderNumber: (orderNumber) => active().filter((o) => o.orderNumber === orderNumber).map(clone),
    staffEdit(orderId, patch) {
      const o = requireOrder(orderId);
      if (patch.warehouseId !== undefined) o.advancedOptions.warehouseId = patch.warehouseId;
      if (patch.tagIds !== undefined) o.tagIds = patch.tagIds.length > 0 ? [...patch.tagIds] : null;
      if (patch.internalNotes !== undefined) o.internalNotes = patch.internalNotes;
      if (patch.carrierCode !== undefined) o.carrierCode = patch.carrierCode;
      if (patch.serviceCode !== undefined) o.serviceCode = patch.serviceCode;
      if (patch.packageCode !== undefined) o.packageCode = patch.packageCode;
      o.modifyDate = formatPacific(clock());
      return clone(o);
    },
    markShipped(orderId, shipDate, o = {}) {
      const order = requireOrder(orderId);
      const day = dayOf(shipDate);
      if (!day) throw new Error(`ShipStation simulator: not a date: ${shipDate}`);
      recordFulfillment(order, {
        carrierCode: o.carrierCode ?? 'usps',
        shipDate: day,
        trackingNumber: o.trackingNumber === undefined ? trackingFor(nextFulfillmentId) : o.trackingNumber,
        notifySalesChannel: o.notifySalesChannel ?? false,
      });
      return clone(order);
    },
    createLabel(orderId, o = {}) {
      const order = requireOrder(orderId);
      if (order.orderStatus === 'cancelled') throw new Error(`ShipStation simulator: order ${orderId} is cancelled`);
      const shipDate = dayOf(o.shipDate);
      if (!shipDate) throw new Error(`ShipStation simulator: not a date: ${o.shipDate}`);
      const items = o.items
        ? o.items.map(({ lineItemKey, quantity }) => {
            const item = order.items.find((i) => i.lineItemKey === lineItemKey);
            if (!item) throw new Error(`ShipStation simulator: order ${orderId} has no line ${lineItemKey}`);
            if (!Number.isInteger(quantity) || quantity < 1) throw new Error(`ShipStation simulator: bad quantity ${quantity} for line ${lineItemKey}`);
            return { ...clone(item), quantity };
          })
        : order.items.map(clone);
      const shipment = recordLabel(
        order,
        {
          carrierCode: o.carrierCode ?? 'stamps_com',
          serviceCode: o.serviceCode ?? 'usps_priority_mail',
          packageCode: o.packageCode ?? 'package',
          confirmation: 'none',
          shipDate,
          items,
        },
        o.notify !== false,
      );
      return clone(shipment);
    },
    voidLabel(shipmentId) {
      const record = shipmentRecords.find((r) => r.shipment.shipmentId === shipmentId);
      if (!record) throw new Error(`ShipStation simulator: no shipment ${shipmentId}`);
      if (!record.shipment.voided) voidShipment(record.shipment);
      return clone(record.shipment);
    },
    shipments: () => shipmentRecords.map((r) => clone(r.shipment)),
    fulfillments: () => fulfillmentRecords.map(clone),
    webhooks: () => hooks.map(clone),
    webhookDeliveries: () => deliveries.map((d) => ({ ...d })),
    async flushWebhooks() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    dropWebhooks(count) {
      webhooksToDrop += count;
    },
    stats: () => clone(stats),
    resetStats() {
      stats = { requests: {}, throttled: 0, createOrdersCalls: 0 };
    },
    failNext(count, status) {
      pendingFailures = [...pendingFailures, ...Array.from({ length: count }, () => status)];
    },
    close: async () => {
      stopDeliveries.abort();
      await Promise.all([...inFlight]);
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      });
    },
  };
}
