import { z } from 'zod';
import { DockhandError } from '../domain/errors';
import type { Order } from '../domain/order';

/**
 * What a return's refund is, computed from the order: the item's principal and tax for the
 * quantity returned, its shipping and shipping tax when the policy refunds shipping, less a
 * restocking fee where Amazon allows one. Pure, in integer cents of the order's currency, so the
 * amounts the manager sees are exactly the ones the adjustment feed carries.
 *
 * Caps: no component is ever more than what the buyer paid for it less what earlier refunds of
 * the same order item (other returns of it) gave back. A manager may lower the total, never
 * raise it (`lowerTo`).
 */

/** Money per component, in cents. */
export const RefundComponents = z.object({
  principal: z.number().int().nonnegative(),
  tax: z.number().int().nonnegative(),
  shipping: z.number().int().nonnegative(),
  shippingTax: z.number().int().nonnegative(),
});
export type RefundComponents = z.infer<typeof RefundComponents>;

export const NOTHING: RefundComponents = { principal: 0, tax: 0, shipping: 0, shippingTax: 0 };

/** One order item as the refund needs it: what the buyer paid for the whole line. */
export interface RefundableItem {
  orderItemId: string;
  sku: string;
  quantityOrdered: number;
  paid: RefundComponents;
}

/**
 * The order's items as the refund needs them. Amazon's order proceeds give the line's tax and
 * shipping, not shipping tax on its own (Dockhand's Order does not carry it): shipping tax is 0
 * here, and the manager's amount is what counts when that differs.
 */
export function refundableItems(order: Order): RefundableItem[] {
  return order.items.map((i) => ({
    orderItemId: i.orderItemId,
    sku: i.sellerSku ?? i.asin ?? i.orderItemId,
    quantityOrdered: i.quantityOrdered,
    paid: {
      principal: Math.round((i.unitPrice ?? 0) * 100) * i.quantityOrdered,
      tax: Math.round(i.tax * 100),
      shipping: Math.round(i.shipping * 100),
      shippingTax: 0,
    },
  }));
}

/**
 * Amazon's restocking-fee limits (Seller Central help, "Restocking fees"), as Dockhand applies them:
 * - never when the return is the seller's fault (defective, damaged, wrong or missing item,
 *   not as described): Amazon refunds those in full;
 * - up to 20% of the item's price for a buyer's change of mind that comes back opened or late;
 * - up to 50% when the item comes back damaged or materially changed by the buyer.
 * `returns.restockingFeePercent` is the seller's own rate, at most 50; the fee charged is that
 * rate capped by the case's limit. Check Amazon's current page before charging one: the rules
 * change by category and marketplace.
 */
export const RESTOCKING_LIMITS = { buyerRemorse: 20, buyerDamaged: 50 } as const;

/** Return reasons (Amazon's codes or words) that put the fault with the seller or the carrier. */
const SELLER_FAULT = /DEFECT|DAMAGED?_BY|CARRIER|WRONG|NOT_AS_DESCRIBED|BAD.?DESC|INACCURATE|MISSING|QUALITY|SWITCHEROO|EXTRA|INCORRECT|NOT_COMPATIBLE|FC_DAMAGE/i;

/** The restocking fee percent Amazon's limits allow for this return (0 when none may be charged). Pure. */
export function allowedRestockingPercent(policyPercent: number, reason: string, condition: 'ok' | 'damaged' | 'wrong_item' | 'missing' | undefined): number {
  if (policyPercent <= 0 || SELLER_FAULT.test(reason) || condition === 'wrong_item' || condition === 'missing') return 0;
  const limit = condition === 'damaged' ? RESTOCKING_LIMITS.buyerDamaged : RESTOCKING_LIMITS.buyerRemorse;
  return Math.min(policyPercent, limit);
}

export interface RefundInput {
  item: RefundableItem;
  /** Units returned (received). */
  quantity: number;
  /** What earlier refunds of this order item gave back. */
  alreadyRefunded?: RefundComponents;
  includeShipping: boolean;
  /** From `allowedRestockingPercent`. */
  restockingPercent: number;
}

