import { randomUUID } from 'node:crypto';
import { ApiError, invalidInput, type ApiResult } from './api-error';

/**
 * Listings Items API 2021-08-01 for the simulator (listingsItems_2021-08-01.json): getListingsItem
 * and patchListingsItem over a seller's listings. A patch is checked the way the model defines
 * ListingsItemPatchRequest and PatchOperation, and against the listing (productType, quantity):
 * a malformed body is a 400, a patch Amazon would refuse is answered 200 with status INVALID
 * and its issues, as Amazon does.
 */

export type ListingsOperation = 'getListingsItem' | 'patchListingsItem';

/** "Rate (requests per second): 5, Burst: 5" for both, per the model's operation descriptions. */
export const LISTINGS_USAGE_PLANS: Readonly<Record<ListingsOperation, { rate: number; burst: number }>> = {
  getListingsItem: { rate: 5, burst: 5 },
  patchListingsItem: { rate: 5, burst: 5 },
};

export interface SimListing {
  sellerId: string;
  sku: string;
  productType: string;
  /** Quantity for merchant-fulfilled (DEFAULT) orders, per marketplace. */
  quantity: Record<string, number>;
}

export interface AcceptedPatch {
  sellerId: string;
  sku: string;
  marketplaceId: string;
  /** The request body as received. */
  body: unknown;
  status: 'ACCEPTED' | 'INVALID';
  /** Simulator clock (ms). */
  at: number;
  via: 'patch' | 'feed';
}

export interface PatchIssue {
  code: string;
  message: string;
  severity: 'ERROR' | 'WARNING' | 'INFO';
  attributeNames?: string[];
}

const OPS = new Set(['add', 'replace', 'merge', 'delete']);
const GET_PARAMS = new Set(['marketplaceIds', 'issueLocale', 'includedData']);
const PATCH_PARAMS = new Set(['marketplaceIds', 'includedData', 'mode', 'issueLocale']);
const INCLUDED = new Set(['summaries', 'attributes', 'issues', 'offers', 'fulfillmentAvailability', 'procurement', 'relationships', 'productTypes']);

export interface ListingsApi {
  put(listing: SimListing): void;
  get(sellerId: string, sku: string): SimListing | undefined;
  patches(from?: number): AcceptedPatch[];
  getListingsItem(sellerId: string, sku: string, query: URLSearchParams): ApiResult;
  patchListingsItem(sellerId: string, sku: string, query: URLSearchParams, raw: string): ApiResult;
  /**
   * Checks patches against the listing and applies them when there is no ERROR: the part the
   * JSON_LISTINGS_FEED processor shares with patchListingsItem.
   */
  applyPatches(sellerId: string, sku: string, marketplaceId: string, productType: string | undefined, patches: unknown, body: unknown, via: AcceptedPatch['via']): PatchIssue[];
}

