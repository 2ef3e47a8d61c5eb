import type { Config } from '../config/config';
import type { Store } from '../store/store';

/**
 * Data is kept only while it is needed. Buyer data (the sealed order: name, address, phone,
 * e-mail) goes `buyerDataDays` after Amazon reported the order shipped or cancelled, while the
 * order's record (ids, states, hashes) stays, so exactly-once still holds while Amazon may still
 * send the order again. Records and lines go `ordersDays` after that; the fulfillment facts, which
 * hold no buyer data, are kept `factsDays` for the KPIs.
 */
export const name = 'purge-retained';

export function purgeRetained(store: Store, retention: Config['retention'], now: Date): ReturnType<Store['purge']> {
  return store.purge(retention, now);
}
