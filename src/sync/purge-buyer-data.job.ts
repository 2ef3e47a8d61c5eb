import type { Store } from '../store/store';

/**
 * Buyer data (the sealed order: name, address, phone, e-mail) is kept only while it is needed:
 * it is dropped `retentionDays` after Amazon reported the order shipped or cancelled.
 * The order's record (ids, states, hashes) stays, so exactly-once still holds.
 */
export const name = 'purge-buyer-data';

export async function purgeBuyerData(store: Store, retentionDays: number, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  let purged = 0;
  for await (const [key, record] of store.orders.entries()) {
    if (!record.closedAt || record.closedAt > cutoff) continue;
    if (await store.buyerData.delete(key)) purged++;
  }
  return purged;
}
