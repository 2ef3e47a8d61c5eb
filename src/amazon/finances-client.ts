import { z } from 'zod';
import { DockhandError } from '../domain/errors';
import { createSpCaller, type SpCallerOptions } from './sp-call';

/**
 * Finances v0, the one operation the returns work needs: listFinancialEventsByOrderId
 * (GET /finances/v0/orders/{orderId}/financialEvents, test/specs/amazon/financesV0.json; 0.5
 * requests/s, burst 30; "orders from the last 48 hours might not be included"). It confirms that
 * a refund Amazon accepted in the adjustment feed has posted: RefundEventList holds one
 * ShipmentEvent per refund, its ShipmentItemAdjustmentList the items with their charges.
 *
 * Thin: the transport (LWA token, pacing, retries, error mapping) is the SP-API caller the other
 * Amazon clients use, injected as `get`; this module only speaks the operation's wire shape.
 */

const Money = z.object({ CurrencyCode: z.string().optional(), CurrencyAmount: z.number().optional() }).passthrough();
const ChargeComponent = z.object({ ChargeType: z.string().optional(), ChargeAmount: Money.optional() }).passthrough();
const ShipmentItem = z
  .object({
    SellerSKU: z.string().optional(),
    OrderItemId: z.string().optional(),
    OrderAdjustmentItemId: z.string().optional(),
    QuantityShipped: z.number().int().optional(),
    ItemChargeAdjustmentList: z.array(ChargeComponent).optional(),
  })
  .passthrough();
const ShipmentEvent = z
  .object({
    AmazonOrderId: z.string().optional(),
    PostedDate: z.string().optional(),
    ShipmentItemAdjustmentList: z.array(ShipmentItem).optional(),
  })
  .passthrough();
export const ListFinancialEventsResponse = z
  .object({
    payload: z
      .object({
        NextToken: z.string().optional(),
        FinancialEvents: z.object({ RefundEventList: z.array(ShipmentEvent).optional() }).passthrough().optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();
export type ListFinancialEventsResponse = z.infer<typeof ListFinancialEventsResponse>;

/** One refunded item as Finances shows it. Amounts in cents as Amazon signs them (money back to the buyer is negative). */
export interface PostedRefundItem {
  postedDate?: string;
  orderItemId?: string;
  sellerSku?: string;
  amountCents: number;
  currency?: string;
}

/** The refunded items of a financial-events page. Pure. */
export function refundItemsOf(res: ListFinancialEventsResponse): PostedRefundItem[] {
  const out: PostedRefundItem[] = [];
  for (const ev of res.payload?.FinancialEvents?.RefundEventList ?? []) {
    for (const item of ev.ShipmentItemAdjustmentList ?? []) {
      const charges = item.ItemChargeAdjustmentList ?? [];
      const amountCents = charges.reduce((s, c) => s + Math.round((c.ChargeAmount?.CurrencyAmount ?? 0) * 100), 0);
      const currency = charges.find((c) => c.ChargeAmount?.CurrencyCode)?.ChargeAmount?.CurrencyCode;
      out.push({
        ...(ev.PostedDate ? { postedDate: ev.PostedDate } : {}),
        ...(item.OrderItemId ? { orderItemId: item.OrderItemId } : {}),
        ...(item.SellerSKU ? { sellerSku: item.SellerSKU } : {}),
        amountCents,
        ...(currency ? { currency } : {}),
      });
    }
  }
  return out;
}

/** A GET on SP-API through the shared, paced transport: resolves with the parsed JSON body of a 2xx. */
export type SpApiGet = (path: string, query: Record<string, string>) => Promise<unknown>;

export interface FinancesClient {
  /** Every refunded item of the order (all pages of listFinancialEventsByOrderId). */
  refundsForOrder(amazonOrderId: string): Promise<PostedRefundItem[]>;
}

/** Pages are followed at most this far: an order has a handful of financial events. */
const MAX_PAGES = 20;

export function createFinancesClient(get: SpApiGet): FinancesClient {
  return {
    async refundsForOrder(amazonOrderId) {
      const out: PostedRefundItem[] = [];
      let next: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const body = await get(`/finances/v0/orders/${encodeURIComponent(amazonOrderId)}/financialEvents`, { MaxResultsPerPage: '100', ...(next ? { NextToken: next } : {}) });
        const parsed = ListFinancialEventsResponse.safeParse(body);
        if (!parsed.success) {
          throw new DockhandError('amazon.unparseable', `Amazon answered listFinancialEventsByOrderId for ${amazonOrderId} in an unexpected shape: ${parsed.error.issues[0]?.message ?? ''}`, {
            hint: 'Dockhand asks again on the next pass.',
          });
        }
        out.push(...refundItemsOf(parsed.data));
        next = parsed.data.payload?.NextToken;
        if (!next) break;
      }
      return out;
    },
  };
}

/** listFinancialEventsByOrderId's usage plan (financesV0.json). */
export const FINANCES_USAGE_PLANS = { listFinancialEventsByOrderId: { ratePerSecond: 0.5, burst: 30 } };

/** The Finances client over the shared SP-API caller (pacing, retries, the access token, error codes). */
export function createFinancesSpClient(opts: SpCallerOptions): FinancesClient & { close(): Promise<void> } {
  const caller = createSpCaller(opts, FINANCES_USAGE_PLANS, { finances: 'v0' });
  const client = createFinancesClient(async (path, query) => {
    const orderId = decodeURIComponent(/^\/finances\/v0\/orders\/([^/]+)\/financialEvents$/.exec(path)?.[1] ?? '');
    const res = await caller.send('listFinancialEventsByOrderId', `listFinancialEventsByOrderId ${orderId}`, () => ({ operation: 'finances.listFinancialEventsByOrderId', path: { orderId }, query: { ...query } }));
    return caller.parse(res, ListFinancialEventsResponse, `listFinancialEventsByOrderId ${orderId}`);
  });
  return { ...client, close: () => caller.close() };
}
