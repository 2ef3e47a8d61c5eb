/**
 * Finances v0 in the sandbox: listFinancialEventsByOrderId answers from the refunds the
 * simulated Amazon has posted (the adjustment feed's applied messages, posted a while after
 * Amazon accepted them, as real Finances lags). Written from financesV0.json alone.
 * `handle` answers a request the SP-API simulator routes here (GET
 * /finances/v0/orders/{orderId}/financialEvents), or undefined for any other path.
 */

export interface SandboxRefund {
  amazonOrderId: string;
  orderItemId: string;
  sellerSku?: string;
  adjustmentId?: string;
  /** Component type → cents, as in the adjustment feed (money back to the buyer positive). */
  amounts: Record<string, number>;
  currency: string;
  postedAt: string;
}

const CHARGE_TYPES: Record<string, string> = { Principal: 'Principal', Tax: 'Tax', Shipping: 'ShippingCharge', ShippingTax: 'ShippingTax', RestockingFee: 'RestockingFee' };
const PAGE_SIZE_MAX = 100;

export interface FinancesApi {
  /** Posts a refund: listed from `postedAt` on. */
  post(refund: SandboxRefund): void;
  handle(method: string, path: string, query: URLSearchParams, now: Date): { status: number; body: unknown } | undefined;
  posted(): SandboxRefund[];
}

export function createFinancesApi(): FinancesApi {
  const refunds: SandboxRefund[] = [];
  return {
    post: (r) => void refunds.push(r),
    posted: () => [...refunds],
    handle(method, path, query, now) {
      const m = /^\/finances\/v0\/orders\/([^/]+)\/financialEvents$/.exec(path);
      if (!m || method !== 'GET') return undefined;
      const orderId = decodeURIComponent(m[1]!);
      for (const name of query.keys()) {
        if (name !== 'MaxResultsPerPage' && name !== 'NextToken') return bad(`${name} is not a parameter of listFinancialEventsByOrderId.`);
      }
      const size = Number(query.get('MaxResultsPerPage') ?? PAGE_SIZE_MAX);
      if (!Number.isInteger(size) || size < 1 || size > PAGE_SIZE_MAX) return bad('MaxResultsPerPage must be between 1 and 100.');
      const start = Number(query.get('NextToken') ?? 0);
      const mine = refunds.filter((r) => r.amazonOrderId === orderId && Date.parse(r.postedAt) <= now.getTime());
      const page = mine.slice(start, start + size);
      const RefundEventList = page.map((r) => ({
        AmazonOrderId: r.amazonOrderId,
        PostedDate: r.postedAt,
        ShipmentItemAdjustmentList: [
          {
            ...(r.sellerSku ? { SellerSKU: r.sellerSku } : {}),
            OrderItemId: r.orderItemId,
            ...(r.adjustmentId ? { OrderAdjustmentItemId: r.adjustmentId } : {}),
            // Finances signs from the seller's side: money back to the buyer is a negative charge.
            ItemChargeAdjustmentList: Object.entries(r.amounts).map(([type, cents]) => ({ ChargeType: CHARGE_TYPES[type] ?? type, ChargeAmount: { CurrencyCode: r.currency, CurrencyAmount: -cents / 100 } })),
          },
        ],
      }));
      return { status: 200, body: { payload: { FinancialEvents: { RefundEventList }, ...(start + size < mine.length ? { NextToken: String(start + size) } : {}) } } };
    },
  };
}

function bad(message: string): { status: number; body: unknown } {
  return { status: 400, body: { errors: [{ code: 'InvalidInput', message }] } };
}
