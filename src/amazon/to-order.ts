import type { z } from 'zod';
import { DockhandError } from '../domain/errors';
import { Order, isShippable, type Address, type OrderItem, type OrderPackage, type OrderStatus } from '../domain/order';
import { AmazonOrder, type AmazonFulfillmentStatus, type AmazonMoney, type AmazonOrderPackage } from './schemas';

/** Which Dockhand account an order belongs to, and the marketplaces that account sells in. */
export interface OrderContext {
  accountId: string;
  marketplaceIds: string[];
}

/** An order we could not turn into a Dockhand `Order`, kept whole so it can be quarantined. */
export interface RejectedOrder {
  amazonOrderId?: string;
  error: DockhandError;
  raw: unknown;
}

const STATUS: Record<AmazonFulfillmentStatus, OrderStatus> = {
  PENDING_AVAILABILITY: 'pending',
  PENDING: 'pending',
  UNSHIPPED: 'unshipped',
  PARTIALLY_SHIPPED: 'partially_shipped',
  SHIPPED: 'shipped',
  CANCELLED: 'cancelled',
  UNFULFILLABLE: 'unfulfillable',
};

const ADDRESS_TYPE: Record<string, Address['addressType']> = {
  RESIDENTIAL: 'residential',
  COMMERCIAL: 'commercial',
  PICKUP_POINT: 'pickup_point',
};

const MALFORMED_HINT =
  'Dockhand skipped this order. Check it in Seller Central; it is retried automatically when Amazon updates it.';

/**
 * Parses an SP-API `Decimal` string into integer cents, rounding half away from zero.
 * Works on the digits rather than on a float so "1.005" becomes 101, not 100.
 * Returns undefined for anything that isn't a plain decimal ("", "1e3", "12,50", " 1").
 */
export function parseMoneyCents(amount: string): number | undefined {
  const m = /^([+-])?(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!m) return undefined;
  const [, sign, whole = '0', frac = ''] = m;
  const fracPadded = (frac + '000').slice(0, 3);
  let cents = Number(whole) * 100 + Number(fracPadded.slice(0, 2));
  if (Number(fracPadded[2]) >= 5) cents += 1;
  if (!Number.isSafeInteger(cents)) return undefined;
  return sign === '-' && cents !== 0 ? -cents : cents;
}

/** Amazon sends "" for absent text fields (addressLine3, municipality…); we want undefined. */
function text(v: string | null | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  const t = v.trim();
  return t === '' ? undefined : v;
}

