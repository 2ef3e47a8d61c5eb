import type { FeedsClient } from '../amazon/feeds-client';
import { quantityPatch, type ListingsClient } from '../amazon/listings-client';
import { toDockhandError } from '../domain/errors';
import type { Notifier } from '../domain/notifier';
import type { Logger } from '../log/logger';
import type { InventoryStore } from '../store/inventory';
import { listingRejectedKey, listingRejectedProblem } from './inventory-alerts';

/**
 * Keeps Amazon's merchant-fulfilled quantity equal to what can ship. Only quantities that differ
 * from the last one pushed for that SKU and marketplace are sent: a few as patchListingsItem
 * (productType from getListingsItem, cached), many as one JSON_LISTINGS_FEED per 25,000.
 * INVALID answers and report issues become alerts naming the SKU; the rest keep flowing.
 */

/** One Amazon account that pushes: its seller and marketplaces, and its clients. */
export interface PushTarget {
  accountId: string;
  sellerId: string;
  marketplaceIds: string[];
  listings: ListingsClient;
  feeds: FeedsClient;
}

export interface PushContext {
  store: InventoryStore;
  notifier: Notifier;
  logger: Logger;
  now: () => Date;
  feedThreshold: number;
  /** Feed polling (tests and the sandbox poll faster than Amazon needs). */
  feedPoll?: { pollMs?: number; timeoutMs?: number };
}

/** An Amazon SKU and the quantity it should show. */
export interface WantedQuantity {
  amazonSku: string;
  quantity: number;
}

export interface PushSummary {
  patched: number;
  fed: number;
  rejected: number;
  unchanged: number;
  failed: number;
}

/** JSON_LISTINGS_FEED takes at most 25,000 messages (listings-feed-schema-v2.json `maxItems`). */
export const MAX_FEED_MESSAGES = 25_000;
/**
 * Amazon's generic product type for offer-only changes: a PATCH of fulfillment_availability does
 * not depend on the product's own type, and looking up thousands of types at 5 per second would
 * hold a large feed for minutes. A type already cached is used instead.
 */
const OFFER_ONLY_PRODUCT_TYPE = 'PRODUCT';

export async function pushQuantities(target: PushTarget, wanted: WantedQuantity[], ctx: PushContext, opts: { force?: boolean } = {}): Promise<PushSummary> {
  const summary: PushSummary = { patched: 0, fed: 0, rejected: 0, unchanged: 0, failed: 0 };
  for (const marketplaceId of target.marketplaceIds) {
    const last = await ctx.store.lastPushed(target.accountId, marketplaceId, wanted.map((w) => w.amazonSku));
    const changed = opts.force ? wanted : wanted.filter((w) => last.get(w.amazonSku) !== w.quantity);
    summary.unchanged += wanted.length - changed.length;
    if (changed.length === 0) continue;
    if (changed.length >= ctx.feedThreshold) await viaFeeds(target, marketplaceId, changed, ctx, summary);
    else await viaPatches(target, marketplaceId, changed, ctx, summary);
  }
  return summary;
}

async function productTypeOf(target: PushTarget, marketplaceId: string, sku: string, ctx: PushContext): Promise<string | undefined> {
  const cached = await ctx.store.productType(target.accountId, marketplaceId, sku);
  if (cached) return cached;
  const item = await target.listings.getListingsItem(target.sellerId, sku, marketplaceId);
  const type = item.summaries?.find((s) => s.marketplaceId === marketplaceId)?.productType ?? item.summaries?.[0]?.productType;
  if (type) await ctx.store.putProductType(target.accountId, marketplaceId, sku, type, ctx.now().getTime());
  return type;
}

