import { createHash } from 'node:crypto';
import { DockhandError } from '../domain/errors';
import type { Order, OrderItem } from '../domain/order';
import { toShipStationDate } from '../shipstation/dates';
import type {
  AddressInput,
  CreateOrderInput,
  ItemOption,
  OrderItemInput,
  ShipStationOrder,
} from '../shipstation/schemas';

/**
 * Pure mapping between Dockhand's Order and ShipStation's createorder body. No I/O, no clock.
 */

/**
 * ShipStation documents no length for orderKey; 50 characters is the smallest limit seen for
 * its string keys, so we stay within it. An Amazon order id is 19 characters.
 */
const ORDER_KEY_MAX = 50;

function shortHash(s: string, length: number): string {
  return createHash('sha256').update(s).digest('hex').slice(0, length);
}

/**
 * Stable ShipStation orderKey for one Amazon order in one Dockhand account. Sending the same key
 * again updates the order instead of creating a second one (createorder spec), which is what
 * makes our createorder calls idempotent. Long account names are replaced by a short hash so the
 * key stays within {@link ORDER_KEY_MAX} characters.
 */
export function orderKeyFor(accountId: string, amazonOrderId: string): string {
  const plain = `dockhand:${accountId}:${amazonOrderId}`;
  if (plain.length <= ORDER_KEY_MAX) return plain;
  const hashed = `dockhand:${shortHash(accountId, 10)}:${amazonOrderId}`;
  return hashed.length <= ORDER_KEY_MAX ? hashed : `dockhand:${shortHash(plain, 40)}`;
}

/** Amazon's fulfillmentServiceLevel in the words Seller Central shows (ShipmentServiceLevelCategory). */
const SERVICE_LEVEL_TEXT: Record<string, string> = {
  EXPEDITED: 'Expedited',
  FREE_ECONOMY: 'FreeEconomy',
  NEXT_DAY: 'NextDay',
  PRIORITY: 'Priority',
  SAME_DAY: 'SameDay',
  SECOND_DAY: 'SecondDay',
  SCHEDULED: 'Scheduled',
  STANDARD: 'Standard',
};

/** Human text for an Amazon service level; unknown values pass through unchanged. */
export function serviceLevelText(serviceLevel: string | undefined): string | undefined {
  if (!serviceLevel) return undefined;
  return SERVICE_LEVEL_TEXT[serviceLevel.toUpperCase()] ?? serviceLevel;
}

/** Service levels whose Prime promise is tight enough to call out on the ShipStation grid. */
const FAST_LEVELS = new Set(['NEXT_DAY', 'SAME_DAY']);

/** customField1: what a packer must see first. `Prime`, `Prime NextDay`, `Business`. */
export function markersFor(order: Pick<Order, 'isPrime' | 'isBusiness' | 'serviceLevel'>): string | undefined {
  const markers: string[] = [];
  if (order.isPrime) {
    const level = order.serviceLevel?.toUpperCase();
    markers.push(level && FAST_LEVELS.has(level) ? `Prime ${serviceLevelText(level)}` : 'Prime');
  }
  if (order.isBusiness) markers.push('Business');
  return markers.length ? markers.join(' | ') : undefined;
}

type ShipStationStatus = CreateOrderInput['orderStatus'];

const STATUS: Record<Order['status'], ShipStationStatus> = {
  // Amazon has not released a pending order for shipment; awaiting_payment keeps it off the pick list.
  pending: 'awaiting_payment',
  unshipped: 'awaiting_shipment',
  partially_shipped: 'awaiting_shipment',
  shipped: 'shipped',
  cancelled: 'cancelled',
  // Amazon could not fulfil it (an FBA state): nothing is left to ship.
  unfulfillable: 'cancelled',
};

const RESIDENTIAL: Record<string, boolean | null> = {
  residential: true,
  commercial: false,
  // A locker or counter: let ShipStation's address check decide.
  pickup_point: null,
};

/** Amazon withholds names on some orders; ShipStation rejects an address without one. */
const NAME_FALLBACK = 'Amazon Customer';

export interface SkuLookup {
  sku: string;
  mapped: boolean;
}

export interface MapContext {
  storeId?: number;
  warehouseId?: number;
  /** Our SKU for an Amazon line; `mapped: false` when it fell back to Amazon's seller SKU/ASIN. */
  skuFor: (item: OrderItem) => SkuLookup;
}