/** Drops undefined values so the result matches zod's output for optional keys exactly. */
function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Maps one validated Amazon order (v2026-01-01, fetched with includedData BUYER, RECIPIENT,
 * FULFILLMENT, PROCEEDS, CANCELLATION, PACKAGES) into Dockhand's `Order`. Pure.
 *
 * @throws DockhandError `order.unknown_marketplace` when the order's marketplace is not one of
 *   `ctx.marketplaceIds`; `order.malformed` when the order cannot be shipped or priced as sent
 *   (an item with neither SKU nor ASIN, a non-positive quantity or missing address on a shippable
 *   order, money that isn't a decimal, no fulfillment block). The message names order and field.
 */
export function toDockhandOrder(wire: AmazonOrder, ctx: OrderContext): Order {
  const orderId = wire.orderId;
  const malformed = (field: string, problem: string): DockhandError =>
    new DockhandError('order.malformed', `Amazon order ${orderId} is malformed: ${field} ${problem}`, {
      hint: MALFORMED_HINT,
    });

  const marketplaceId = text(wire.salesChannel.marketplaceId);
  if (!marketplaceId) throw malformed('salesChannel.marketplaceId', 'is missing');
  if (!ctx.marketplaceIds.includes(marketplaceId)) {
    throw new DockhandError(
      'order.unknown_marketplace',
      `Amazon order ${orderId} is from marketplace ${marketplaceId}, which account ${ctx.accountId} does not sync (${ctx.marketplaceIds.join(', ') || 'none'})`,
      { hint: `Add ${marketplaceId} to the marketplaceIds of account ${ctx.accountId} in the config if Dockhand should sync it.` },
    );
  }

  const fulfillment = wire.fulfillment;
  if (!fulfillment) throw malformed('fulfillment', 'is missing (was includedData=FULFILLMENT requested?)');
  if (!fulfillment.fulfilledBy) throw malformed('fulfillment.fulfilledBy', 'is missing');
  const status = STATUS[fulfillment.fulfillmentStatus];
  const fulfilledBy = fulfillment.fulfilledBy === 'AMAZON' ? 'amazon' : 'merchant';
  const shippable = isShippable({ status, fulfilledBy });

  const currencies = new Set<string>();
  const cents = (money: AmazonMoney, field: string): number => {
    const c = parseMoneyCents(money.amount);
    if (c === undefined) throw malformed(field, `has an amount that is not a decimal number: ${JSON.stringify(money.amount)}`);
    currencies.add(money.currencyCode);
    return c;
  };
  const sumBreakdowns = (
    breakdowns: { type: string; subtotal: AmazonMoney }[] | null | undefined,
    type: string,
    field: string,
  ): number | undefined => {
    let total: number | undefined;
    (breakdowns ?? []).forEach((b, i) => {
      if (b.type === type) total = (total ?? 0) + cents(b.subtotal, `${field}.breakdowns[${i}].subtotal`);
    });
    return total;
  };

  if (wire.orderItems.length === 0) throw malformed('orderItems', 'is empty');
  const giftMessages: string[] = [];
  let isGift = false;
  let itemTaxCents = 0;
  let itemShippingCents = 0;
  const items: OrderItem[] = wire.orderItems.map((item, i) => {
    const at = `orderItems[${i}]`;
    const asin = text(item.product.asin);
    const sellerSku = text(item.product.sellerSku);
    if (!asin && !sellerSku) throw malformed(`${at}.product`, 'has neither sellerSku nor asin');
    if (item.quantityOrdered < 0 || (shippable && item.quantityOrdered === 0)) {
      throw malformed(`${at}.quantityOrdered`, `is ${item.quantityOrdered} on an order to ship (${status})`);
    }
    const quantityShipped = item.fulfillment?.quantityFulfilled ?? 0;
    if (quantityShipped < 0) throw malformed(`${at}.fulfillment.quantityFulfilled`, `is ${quantityShipped}`);

    const unitPrice = item.product.price?.unitPrice
      ? cents(item.product.price.unitPrice, `${at}.product.price.unitPrice`) / 100
      : undefined;
    const taxCents = sumBreakdowns(item.proceeds?.breakdowns, 'TAX', `${at}.proceeds`) ?? 0;
    const shippingCents = sumBreakdowns(item.proceeds?.breakdowns, 'SHIPPING', `${at}.proceeds`) ?? 0;
    itemTaxCents += taxCents;
    itemShippingCents += shippingCents;

    const gift = item.fulfillment?.packing?.giftOption;
    const giftMessage = text(gift?.giftMessage);
    if (gift) isGift = true;
    if (giftMessage && !giftMessages.includes(giftMessage)) giftMessages.push(giftMessage);

    return compact({
      orderItemId: item.orderItemId,
      asin,
      sellerSku,
      title: text(item.product.title),
      quantityOrdered: item.quantityOrdered,
      quantityShipped,
      unitPrice,
      tax: taxCents / 100,
      shipping: shippingCents / 100,
      giftMessage,
      giftWrapLevel: text(gift?.giftWrapLevel),
      cancelRequested: item.cancellation?.cancellationRequest != null,
    });
  });

  const a = wire.recipient?.deliveryAddress;
  const shipTo: Address = compact({
    name: text(a?.name),
    companyName: text(a?.companyName),
    line1: text(a?.addressLine1),
    line2: text(a?.addressLine2),
    line3: text(a?.addressLine3),
    city: text(a?.city),
    stateOrRegion: text(a?.stateOrRegion),
    postalCode: text(a?.postalCode),
    countryCode: text(a?.countryCode),
    phone: text(a?.phone),
    addressType: ADDRESS_TYPE[text(a?.addressType)?.toUpperCase() ?? ''],
  });
  // Amazon withholds addresses on pending orders, so only a shippable order must have one.
  if (shippable) {
    for (const [field, wireName] of [['line1', 'addressLine1'], ['city', 'city'], ['countryCode', 'countryCode']] as const) {
      if (!shipTo[field]) throw malformed(`recipient.deliveryAddress.${wireName}`, `is missing on an order to ship (${status})`);
    }
  }

  const grandTotal = wire.proceeds?.grandTotal;
  const amountPaidCents = grandTotal ? cents(grandTotal, 'proceeds.grandTotal') : undefined;
  // Order-level breakdowns are Amazon's own aggregate; items are the fallback when it's absent.
  const taxTotalCents = sumBreakdowns(wire.proceeds?.breakdowns, 'TAX', 'proceeds') ?? itemTaxCents;
  const shippingTotalCents = sumBreakdowns(wire.proceeds?.breakdowns, 'SHIPPING', 'proceeds') ?? itemShippingCents;
  const currency = grandTotal?.currencyCode ?? [...currencies][0];

  const b = wire.buyer;
  const f = fulfillment;
  const candidate = {
    accountId: ctx.accountId,
    amazonOrderId: orderId,
    marketplaceId,
    marketplaceName: text(wire.salesChannel.marketplaceName),
    createdTime: wire.createdTime,
    lastUpdatedTime: wire.lastUpdatedTime,
    status,
    fulfilledBy,
    serviceLevel: text(f.fulfillmentServiceLevel),
    shipBy: compact({ earliest: text(f.shipByWindow?.earliestDateTime), latest: text(f.shipByWindow?.latestDateTime) }),
    deliverBy: compact({
      earliest: text(f.deliverByWindow?.earliestDateTime),
      latest: text(f.deliverByWindow?.latestDateTime),
    }),
    programs: wire.programs ?? [],
    isPrime: (wire.programs ?? []).includes('PRIME'),
    isBusiness: (wire.programs ?? []).includes('AMAZON_BUSINESS'),
    buyer: compact({
      name: text(b?.buyerName),
      email: text(b?.buyerEmail),
      companyName: text(b?.buyerCompanyName),
      purchaseOrderNumber: text(b?.buyerPurchaseOrderNumber),
    }),
    shipTo,
    items,
    currency: text(currency),
    amountPaid: amountPaidCents === undefined ? undefined : amountPaidCents / 100,
    taxTotal: taxTotalCents / 100,
    shippingTotal: shippingTotalCents / 100,
    isGift,
    giftMessage: giftMessages.length ? giftMessages.join('\n') : undefined,
    packages: (wire.packages ?? []).map(toPackage),
  };

  // The domain schema is the contract the rest of Dockhand relies on; anything the checks above
  // missed (a 4-letter currency code, say) is caught here rather than downstream.
  const parsed = Order.safeParse(compact(candidate));
  if (!parsed.success) throw malformed(issuePath(parsed.error), parsed.error.issues[0]?.message ?? 'is invalid');
  return parsed.data;
}

function toPackage(p: AmazonOrderPackage): OrderPackage {
  return compact({
    packageReferenceId: p.packageReferenceId,
    carrier: text(p.carrier),
    trackingNumber: text(p.trackingNumber),
    shipTime: text(p.shipTime),
    status: text(p.packageStatus?.status),
    items: (p.packageItems ?? []).map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantity })),
  });
}

