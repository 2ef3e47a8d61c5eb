import { describe, expect, it } from 'vitest';
import type { Order } from '../../src/domain/order';
import { createOrderBatcher } from '../../src/sync/order-batcher';

const order = (id: string, t = '2026-11-28T10:00:00Z') => ({ accountId: 'a', amazonOrderId: id, lastUpdatedTime: t }) as Order;

describe('createOrderBatcher', () => {
  it('sends a full batch at once and the rest after the wait', async () => {
    const batches: string[][] = [];
    const b = createOrderBatcher(async (orders) => void batches.push(orders.map((o) => o.amazonOrderId)), { maxBatch: 3, maxWaitMs: 20 });
    const done = ['1', '2', '3', '4'].map((id) => b.submit(order(id)));
    await Promise.all(done);
    expect(batches).toEqual([['1', '2', '3'], ['4']]);
  });

  it('keeps only the newest version of an order waiting in the batch', async () => {
    const sent: Order[][] = [];
    const b = createOrderBatcher(async (orders) => void sent.push(orders), { maxWaitMs: 10 });
    await Promise.all([b.submit(order('1', '2026-11-28T10:00:02Z')), b.submit(order('1', '2026-11-28T10:00:01Z'))]);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.map((o) => o.lastUpdatedTime)).toEqual(['2026-11-28T10:00:02Z']);
  });

  it('answers every order of a failed batch with the failure', async () => {
    const b = createOrderBatcher(async () => {
      throw new Error('ShipStation down');
    }, { maxWaitMs: 5 });
    const results = await Promise.allSettled([b.submit(order('1')), b.submit(order('2'))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('never runs two batches at the same time', async () => {
    let running = 0;
    let most = 0;
    const b = createOrderBatcher(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
    }, { maxBatch: 1 });
    await Promise.all(['1', '2', '3'].map((id) => b.submit(order(id))));
    expect(most).toBe(1);
  });
});
