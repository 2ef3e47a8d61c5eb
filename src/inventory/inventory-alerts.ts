import { z } from 'zod';
import { button, code, context, escapeMrkdwn, fact, section, type AlertRenderer } from '../domain/block-kit';
import { problemKind, type Problem } from '../domain/notifier';
import type { OpenOrderForSku } from '../store/inventory';
import type { SkuForecast } from './forecast';

/**
 * Inventory's Slack messages: a SKU low or out of stock (one message per SKU, kept current),
 * a quantity Amazon refused, ERP deliveries given up on, and a stock source that cannot be read.
 */

export const INVENTORY_ACTIONS = {
  snooze: 'stock_snooze',
  reorder: 'stock_reorder',
  pushNow: 'stock_push_now',
  retryErp: 'erp_retry_dead',
} as const;

/** The modal behind Mark reordered. */
export const REORDER_VIEW = 'stock_reorder_modal';

export interface LowStockNotice {
  forecast: SkuForecast;
  /** Open orders waiting on the SKU, Prime first. */
  openOrders: OpenOrderForSku[];
  /** How many open orders in all (the list is cut). */
  openOrderCount: number;
  reorder?: { quantity: number; expectedAt: string; by: string };
}

export const LOW_STOCK = problemKind<LowStockNotice>('low_stock');
export const LISTING_REJECTED = problemKind<ListingRejectedNotice>('listing_rejected');
export const ERP_DEAD_LETTERS = problemKind<{ count: number; lastError: string }>('erp_dead_letters');
export const STOCK_SOURCE = problemKind<{ source: string; message: string; hint: string }>('stock_source');

export const stockKey = (sku: string): string => `stock:${sku}`;
export const skuOfStockKey = (key: string): string | undefined => (key.startsWith('stock:') ? key.slice('stock:'.length) : undefined);
export const ERP_DEAD_KEY = 'erp:dead-letters';

const OrdersFact = z.array(z.object({ accountId: z.string(), amazonOrderId: z.string(), isPrime: z.boolean(), shipByLatest: z.string().optional(), quantity: z.number() }));

/** The low- or out-of-stock problem of one SKU: its facts replace the last ones, so the message stays current. Pure. */
export function lowStockProblem(n: LowStockNotice): Problem<LowStockNotice> {
  const f = n.forecast;
  const escalated = f.status === 'out' && n.openOrderCount > 0;
  return {
    kind: LOW_STOCK.name,
    key: stockKey(f.sku),
    replaceFacts: true,
    facts: {
      sku: f.sku,
      status: f.status,
      escalated: escalated ? '1' : '0',
      onHand: String(f.onHand),
      committed: String(f.committed),
      available: String(f.available),
      velocity14: String(f.velocity14),
      daysOfCover: f.daysOfCover === null ? '' : String(f.daysOfCover),
      reorderPoint: String(f.reorderPoint),
      stockOutDate: f.stockOutDate ?? '',
      openOrderCount: String(n.openOrderCount),
      openOrders: JSON.stringify(n.openOrders.slice(0, 10)),
      ...(n.reorder ? { reorderQuantity: String(n.reorder.quantity), reorderExpected: n.reorder.expectedAt, reorderBy: n.reorder.by } : {}),
    },
    notice: n,
    log: { level: 'warn', msg: `SKU ${f.status === 'out' ? 'out of stock' : 'low on stock'}`, fields: { sku: f.sku, available: f.available, reorderPoint: f.reorderPoint, openOrders: n.openOrderCount } },
  };
}

function ordersOf(raw: string): z.infer<typeof OrdersFact> {
  try {
    return OrdersFact.parse(JSON.parse(raw));
  } catch {
    return [];
  }
}

/** The facts block for a SKU, shared by the alert and `/dockhand stock <sku>`. */
export function stockFields(f: { onHand: string; available: string; committed: string; velocity14: string; daysOfCover: string; stockOutDate: string; reorderPoint: string }): string[] {
  return [
    `*On hand*\n${escapeMrkdwn(f.onHand)}`,
    `*Available*\n${escapeMrkdwn(f.available)} (${escapeMrkdwn(f.committed)} committed)`,
    `*Velocity (14 d)*\n${escapeMrkdwn(f.velocity14)}/day`,
    `*Days of cover*\n${f.daysOfCover ? escapeMrkdwn(f.daysOfCover) : '∞ (no sales)'}`,
    `*Stock-out*\n${f.stockOutDate ? escapeMrkdwn(f.stockOutDate) : '—'}`,
    `*Reorder point*\n${escapeMrkdwn(f.reorderPoint)}`,
  ];
}

export function openOrderLines(orders: z.infer<typeof OrdersFact>, total: number): string {
  if (orders.length === 0) return 'No open orders need it.';
  const lines = orders.map((o) => `${o.isPrime ? ':zap: Prime ' : ''}${code(o.amazonOrderId)} × ${o.quantity}${o.shipByLatest ? ` (ship by ${o.shipByLatest.slice(0, 16).replace('T', ' ')} UTC)` : ''}`);
  return `*Open orders that need it* (${total}):\n${lines.join('\n')}${total > orders.length ? `\n…and ${total - orders.length} more` : ''}`;
}