function issuePath(error: z.ZodError): string {
  const path = error.issues[0]?.path ?? [];
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '') || '(order)';
}

/**
 * Validates and maps a page of raw orders one at a time, so one bad order never sinks the page.
 * Orders failing the wire schema become `order.malformed` naming the first failing path; orders
 * failing `toDockhandOrder` keep its error. Pure.
 */
export function parseAmazonOrders(
  rawOrders: unknown[],
  ctx: OrderContext,
): { orders: Order[]; rejected: RejectedOrder[] } {
  const orders: Order[] = [];
  const rejected: RejectedOrder[] = [];
  for (const raw of rawOrders) {
    const rawId =
      raw !== null && typeof raw === 'object' && typeof (raw as { orderId?: unknown }).orderId === 'string'
        ? ((raw as { orderId: string }).orderId || undefined)
        : undefined;
    const wire = AmazonOrder.safeParse(raw);
    if (!wire.success) {
      const issue = wire.error.issues[0];
      const error = new DockhandError(
        'order.malformed',
        `Amazon order ${rawId ?? '(no orderId)'} is malformed: ${issuePath(wire.error)} ${issue?.message ?? 'is invalid'}`,
        { hint: MALFORMED_HINT, cause: wire.error },
      );
      rejected.push({ ...(rawId ? { amazonOrderId: rawId } : {}), error, raw });
      continue;
    }
    try {
      orders.push(toDockhandOrder(wire.data, ctx));
    } catch (e) {
      const error =
        e instanceof DockhandError
          ? e
          : new DockhandError('internal', `Mapping Amazon order ${wire.data.orderId} failed: ${String(e)}`, { cause: e });
      rejected.push({ amazonOrderId: wire.data.orderId, error, raw });
    }
  }
  return { orders, rejected };
}