export interface MappedOrder {
  payload: CreateOrderInput;
  /** Amazon seller SKUs (or ASINs) with no mapping, deduplicated, in line order. */
  unmappedSkus: string[];
}

function itemOptions(item: OrderItem): ItemOption[] | undefined {
  // The ASIN goes into an item option: `upc` is a scannable barcode and `fulfillmentSku` routes to
  // a 3PL, so both would be misread; options print on packing slips and ListOrders' itemKeyword
  // searches them (spec), so staff can find an order by ASIN.
  const options: ItemOption[] = [];
  if (item.asin) options.push({ name: 'ASIN', value: item.asin });
  if (item.giftWrapLevel) options.push({ name: 'Gift wrap', value: item.giftWrapLevel });
  return options.length ? options : undefined;
}

function quantityToShip(order: Order, item: OrderItem): number {
  // A partially shipped order must only put what is still owed on the pick list.
  if (order.status === 'partially_shipped') return Math.max(0, item.quantityOrdered - item.quantityShipped);
  return item.quantityOrdered;
}

function deliverByText(order: Order): string | undefined {
  const { earliest, latest } = order.deliverBy;
  if (!earliest && !latest) return undefined;
  // ISO 8601 interval, UTC as Amazon sent it: staff read it, nothing parses it back.
  return `deliver-by ${earliest ?? '..'}/${latest ?? '..'}`;
}

function giftMessageOf(order: Order): string | undefined {
  if (order.giftMessage) return order.giftMessage;
  const perItem = order.items.map((i) => i.giftMessage).filter((m): m is string => !!m);
  return perItem.length ? [...new Set(perItem)].join('\n') : undefined;
}

/**
 * Maps a Dockhand order to the body of ShipStation's createorder. Buyer-requested item
 * cancellations (`cancelRequested`) are not acted on here yet: they travel unchanged and the sync
 * job is where a future "hold and ask" step belongs.
 */
export function toShipStationOrder(order: Order, ctx: MapContext): MappedOrder {
  const unmapped: string[] = [];
  const items: OrderItemInput[] = [];
  for (const item of order.items) {
    const quantity = quantityToShip(order, item);
    if (order.status === 'partially_shipped' && quantity === 0) continue;
    const { sku, mapped } = ctx.skuFor(item);
    if (!mapped) {
      const id = item.sellerSku ?? item.asin ?? sku;
      if (!unmapped.includes(id)) unmapped.push(id);
    }
    items.push(
      dropUndefined({
        lineItemKey: item.orderItemId,
        sku,
        name: item.title ?? sku,
        quantity,
        unitPrice: item.unitPrice,
        taxAmount: item.tax,
        shippingAmount: item.shipping,
        options: itemOptions(item),
      }),
    );
  }

  const shipName = order.shipTo.name ?? order.buyer.name ?? NAME_FALLBACK;
  const residential = order.shipTo.addressType === undefined ? undefined : RESIDENTIAL[order.shipTo.addressType];
  const shipTo: AddressInput = dropUndefined({
    name: shipName,
    company: order.shipTo.companyName,
    street1: order.shipTo.line1,
    street2: order.shipTo.line2,
    street3: order.shipTo.line3,
    city: order.shipTo.city,
    state: order.shipTo.stateOrRegion,
    postalCode: order.shipTo.postalCode,
    country: order.shipTo.countryCode,
    phone: order.shipTo.phone,
    residential,
  });
  // Amazon gives no billing address; ShipStation requires billTo, and a name satisfies it.
  const billTo: AddressInput = dropUndefined({
    name: order.buyer.name ?? shipName,
    company: order.buyer.companyName,
  });

  const po = order.buyer.purchaseOrderNumber;
  const payload: CreateOrderInput = dropUndefined({
    orderNumber: order.amazonOrderId,
    orderKey: orderKeyFor(order.accountId, order.amazonOrderId),
    orderDate: toShipStationDate(order.createdTime),
    paymentDate: toShipStationDate(order.createdTime),
    shipByDate: order.shipBy.latest ? toShipStationDate(order.shipBy.latest) : undefined,
    orderStatus: STATUS[order.status],
    customerUsername: order.buyer.email,
    customerEmail: order.buyer.email,
    billTo,
    shipTo,
    items,
    amountPaid: order.amountPaid,
    taxAmount: order.taxTotal,
    shippingAmount: order.shippingTotal,
    internalNotes: po ? `PO: ${po}` : undefined,
    gift: order.isGift,
    giftMessage: giftMessageOf(order),
    requestedShippingService: serviceLevelText(order.serviceLevel),
    advancedOptions: dropUndefined({
      storeId: ctx.storeId,
      warehouseId: ctx.warehouseId,
      customField1: markersFor(order),
      customField2: `marketplace:${order.marketplaceId} account:${order.accountId}`,
      customField3: deliverByText(order),
      source: 'Amazon',
    }),
  });
  return { payload, unmappedSkus: unmapped };
}