export function createListingsApi(clock: () => number): ListingsApi {
  const listings = new Map<string, SimListing>();
  const accepted: AcceptedPatch[] = [];
  const keyOf = (sellerId: string, sku: string) => `${sellerId}\u0000${sku}`;

  const marketplaceOf = (query: URLSearchParams, allowed: Set<string>): string => {
    for (const name of query.keys()) if (!allowed.has(name)) throw invalidInput(`Unknown query parameter: ${name}.`);
    const ids = query.getAll('marketplaceIds').flatMap((v) => v.split(',')).filter(Boolean);
    if (ids.length !== 1) throw invalidInput('marketplaceIds must name exactly one marketplace.');
    return ids[0]!;
  };

  const applyPatches: ListingsApi['applyPatches'] = (sellerId, sku, marketplaceId, productType, patches, body, via) => {
    const listing = listings.get(keyOf(sellerId, sku));
    const issues: PatchIssue[] = [];
    if (!listing) issues.push({ code: '8541', message: `SKU ${sku} does not match any listing for seller ${sellerId}.`, severity: 'ERROR' });
    else if (productType !== undefined && productType !== 'PRODUCT' && productType !== listing.productType) {
      issues.push({ code: '4000003', message: `The product type ${productType} does not match the listing's product type ${listing.productType}.`, severity: 'ERROR', attributeNames: ['productType'] });
    }
    const quantities: number[] = [];
    for (const p of patches as Array<{ op: string; path: string; value?: unknown[] }>) {
      if (p.path !== '/attributes/fulfillment_availability') continue;
      for (const v of (p.value ?? []) as Array<Record<string, unknown>>) {
        const q = v.quantity;
        if (v.fulfillment_channel_code !== 'DEFAULT') {
          issues.push({ code: '90220', message: `fulfillment_channel_code ${String(v.fulfillment_channel_code)} is not valid for a merchant-fulfilled offer.`, severity: 'ERROR', attributeNames: ['fulfillment_availability'] });
        } else if (typeof q !== 'number' || !Number.isInteger(q) || q < 0) {
          issues.push({ code: '90220', message: `quantity must be a whole number of 0 or more, got ${JSON.stringify(q)}.`, severity: 'ERROR', attributeNames: ['fulfillment_availability'] });
        } else quantities.push(q);
      }
    }
    const ok = issues.every((i) => i.severity !== 'ERROR');
    if (ok && listing) for (const q of quantities) listing.quantity[marketplaceId] = q;
    accepted.push({ sellerId, sku, marketplaceId, body: structuredClone(body), status: ok ? 'ACCEPTED' : 'INVALID', at: clock(), via });
    return issues;
  };

  return {
    put(listing) {
      listings.set(keyOf(listing.sellerId, listing.sku), structuredClone(listing));
    },
    get(sellerId, sku) {
      const l = listings.get(keyOf(sellerId, sku));
      return l ? structuredClone(l) : undefined;
    },
    patches: (from = 0) => structuredClone(accepted.slice(from)),
    getListingsItem(sellerId, sku, query) {
      const marketplaceId = marketplaceOf(query, GET_PARAMS);
      const included = (query.get('includedData') ?? 'summaries').split(',').filter(Boolean);
      for (const d of included) if (!INCLUDED.has(d)) throw invalidInput(`Invalid value for includedData: ${d}`);
      const listing = listings.get(keyOf(sellerId, sku));
      if (!listing) throw new ApiError(404, 'NOT_FOUND', `SKU '${sku}' not found in marketplace ${marketplaceId}`);
      const item: Record<string, unknown> = { sku };
      if (included.includes('summaries')) {
        item.summaries = [{ marketplaceId, asin: 'B0SANDBOX1', productType: listing.productType, conditionType: 'new_new', status: ['BUYABLE'], itemName: sku, createdDate: new Date(0).toISOString(), lastUpdatedDate: new Date(clock()).toISOString() }];
      }
      if (included.includes('fulfillmentAvailability')) item.fulfillmentAvailability = [{ fulfillmentChannelCode: 'DEFAULT', quantity: listing.quantity[marketplaceId] ?? 0 }];
      return { status: 200, body: item };
    },
    patchListingsItem(sellerId, sku, query, raw) {
      const marketplaceId = marketplaceOf(query, PATCH_PARAMS);
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        throw invalidInput('The request body is not valid JSON.');
      }
      const problem = patchRequestProblem(body);
      if (problem) throw invalidInput(`Invalid ListingsItemPatchRequest: ${problem}`);
      const req = body as { productType: string; patches: unknown[] };
      const issues = applyPatches(sellerId, sku, marketplaceId, req.productType, req.patches, body, 'patch');
      const status = issues.some((i) => i.severity === 'ERROR') ? 'INVALID' : 'ACCEPTED';
      return { status: 200, body: { sku, status, submissionId: randomUUID().replace(/-/g, ''), issues } };
    },
    applyPatches,
  };
}

/** What makes a body not a ListingsItemPatchRequest (productType, patches[] of PatchOperation), or undefined. */
export function patchRequestProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body must be an object';
  const b = body as Record<string, unknown>;
  if (typeof b.productType !== 'string' || b.productType.length === 0) return 'productType is required';
  return patchesProblem(b.patches);
}

/** What makes `patches` not a non-empty list of PatchOperation, or undefined. */
export function patchesProblem(patches: unknown): string | undefined {
  if (!Array.isArray(patches) || patches.length === 0) return 'patches must be a non-empty array';
  for (const [i, p] of patches.entries()) {
    if (typeof p !== 'object' || p === null) return `patches[${i}] must be an object`;
    const op = (p as Record<string, unknown>).op;
    const path = (p as Record<string, unknown>).path;
    const value = (p as Record<string, unknown>).value;
    if (typeof op !== 'string' || !OPS.has(op)) return `patches[${i}].op must be one of add, replace, merge, delete`;
    if (typeof path !== 'string' || !path.startsWith('/attributes/')) return `patches[${i}].path must be a JSON pointer under /attributes/`;
    if (value !== undefined && (!Array.isArray(value) || value.some((v) => typeof v !== 'object' || v === null || Array.isArray(v)))) return `patches[${i}].value must be an array of objects`;
    if (op !== 'delete' && value === undefined) return `patches[${i}].value is required for ${op}`;
  }
  return undefined;
}