/** Alert `low_stock`. */
export const renderLowStock: AlertRenderer = (r) => {
  const sku = fact(r, 'sku');
  const status = fact(r, 'status');
  const escalated = fact(r, 'escalated') === '1';
  const orders = ordersOf(fact(r, 'openOrders'));
  const total = Number(fact(r, 'openOrderCount') || '0');
  const head = escalated
    ? `:rotating_light: ${code(sku)} is *out of stock* with ${total} open order(s) waiting: they will be cancelled unless stock arrives.`
    : status === 'out'
      ? `:no_entry: ${code(sku)} is *out of stock*.`
      : `:warning: ${code(sku)} is *low on stock*: at or below its reorder point.`;
  const value = { key: r.key, version: r.updatedAt };
  const reorder = fact(r, 'reorderQuantity');
  const blocks = [
    section(head, { blockId: 'alert:summary', fields: stockFields({ onHand: fact(r, 'onHand'), available: fact(r, 'available'), committed: fact(r, 'committed'), velocity14: fact(r, 'velocity14'), daysOfCover: fact(r, 'daysOfCover'), stockOutDate: fact(r, 'stockOutDate'), reorderPoint: fact(r, 'reorderPoint') }) }),
    section(openOrderLines(orders, total)),
    ...(reorder ? [context(`Reordered: ${escapeMrkdwn(reorder)} unit(s), expected ${escapeMrkdwn(fact(r, 'reorderExpected'))}`)] : []),
  ];
  return {
    text: `${sku} ${status === 'out' ? 'out of stock' : 'low on stock'}: ${fact(r, 'available')} available`,
    blocks,
    buttons: [
      button({ text: 'Snooze 24 h', actionId: INVENTORY_ACTIONS.snooze, value }),
      button({ text: 'Mark reordered', actionId: INVENTORY_ACTIONS.reorder, value }),
      button({ text: 'Push quantity now', actionId: INVENTORY_ACTIONS.pushNow, style: 'primary', value }),
    ],
  };
};

export interface ListingRejectedNotice {
  accountId: string;
  marketplaceId: string;
  amazonSku: string;
  quantity: number;
  /** Amazon's messages, "code: message". */
  messages: string[];
  via: 'patch' | 'feed';
  feedId?: string;
}

export const listingRejectedKey = (accountId: string, marketplaceId: string, amazonSku: string): string => `listing:${accountId}:${marketplaceId}:${amazonSku}`;

export function listingRejectedProblem(n: ListingRejectedNotice): Problem<ListingRejectedNotice> {
  return {
    kind: LISTING_REJECTED.name,
    key: listingRejectedKey(n.accountId, n.marketplaceId, n.amazonSku),
    replaceFacts: true,
    facts: { accountId: n.accountId, marketplaceId: n.marketplaceId, amazonSku: n.amazonSku, quantity: String(n.quantity), messages: n.messages.join('\n').slice(0, 1500), via: n.via, ...(n.feedId ? { feedId: n.feedId } : {}) },
    notice: n,
    log: { level: 'warn', msg: 'Amazon refused a quantity update', fields: { accountId: n.accountId, amazonSku: n.amazonSku, via: n.via } },
  };
}

/** Alert `listing_rejected`. */
export const renderListingRejected: AlertRenderer = (r) => ({
  text: `Amazon refused quantity ${fact(r, 'quantity')} for ${fact(r, 'amazonSku')}`,
  blocks: [
    section(`:x: Amazon refused quantity ${escapeMrkdwn(fact(r, 'quantity'))} for ${code(fact(r, 'amazonSku'))} (${escapeMrkdwn(fact(r, 'marketplaceId'))}, ${fact(r, 'via') === 'feed' ? `feed ${escapeMrkdwn(fact(r, 'feedId'))}` : 'patch'}):`, { blockId: 'alert:summary' }),
    section(`>${escapeMrkdwn(fact(r, 'messages')).replace(/\n/g, '\n>')}`),
    context('Fix the listing in Seller Central; Dockhand sends the quantity again when it next changes, or on Push quantity now.'),
  ],
  buttons: [],
});

/** Alert `erp_dead_letters`: deliveries that failed for an hour. */
export const renderErpDeadLetters: AlertRenderer = (r) => ({
  text: `${fact(r, 'count')} ERP stock update(s) could not be delivered`,
  blocks: [
    section(`:mailbox_with_no_mail: ${escapeMrkdwn(fact(r, 'count'))} stock update(s) to the ERP failed for an hour and were set aside. Last error: ${escapeMrkdwn(fact(r, 'lastError'))}`, { blockId: 'alert:summary', fields: [`*SKUs*\n${escapeMrkdwn(fact(r, 'skus'))}`] }),
  ],
  buttons: [button({ text: 'Retry', actionId: INVENTORY_ACTIONS.retryErp, style: 'primary', value: { key: r.key, version: r.updatedAt } })],
});

/** Alert `stock_source`: the stock levels cannot be read (the ShipStation inventory add-on, most often). */
export const renderStockSource: AlertRenderer = (r) => ({
  text: `Stock levels from ${fact(r, 'source')} cannot be read`,
  blocks: [section(`:warning: Stock levels from ${code(fact(r, 'source'))} cannot be read: ${escapeMrkdwn(fact(r, 'message'))}`, { blockId: 'alert:summary' }), context(escapeMrkdwn(fact(r, 'hint') || 'Check inventory.source and its credentials with `dockhand config check`.'))],
  buttons: [],
});

/** Which kinds go to slack.channels.inventory (else the alerts channel). */
export const INVENTORY_KINDS: readonly string[] = [LOW_STOCK.name, LISTING_REJECTED.name, ERP_DEAD_LETTERS.name, STOCK_SOURCE.name];

/** slack.channels.inventory for inventory's kinds, when set (else they go with the other alerts). */
export function inventoryChannels(channels: { inventory?: string }): Record<string, string> {
  const ch = channels.inventory;
  return ch ? Object.fromEntries(INVENTORY_KINDS.map((k) => [k, ch])) : {};
}
