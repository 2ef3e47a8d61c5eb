import { ACTIONS, button, code, escapeMrkdwn, fact, section, splitIds, type AlertRenderer } from '../domain/block-kit';
import { problemKind, type Problem } from '../domain/notifier';

/** An order went to ShipStation with an Amazon SKU that has no ShipStation SKU mapped. */
export interface UnmappedSkuNotice {
  accountId: string;
  amazonSku: string;
  asin?: string;
  amazonOrderId: string;
}

export const UNMAPPED_SKU = problemKind<UnmappedSkuNotice>('unmapped_sku');

export function unmappedKey(amazonSku: string): string {
  return `unmapped:${amazonSku}`;
}

/** One message per Amazon SKU, counting the orders seen with it (each once) and naming the latest five. Pure. */
export function unmappedSkuProblem(n: UnmappedSkuNotice): Problem<UnmappedSkuNotice> {
  const facts = { accountId: n.accountId, amazonSku: n.amazonSku, ...(n.asin ? { asin: n.asin } : {}) };
  return {
    kind: UNMAPPED_SKU.name,
    key: unmappedKey(n.amazonSku),
    facts,
    notice: n,
    fold(open) {
      const known = (open?.facts.recentOrders ?? '').split(',').filter(Boolean);
      const count = (open?.count ?? 0) + (known.includes(n.amazonOrderId) ? 0 : 1);
      const recentOrders = [n.amazonOrderId, ...known.filter((id) => id !== n.amazonOrderId)].slice(0, 5).join(',');
      return { count, facts: { ...open?.facts, ...facts, orderCount: String(count), recentOrders } };
    },
    log: { level: 'warn', msg: 'SKU has no ShipStation mapping; sent with the Amazon SKU', fields: { accountId: n.accountId, amazonSku: n.amazonSku, amazonOrderId: n.amazonOrderId } },
  };
}

/** Alert `unmapped_sku`. Facts: amazonSku, asin, orderCount, recentOrders (IDs separated by commas or spaces), accountId. */
export const renderUnmappedSku: AlertRenderer = (r) => {
  const open = r.state === 'open';
  const sku = fact(r, 'amazonSku');
  const asin = fact(r, 'asin');
  const orders = fact(r, 'orderCount') || String(r.count);
  const recent = splitIds(fact(r, 'recentOrders')).slice(0, 5);
  const fields = [`*Amazon SKU*\n${code(sku)}`, `*ASIN*\n${asin ? code(asin) : '—'}`, `*Orders with it*\n${escapeMrkdwn(orders)}`];
  if (recent.length) fields.push(`*Recent orders*\n${recent.map(code).join(', ')}`);
  return {
    text: `Amazon SKU ${sku} has no ShipStation SKU (${orders} orders)`,
    blocks: [
      section(`:question: Amazon SKU ${code(sku)} ${open ? 'has' : 'had'} no ShipStation SKU: its orders reached ShipStation with Amazon's SKU. Map it and they are updated.`, {
        blockId: 'alert:summary',
        fields,
      }),
    ],
    buttons: [button({ text: 'Map SKU', actionId: ACTIONS.mapSku, style: 'primary', value: { key: r.key, version: r.updatedAt, amazonSku: sku, ...(asin ? { asin } : {}) } })],
  };
};