/** What a feed processor gets: the uploaded content and the feed's facts. */
export interface FeedInput {
  feedId: string;
  feedType: string;
  marketplaceIds: string[];
  content: Buffer;
  contentType: string;
}

/** What it answers: the processing report, or a FATAL feed when the document can't be read at all. */
export type FeedOutcome = { status: 'DONE'; report: string; contentType: string } | { status: 'FATAL'; report?: string; contentType?: string };

export type FeedProcessor = (input: FeedInput) => FeedOutcome;

/**
 * JSON_LISTINGS_FEED (listings-feed-schema-v2.json): each PATCH message is applied like a
 * patchListingsItem; the processing report (listings-feed-processing-report-schema-v2.json) lists
 * each message's issues and the summary counts. A document that is not a v2 listings feed is
 * FATAL with one issue and no messages processed.
 */
export function listingsFeedProcessor(listings: ListingsApi): FeedProcessor {
  return (input) => {
    const fatal = (message: string): FeedOutcome => ({ status: 'FATAL', contentType: 'application/json', report: JSON.stringify({ header: { sellerId: 'unknown', version: '2.0', feedId: input.feedId }, issues: [{ code: '100001', severity: 'ERROR', message }], summary: { errors: 1, warnings: 0, messagesProcessed: 0, messagesAccepted: 0, messagesInvalid: 0 } }) });
    let feed: { header?: { sellerId?: unknown; version?: unknown }; messages?: unknown };
    try {
      feed = JSON.parse(input.content.toString('utf8')) as typeof feed;
    } catch {
      return fatal('The feed document is not valid JSON.');
    }
    const sellerId = feed.header?.sellerId;
    if (typeof sellerId !== 'string' || feed.header?.version !== '2.0') return fatal('header.sellerId and header.version "2.0" are required.');
    if (!Array.isArray(feed.messages) || feed.messages.length === 0 || feed.messages.length > 25_000) return fatal('messages must hold 1 to 25,000 messages.');
    const marketplaceId = input.marketplaceIds[0]!;
    const issues: Array<PatchIssue & { messageId?: number; sku?: string }> = [];
    let accepted = 0;
    let invalid = 0;
    const seen = new Set<number>();
    for (const m of feed.messages as Array<Record<string, unknown>>) {
      const messageId = m.messageId;
      const sku = typeof m.sku === 'string' ? m.sku : undefined;
      const problem =
        typeof messageId !== 'number' || !Number.isInteger(messageId) || messageId < 1 ? 'messageId must be a whole number of 1 or more'
        : seen.has(messageId) ? `messageId ${messageId} is used twice`
        : !sku ? 'sku is required'
        : m.operationType !== 'PATCH' ? `operationType ${String(m.operationType)} is not handled by the sandbox (only PATCH)`
        : typeof m.productType !== 'string' || m.productType.length === 0 ? 'PATCH messages require a productType'
        : m.attributes !== undefined || m.requirements !== undefined ? 'attributes and requirements are not applicable to PATCH'
        : patchesProblem(m.patches);
      if (typeof messageId === 'number') seen.add(messageId);
      if (problem) {
        invalid++;
        issues.push({ ...(typeof messageId === 'number' && messageId >= 1 ? { messageId } : {}), ...(sku ? { sku } : {}), code: '4000001', severity: 'ERROR', message: problem });
        continue;
      }
      const found = listings.applyPatches(sellerId, sku!, marketplaceId, m.productType as string, m.patches, m, 'feed');
      for (const i of found) issues.push({ messageId: messageId as number, sku: sku!, ...i });
      if (found.some((i) => i.severity === 'ERROR')) invalid++;
      else accepted++;
    }
    const report = {
      header: { sellerId, version: '2.0', feedId: input.feedId },
      issues,
      summary: {
        errors: issues.filter((i) => i.severity === 'ERROR').length,
        warnings: issues.filter((i) => i.severity === 'WARNING').length,
        messagesProcessed: accepted + invalid,
        messagesAccepted: accepted,
        messagesInvalid: invalid,
      },
    };
    return { status: 'DONE', report: JSON.stringify(report), contentType: 'application/json' };
  };
}
