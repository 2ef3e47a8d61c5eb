import { z } from 'zod';

/**
 * Dockhand's own order: what the rest of the product sees of an Amazon order.
 * Amazon's wire shape (Orders API v2026-01-01) stays inside src/amazon; ShipStation's inside
 * src/shipstation. Amounts are numbers in the order's currency, rounded to cents.
 */

export const OrderStatus = z.enum([
  'pending', // PENDING / PENDING_AVAILABILITY: never released to ship
  'unshipped',
  'partially_shipped',
  'shipped',
  'cancelled',
  'unfulfillable',
]);
export type OrderStatus = z.infer<typeof OrderStatus>;

export const TimeWindow = z.object({
  earliest: z.string().optional(),
  latest: z.string().optional(),
});
export type TimeWindow = z.infer<typeof TimeWindow>;

/** Buyer-identifying data: encrypted at rest, never logged. */
export const Address = z.object({
  name: z.string().optional(),
  companyName: z.string().optional(),
  line1: z.string().optional(),
  line2: z.string().optional(),
  line3: z.string().optional(),
  city: z.string().optional(),
  stateOrRegion: z.string().optional(),
  postalCode: z.string().optional(),
  countryCode: z.string().optional(),
  phone: z.string().optional(),
  addressType: z.enum(['residential', 'commercial', 'pickup_point']).optional(),
});
export type Address = z.infer<typeof Address>;

export const Buyer = z.object({
  name: z.string().optional(),
  email: z.string().optional(),
  companyName: z.string().optional(),
  purchaseOrderNumber: z.string().optional(),
});
export type Buyer = z.infer<typeof Buyer>;

export const OrderItem = z.object({
  orderItemId: z.string().min(1),
  asin: z.string().optional(),
  sellerSku: z.string().optional(),
  title: z.string().optional(),
  quantityOrdered: z.number().int().nonnegative(),
  quantityShipped: z.number().int().nonnegative().default(0),
  /** Price of one unit (ItemPrice.unitPrice). */
  unitPrice: z.number().optional(),
  /** Item tax in the order's currency (item proceeds TAX breakdown). */
  tax: z.number().default(0),
  /** Shipping charged for this item (item proceeds SHIPPING breakdown). */
  shipping: z.number().default(0),
  giftMessage: z.string().optional(),
  giftWrapLevel: z.string().optional(),
  /** Set when the buyer asked to cancel this item (ItemCancellationRequest). */
  cancelRequested: z.boolean().default(false),
});
export type OrderItem = z.infer<typeof OrderItem>;

export const OrderPackageItem = z.object({
  orderItemId: z.string().min(1),
  quantity: z.number().int().nonnegative(),
});
export type OrderPackageItem = z.infer<typeof OrderPackageItem>;

/**
 * A package Amazon holds for a merchant-fulfilled order: what was confirmed to it (by Dockhand's
 * confirmShipment, by ShipStation's own Amazon store, or in Seller Central).
 */
export const OrderPackage = z.object({
  /** Unique within the order. Dockhand confirms with String(ShipStation shipmentId or fulfillmentId); others send anything. */
  packageReferenceId: z.string(),
  /** Carrier name as Amazon shows it (the confirmed carrierName, or the carrier code's name). */
  carrier: z.string().optional(),
  trackingNumber: z.string().optional(),
  /** When it was handed to the carrier, ISO 8601 as Amazon sent it. */
  shipTime: z.string().optional(),
  /** Amazon's packageStatus.status as sent (PENDING, IN_TRANSIT, SHIPPED, DELIVERED, CANCELLED, UNDELIVERABLE, ...). */
  status: z.string().optional(),
  items: z.array(OrderPackageItem).default([]),
});
export type OrderPackage = z.infer<typeof OrderPackage>;

export const Order = z.object({
  /** Dockhand account name from the config (one Amazon seller account in one region). */
  accountId: z.string().min(1),
  amazonOrderId: z.string().min(1),
  marketplaceId: z.string().min(1),
  marketplaceName: z.string().optional(),
  createdTime: z.string(),
  lastUpdatedTime: z.string(),
  status: OrderStatus,
  fulfilledBy: z.enum(['merchant', 'amazon']),
  /** Amazon's fulfillmentServiceLevel as sent (NEXT_DAY, SECOND_DAY, STANDARD, ...). */
  serviceLevel: z.string().optional(),
  shipBy: TimeWindow.default({}),
  deliverBy: TimeWindow.default({}),
  /** Amazon's order programs as sent (PRIME, AMAZON_BUSINESS, PREMIUM, ...). */
  programs: z.array(z.string()).default([]),
  isPrime: z.boolean(),
  isBusiness: z.boolean(),
  buyer: Buyer.default({}),
  shipTo: Address.default({}),
  items: z.array(OrderItem).min(1),
  currency: z.string().length(3).optional(),
  /** What the buyer paid in all (order proceeds grandTotal). */
  amountPaid: z.number().optional(),
  taxTotal: z.number().default(0),
  shippingTotal: z.number().default(0),
  isGift: z.boolean().default(false),
  giftMessage: z.string().optional(),
  /** Packages already confirmed to Amazon (includedData=PACKAGES); merchant-fulfilled orders only. */
  packages: z.array(OrderPackage).default([]),
});
export type Order = z.infer<typeof Order>;

/** True for orders Dockhand must never create in ShipStation. */
export function isShippable(order: Pick<Order, 'status' | 'fulfilledBy'>): boolean {
  return order.fulfilledBy === 'merchant' && (order.status === 'unshipped' || order.status === 'partially_shipped');
}