/** ShipStation refuses API changes to orders in these statuses (createorder spec). */
const LOCKED = new Set(['shipped', 'cancelled']);

/** True when ShipStation will not accept an update to this order through the API. */
export function isLockedInShipStation(current: Pick<ShipStationOrder, 'orderStatus'>): boolean {
  return LOCKED.has(current.orderStatus);
}

function nn<T>(v: T | null | undefined): T | undefined {
  return v === null ? undefined : v;
}

function mergeItems(current: ShipStationOrder, next: CreateOrderInput): OrderItemInput[] | undefined {
  const nextItems = next.items ?? [];
  const currentItems = current.items ?? [];
  const merged: OrderItemInput[] = nextItems.map((item) => {
    const was = item.lineItemKey ? currentItems.find((c) => c.lineItemKey === item.lineItemKey) : undefined;
    if (!was) return item;
    const ourOptionNames = new Set((item.options ?? []).map((o) => o.name));
    const staffOptions = (was.options ?? []).filter(
      (o): o is ItemOption => typeof o.name === 'string' && typeof o.value === 'string' && !ourOptionNames.has(o.name),
    );
    const options = [...(item.options ?? []), ...staffOptions];
    return dropUndefined({
      // What a packer set up in ShipStation's product or order screen.
      imageUrl: nn(was.imageUrl),
      weight: nn(was.weight),
      warehouseLocation: nn(was.warehouseLocation),
      productId: nn(was.productId),
      fulfillmentSku: nn(was.fulfillmentSku),
      upc: nn(was.upc),
      // What Amazon owns.
      ...item,
      options: options.length ? options : undefined,
    });
  });
  // Lines staff added by hand (no key, or an adjustment) stay; lines Amazon dropped go.
  for (const was of currentItems) {
    // A keyed line is ours: either merged above or no longer on the Amazon order.
    if (was.lineItemKey && !was.adjustment) continue;
    merged.push(
      dropUndefined({
        lineItemKey: nn(was.lineItemKey),
        sku: nn(was.sku),
        name: nn(was.name),
        imageUrl: nn(was.imageUrl),
        weight: nn(was.weight),
        quantity: was.quantity,
        unitPrice: nn(was.unitPrice),
        taxAmount: nn(was.taxAmount),
        shippingAmount: nn(was.shippingAmount),
        warehouseLocation: nn(was.warehouseLocation),
        options: was.options?.filter((o): o is ItemOption => typeof o.name === 'string' && typeof o.value === 'string'),
        productId: nn(was.productId),
        fulfillmentSku: nn(was.fulfillmentSku),
        adjustment: nn(was.adjustment),
        upc: nn(was.upc),
      }),
    );
  }
  return merged;
}

function mergeNotes(current: string | null | undefined, ours: string | null | undefined): string | undefined {
  if (!current) return nn(ours);
  if (!ours || current.includes(ours)) return current;
  return `${current}\n${ours}`;
}

function addressInput(a: ShipStationOrder['shipTo']): AddressInput | undefined {
  if (!a?.name) return undefined;
  return dropUndefined({
    name: a.name,
    company: nn(a.company),
    street1: nn(a.street1),
    street2: nn(a.street2),
    street3: nn(a.street3),
    city: nn(a.city),
    state: nn(a.state),
    postalCode: nn(a.postalCode),
    country: nn(a.country),
    phone: nn(a.phone),
    residential: a.residential,
  });
}

/**
 * Amazon withholds buyer details on some orders and after its retention period ends; an update
 * then carries no street or only our placeholder name. That must not erase what ShipStation has.
 */
function mergeShipTo(current: ShipStationOrder, next: CreateOrderInput): AddressInput {
  const kept = addressInput(current.shipTo);
  return !next.shipTo.street1 && kept?.street1 ? kept : next.shipTo;
}

