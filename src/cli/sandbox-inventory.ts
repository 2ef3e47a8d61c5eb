import type { Config } from '../config/config';
import type { SpApiSimulator } from '../sandbox/amazon/sp-api-simulator';
import { SANDBOX_V2_API_KEY, type ShipStationSimulator } from '../sandbox/shipstation/simulator';
import type { Store } from '../store/store';

/** Inventory in the sandbox: its stock, listings and sales history, and the settings that point inventory at it. Loaded with the sandbox only. */

/**
 * The sandbox's stock: ShipStation v2 inventory for the catalogue, the seller's listings on
 * Amazon, and 30 days of sales before the sandbox started (one unit a day per SKU, so each
 * reorder point is 10). Two SKUs start just above it: a few orders take them low, so a low-stock
 * alert and a push to Amazon show in the first minutes.
 */
export async function seedSandboxInventory(sandbox: { shipstation: ShipStationSimulator; spApi: SpApiSimulator }, store: Store, catalogue: ReadonlyArray<{ sellerSku: string; shipstationSku: string }>, sellerId: string, now: number): Promise<void> {
  catalogue.forEach((p, i) => {
    sandbox.shipstation.v2Inventory.set(p.shipstationSku, i === 0 ? 12 : i === 1 ? 14 : 150 + 10 * i);
    sandbox.spApi.listings.put({ sellerId, sku: p.sellerSku, productType: 'HOME_KITCHEN', quantity: {} });
  });
  const day = 86_400_000;
  await store.inventory.importShippedHistory(catalogue.flatMap((p) => Array.from({ length: 30 }, (_, d) => ({ id: `sandbox:${p.shipstationSku}:${d}`, sku: p.shipstationSku, quantity: 1, shippedAt: now - (d + 0.5) * day }))));
}

/** Inventory against the sandbox: stock from its ShipStation v2, pushed to its Amazon, at the sandbox's pace. */
export function withSandboxInventory(config: Config, shipstationUrl: string, sellerId: string, rateScale: number): Config {
  return {
    ...config,
    accounts: config.accounts.map((a) => ({ ...a, sellerId: a.sellerId ?? sellerId })),
    inventory: {
      ...config.inventory,
      source: 'shipstation-v2',
      pushToAmazon: true,
      shipstationV2ApiKey: config.inventory.shipstationV2ApiKey ?? SANDBOX_V2_API_KEY,
      shipstationV2Url: shipstationUrl,
      intervalSeconds: config.inventory.intervalSeconds / rateScale,
    },
  };
}