/** A refund for one order item: what goes back per component, the fee kept, and the net. */
export const RefundQuote = z.object({
  orderItemId: z.string(),
  sku: z.string(),
  quantity: z.number().int().positive(),
  components: RefundComponents,
  /** Kept by the seller (charged to the buyer): the feed sends it as a negative RestockingFee. */
  restockingFee: z.number().int().nonnegative(),
  /** Net to the buyer, cents: components less the fee. */
  total: z.number().int().nonnegative(),
  /** The most this refund may be: the computed net. A manager may lower `total`, not raise it. */
  max: z.number().int().nonnegative(),
});
export type RefundQuote = z.infer<typeof RefundQuote>;

const KEYS = ['principal', 'tax', 'shipping', 'shippingTax'] as const;

/** The refund for returning `quantity` of one item. Throws `returns.refund_not_computable` when nothing is left to refund. Pure. */
export function computeRefund(input: RefundInput): RefundQuote {
  const { item, quantity } = input;
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > item.quantityOrdered) {
    throw new DockhandError('returns.refund_not_computable', `cannot refund ${quantity} of ${item.sku}: the order has ${item.quantityOrdered}`, {
      hint: 'The quantity received must be between 1 and the quantity ordered.',
    });
  }
  const before = input.alreadyRefunded ?? NOTHING;
  const share = (paid: number) => Math.round((paid * quantity) / item.quantityOrdered);
  const components = { ...NOTHING };
  for (const k of KEYS) {
    if ((k === 'shipping' || k === 'shippingTax') && !input.includeShipping) continue;
    components[k] = Math.max(0, Math.min(share(item.paid[k]), item.paid[k] - before[k]));
  }
  const restockingFee = Math.round((components.principal * Math.max(0, input.restockingPercent)) / 100);
  const gross = KEYS.reduce((s, k) => s + components[k], 0);
  const total = gross - restockingFee;
  if (total <= 0) {
    throw new DockhandError('returns.refund_not_computable', `nothing is left to refund for ${item.sku}: earlier refunds gave back what was paid`, {
      hint: 'Amazon requires the net of an adjustment to be a credit to the buyer; check Seller Central for the earlier refunds.',
    });
  }
  return { orderItemId: item.orderItemId, sku: item.sku, quantity, components, restockingFee, total, max: total };
}

/**
 * The quote with its net lowered to `cents` (a manager's decision): each component shrinks in
 * proportion, cents assigned by largest remainder so they add up exactly; the fee stays. Throws
 * `returns.refund_too_high` above the quote's max, and for a net of zero or less. Pure.
 */
export function lowerTo(quote: RefundQuote, cents: number): RefundQuote {
  if (!Number.isInteger(cents) || cents > quote.max) {
    throw new DockhandError('returns.refund_too_high', `${formatCents(cents)} is more than can be refunded for ${quote.sku} (${formatCents(quote.max)}: what was paid less earlier refunds)`, {
      hint: `Enter at most ${formatCents(quote.max)}.`,
    });
  }
  if (cents <= 0) {
    throw new DockhandError('returns.refund_too_high', `a refund of ${formatCents(cents)} is not a credit to the buyer`, { hint: 'Enter an amount above 0, or press Reject instead.' });
  }
  if (cents === quote.total) return quote;
  const gross = KEYS.reduce((s, k) => s + quote.components[k], 0);
  const target = cents + quote.restockingFee;
  const exact = KEYS.map((k) => (quote.components[k] * target) / gross);
  const floors = exact.map(Math.floor);
  let left = target - floors.reduce((a, b) => a + b, 0);
  const order = exact.map((v, i) => ({ i, r: v - Math.floor(v) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i]! += 1;
    left -= 1;
  }
  const components = { ...NOTHING };
  KEYS.forEach((k, i) => (components[k] = floors[i]!));
  return { ...quote, components, total: cents };
}

/** Adds refunded components (what earlier refunds of one item gave back). Pure. */
export function addComponents(a: RefundComponents, b: RefundComponents): RefundComponents {
  return { principal: a.principal + b.principal, tax: a.tax + b.tax, shipping: a.shipping + b.shipping, shippingTax: a.shippingTax + b.shippingTax };
}

/** `12.5` → "12.50": cents as a decimal with two places. Pure. */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** "12.5", "12.50", "12" → cents; undefined for anything else (more than two decimals, letters). Pure. */
export function parseCents(text: string): number | undefined {
  const m = /^\s*(\d{1,9})(?:[.,](\d{1,2}))?\s*$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}