function mergeBillTo(current: ShipStationOrder, next: CreateOrderInput): AddressInput {
  const kept = addressInput(current.billTo);
  return next.billTo.name === NAME_FALLBACK && kept ? kept : next.billTo;
}

function mergeStatus(current: string, next: ShipStationStatus): ShipStationStatus {
  // A hold placed by staff survives an Amazon update that merely says "still unshipped".
  if (current === 'on_hold' && next === 'awaiting_shipment') return 'on_hold';
  // Amazon never asks for a hold; only a rule's holdUntil does, at import. Once staff released
  // the order (or the hold ran out), an update must not hold it again.
  if (next === 'on_hold' && current === 'awaiting_shipment') return 'awaiting_shipment';
  return next;
}

/**
 * Builds the createorder body for updating an order that already exists in ShipStation.
 * createorder replaces the whole order, so we start from ShipStation's current copy and keep what
 * staff may have changed there (warehouse, tags, notes, carrier/service/package/confirmation,
 * weight, dimensions, insurance, customs, hold, assigned user, per-item location and weight),
 * taking from `next` only what Amazon owns (status, addresses, lines and quantities, amounts,
 * gift, dates, our markers). Items are matched by lineItemKey. Buyer details Amazon has stopped
 * sharing (no street, placeholder name, no email) never overwrite ShipStation's copy.
 * @throws DockhandError `order.locked_in_shipstation` when ShipStation has it shipped or cancelled.
 */
export function mergeForUpdate(current: ShipStationOrder, next: CreateOrderInput): CreateOrderInput {
  if (isLockedInShipStation(current)) {
    throw new DockhandError(
      'order.locked_in_shipstation',
      `ShipStation order ${current.orderNumber} is ${current.orderStatus} and cannot be updated`,
      { hint: 'Change it in ShipStation by hand if Amazon changed after it was shipped or cancelled.' },
    );
  }
  const was = current.advancedOptions ?? {};
  const advancedOptions = dropUndefined({
    warehouseId: nn(was.warehouseId) ?? nn(next.advancedOptions?.warehouseId),
    nonMachinable: nn(was.nonMachinable),
    saturdayDelivery: nn(was.saturdayDelivery),
    containsAlcohol: nn(was.containsAlcohol),
    billToParty: nn(was.billToParty),
    billToAccount: nn(was.billToAccount),
    billToPostalCode: nn(was.billToPostalCode),
    billToCountryCode: nn(was.billToCountryCode),
    storeId: nn(next.advancedOptions?.storeId) ?? nn(was.storeId),
    customField1: nn(next.advancedOptions?.customField1),
    customField2: nn(next.advancedOptions?.customField2),
    customField3: nn(next.advancedOptions?.customField3),
    source: nn(next.advancedOptions?.source) ?? nn(was.source),
  });
  return dropUndefined({
    // Staff-owned.
    customerNotes: nn(current.customerNotes),
    paymentMethod: nn(current.paymentMethod),
    confirmation: nn(current.confirmation),
    insuranceOptions: nn(current.insuranceOptions),
    internationalOptions: nn(current.internationalOptions),
    userId: nn(current.userId),
    // Amazon-owned.
    ...next,
    // What the rules set at import is staff-owned from then on: ShipStation's copy wins.
    carrierCode: nn(current.carrierCode),
    serviceCode: nn(current.serviceCode),
    packageCode: nn(current.packageCode),
    weight: nn(current.weight),
    dimensions: nn(current.dimensions),
    tagIds: nn(current.tagIds),
    holdUntilDate: nn(current.holdUntilDate),
    orderStatus: mergeStatus(current.orderStatus, next.orderStatus),
    shipTo: mergeShipTo(current, next),
    billTo: mergeBillTo(current, next),
    customerEmail: nn(next.customerEmail) ?? nn(current.customerEmail),
    customerUsername: nn(next.customerUsername) ?? nn(current.customerUsername),
    internalNotes: mergeNotes(current.internalNotes, next.internalNotes),
    items: mergeItems(current, next),
    advancedOptions,
  });
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonical(v);
    }
    return out;
  }
  return value;
}

/**
 * Stable sha256 (hex) of a payload: keys sorted at every depth, `undefined` dropped as JSON does.
 * Equal hashes mean ShipStation already holds what we would send.
 */
export function hashOf(payload: unknown): string {
  return createHash('sha256').update(JSON.stringify(canonical(payload))).digest('hex');
}

function dropUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
