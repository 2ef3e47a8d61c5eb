import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store';

describe('store', () => {
  it('keeps records across a reopen of the SQLite file', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-store-'));
    const a = await Store.open({ dataDir });
    await a.putSkuMapping({ amazonSku: 'A-1', shipstationSku: 'SS-1', asin: 'B000000001' });
    await a.close();
    const b = await Store.open({ dataDir });
    expect(await b.lookupSku('A-1', undefined)).toMatchObject({ shipstationSku: 'SS-1' });
    expect(await b.lookupSku('OTHER', 'B000000001')).toMatchObject({ shipstationSku: 'SS-1' });
    expect(await b.skus.all()).toHaveLength(1);
    await b.close();
  });

  it('mapping a SKU clears it from the unmapped list', async () => {
    const s = await Store.open({ memory: true });
    await s.unmapped.set('X', { amazonSku: 'X', firstSeenAt: 't', lastSeenAt: 't', orderCount: 1, recentOrderIds: [] });
    await s.putSkuMapping({ amazonSku: 'X', shipstationSku: 'SS-X' });
    expect(await s.unmapped.all()).toEqual([]);
  });

  it('gives a lease to one owner until it expires', async () => {
    const s = await Store.open({ memory: true });
    expect(await s.acquireLease('sync:a', 'r1', 1000, 0)).toBe(true);
    expect(await s.acquireLease('sync:a', 'r2', 1000, 500)).toBe(false);
    expect(await s.acquireLease('sync:a', 'r1', 1000, 600)).toBe(true);
    expect(await s.acquireLease('sync:a', 'r2', 1000, 1700)).toBe(true);
    await s.releaseLease('sync:a', 'r2');
    expect(await s.acquireLease('sync:a', 'r1', 1000, 1701)).toBe(true);
  });

  it('reports a record it cannot read instead of passing it on', async () => {
    const s = await Store.open({ memory: true });
    // @ts-expect-error deliberately wrong shape
    await expect(s.cursors.set('a', { lastUpdatedAfter: 1 })).rejects.toThrow();
  });
});
