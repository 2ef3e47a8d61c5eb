import { z } from 'zod';
import { createSpCaller, type SpCallerOptions } from './sp-call';

/**
 * Listings Items API 2021-08-01 (listingsItems_2021-08-01.json): getListingsItem for a SKU's
 * productType, and patchListingsItem to set its quantity. Thin: one method per operation.
 */

/** Usage plans from the model's operation descriptions: 5 requests per second, burst 5, each. */
export const LISTINGS_USAGE_PLANS = {
  getListingsItem: { ratePerSecond: 5, burst: 5 },
  patchListingsItem: { ratePerSecond: 5, burst: 5 },
};

export const ListingsIssue = z.object({
  code: z.string(),
  message: z.string(),
  severity: z.enum(['ERROR', 'WARNING', 'INFO']),
  attributeNames: z.array(z.string()).optional(),
});
export type ListingsIssue = z.infer<typeof ListingsIssue>;

export const ListingsItemSubmissionResponse = z.object({
  sku: z.string(),
  status: z.enum(['ACCEPTED', 'INVALID', 'VALID']),
  submissionId: z.string(),
  issues: z.array(ListingsIssue).optional(),
});
export type ListingsItemSubmissionResponse = z.infer<typeof ListingsItemSubmissionResponse>;

export const ListingsItem = z.object({
  sku: z.string(),
  summaries: z.array(z.object({ marketplaceId: z.string(), productType: z.string() }).passthrough()).optional(),
});
export type ListingsItem = z.infer<typeof ListingsItem>;

export const PatchOperation = z.object({
  op: z.enum(['add', 'replace', 'merge', 'delete']),
  path: z.string(),
  value: z.array(z.record(z.string(), z.unknown())).optional(),
});
export type PatchOperation = z.infer<typeof PatchOperation>;

/** The one patch inventory sends: the quantity merchant-fulfilled ("DEFAULT") orders can take. */
export function quantityPatch(quantity: number): PatchOperation {
  return { op: 'merge', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity }] };
}

export interface ListingsClient {
  /** getListingsItem with the summaries (productType per marketplace). */
  getListingsItem(sellerId: string, sku: string, marketplaceId: string): Promise<ListingsItem>;
  /** patchListingsItem: ACCEPTED or INVALID (with Amazon's issues) — both are answers, not throws. */
  patchListingsItem(sellerId: string, sku: string, marketplaceId: string, body: { productType: string; patches: PatchOperation[] }): Promise<ListingsItemSubmissionResponse>;
  close(): Promise<void>;
}

export function createListingsClient(opts: SpCallerOptions): ListingsClient {
  const caller = createSpCaller(opts, LISTINGS_USAGE_PLANS, { listingsItems: '2021-08-01' });
  return {
    async getListingsItem(sellerId, sku, marketplaceId) {
      const what = `getListingsItem ${sku}`;
      const res = await caller.send('getListingsItem', what, () => ({
        operation: 'listingsItems.getListingsItem',
        path: { sellerId, sku },
        query: { marketplaceIds: [marketplaceId], includedData: ['summaries'] },
      }));
      return caller.parse(res, ListingsItem, what);
    },
    async patchListingsItem(sellerId, sku, marketplaceId, body) {
      const what = `patchListingsItem ${sku}`;
      // Retrying is safe: the patch sets a quantity, so a repeat leaves the same quantity.
      const res = await caller.send('patchListingsItem', what, () => ({
        operation: 'listingsItems.patchListingsItem',
        path: { sellerId, sku },
        query: { marketplaceIds: [marketplaceId] },
        body: structuredClone(body),
      }));
      return caller.parse(res, ListingsItemSubmissionResponse, what);
    },
    close: () => caller.close(),
  };
}
