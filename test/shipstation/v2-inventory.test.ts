import { afterEach, describe, expect, it } from 'vitest';
import { DockhandError } from '../../src/domain/errors';
import { SANDBOX_V2_API_KEY, startShipStationSimulator, type ShipStationSimulator } from '../../src/sandbox/shipstation/simulator';
import { createV2InventoryClient } from '../../src/shipstation/v2-inventory';

const sims: ShipStationSimulator[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
});

async function sim(opts: { v2WithoutInventoryAddon?: boolean } = {}) {
  const s = await startShipStationSimulator({ apiKey: 'k', apiSecret: 's', ...opts });
  sims.push(s);
  return s;
}

describe('ShipStation v2 inventory', () => {
  it('reads every level per warehouse, following links.next across pages', async () => {
    const s = await sim();
    for (let i = 0; i < 1203; i++) s.v2Inventory.set(`SKU-${String(i).padStart(4, '0')}`, i, i % 2 ? 'se-reno' : 'se-austin');
    s.v2Inventory.set('SKU-0000', 5, 'se-reno');
    const client = createV2InventoryClient({ baseUrl: s.url, apiKey: SANDBOX_V2_API_KEY });
    const levels = await client.listInventory();
    await client.close();
    expect(levels).toHaveLength(1204);
    expect(levels.filter((l) => l.sku === 'SKU-0000').map((l) => [l.inventory_warehouse_id, l.on_hand])).toEqual([['se-austin', 0], ['se-reno', 5]]);
    // 500 per page: three pages, three requests.
    expect(s.v2Inventory.requests()).toBe(3);
  });

  it('says the add-on is missing on 403, and the key is wrong on 401', async () => {
    for (const [opts, key] of [[{ v2WithoutInventoryAddon: true }, SANDBOX_V2_API_KEY], [{}, 'wrong']] as const) {
      const s = await sim(opts);
      const client = createV2InventoryClient({ baseUrl: s.url, apiKey: key });
      const err = await client.listInventory().catch((e: unknown) => e);
      await client.close();
      expect(err).toBeInstanceOf(DockhandError);
      expect((err as DockhandError).code).toBe('shipstation.auth_rejected');
      expect((err as DockhandError).hint).toMatch(/inventory add-on/);
    }
  });

  it('draws stock down, never below zero', async () => {
    const s = await sim();
    s.v2Inventory.set('A', 3);
    s.v2Inventory.drawDown('A', 2);
    s.v2Inventory.drawDown('A', 5);
    expect(s.v2Inventory.levels().map((l) => l.onHand)).toEqual([0]);
    s.v2Inventory.drawDown('A', -4);
    expect(s.v2Inventory.levels().map((l) => l.onHand)).toEqual([4]);
  });
});