async function viaPatches(target: PushTarget, marketplaceId: string, changed: WantedQuantity[], ctx: PushContext, summary: PushSummary): Promise<void> {
  // In parallel: the client paces them at the operation's 5 per second.
  await Promise.all(
    changed.map(async (w) => {
      try {
        const productType = await productTypeOf(target, marketplaceId, w.amazonSku, ctx);
        if (!productType) throw new Error(`Amazon has no product type for ${w.amazonSku}`);
        const answer = await target.listings.patchListingsItem(target.sellerId, w.amazonSku, marketplaceId, { productType, patches: [quantityPatch(w.quantity)] });
        if (answer.status === 'INVALID') {
          summary.rejected++;
          const errors = (answer.issues ?? []).filter((i) => i.severity === 'ERROR');
          await ctx.notifier.raise(listingRejectedProblem({ accountId: target.accountId, marketplaceId, amazonSku: w.amazonSku, quantity: w.quantity, messages: errors.map((i) => `${i.code}: ${i.message}`), via: 'patch' }));
          return;
        }
        await ctx.store.recordPushed([{ accountId: target.accountId, marketplaceId, sku: w.amazonSku, quantity: w.quantity }], ctx.now().getTime());
        await ctx.notifier.resolve(listingRejectedKey(target.accountId, marketplaceId, w.amazonSku), () => `Amazon accepted quantity ${w.quantity}`);
        summary.patched++;
      } catch (e) {
        // Not recorded as pushed: the next pass sends it again.
        summary.failed++;
        const err = toDockhandError(e);
        ctx.logger.warn({ job: 'inventory-push', accountId: target.accountId, amazonSku: w.amazonSku, code: err.code }, 'quantity not pushed; retried on the next pass');
      }
    }),
  );
}

interface ProcessingReport {
  issues?: Array<{ messageId?: number; sku?: string; code?: string; severity?: string; message?: string }>;
}

async function viaFeeds(target: PushTarget, marketplaceId: string, changed: WantedQuantity[], ctx: PushContext, summary: PushSummary): Promise<void> {
  for (let start = 0; start < changed.length; start += MAX_FEED_MESSAGES) {
    const part = changed.slice(start, start + MAX_FEED_MESSAGES);
    const messages = [];
    for (const [i, w] of part.entries()) {
      const productType = (await ctx.store.productType(target.accountId, marketplaceId, w.amazonSku)) ?? OFFER_ONLY_PRODUCT_TYPE;
      messages.push({ messageId: i + 1, sku: w.amazonSku, operationType: 'PATCH', productType, patches: [quantityPatch(w.quantity)] });
    }
    const document = JSON.stringify({ header: { sellerId: target.sellerId, version: '2.0', issueLocale: 'en_US' }, messages });
    try {
      const { feed, result } = await target.feeds.submit('JSON_LISTINGS_FEED', [marketplaceId], document, 'application/json; charset=UTF-8', ctx.feedPoll);
      if (feed.processingStatus !== 'DONE') throw new Error(`feed ${feed.feedId} ended ${feed.processingStatus}`);
      const report = result ? (JSON.parse(result.toString('utf8')) as ProcessingReport) : {};
      const failedIds = new Set<number>();
      const bySku = new Map<string, string[]>();
      for (const issue of report.issues ?? []) {
        if (issue.severity !== 'ERROR' || issue.messageId === undefined) continue;
        failedIds.add(issue.messageId);
        const sku = issue.sku ?? part[issue.messageId - 1]?.amazonSku;
        if (sku) bySku.set(sku, [...(bySku.get(sku) ?? []), `${issue.code ?? 'error'}: ${issue.message ?? ''}`]);
      }
      const ok = part.filter((_, i) => !failedIds.has(i + 1));
      await ctx.store.recordPushed(ok.map((w) => ({ accountId: target.accountId, marketplaceId, sku: w.amazonSku, quantity: w.quantity })), ctx.now().getTime());
      summary.fed += ok.length;
      summary.rejected += part.length - ok.length;
      for (const [sku, msgs] of bySku) {
        const quantity = part.find((w) => w.amazonSku === sku)?.quantity ?? 0;
        await ctx.notifier.raise(listingRejectedProblem({ accountId: target.accountId, marketplaceId, amazonSku: sku, quantity, messages: msgs, via: 'feed', feedId: feed.feedId }));
      }
      ctx.logger.info({ job: 'inventory-push', accountId: target.accountId, feedId: feed.feedId, messages: part.length, rejected: part.length - ok.length }, 'JSON_LISTINGS_FEED processed');
    } catch (e) {
      summary.failed += part.length;
      const err = toDockhandError(e);
      ctx.logger.warn({ job: 'inventory-push', accountId: target.accountId, code: err.code, err: err.message }, 'quantity feed failed; retried on the next pass');
    }
  }
}
