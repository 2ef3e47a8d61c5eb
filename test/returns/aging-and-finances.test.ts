import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFinancesClient } from '../../src/amazon/finances-client';
import { silentLogger } from '../../src/log/logger';
import { addBusinessDays, escalateAging } from '../../src/returns/return-aging';
import { confirmPostedRefunds } from '../../src/returns/refund-confirm.job';
import { createFinancesApi } from '../../src/sandbox/amazon/finances-api';
import { createAlertRecorder } from '../../src/slack/alerts';
import { MANAGER, order, report, returnRow, WAREHOUSE, world, type World } from './support';

const H = 3_600_000;
const DAY = 24 * H;

describe('business days', () => {
  it.each([
    ['Monday 10:00 → Tuesday 10:00', '2026-11-30T10:00:00Z', '2026-12-01T10:00:00Z'],
    ['Friday 16:00 → Monday 16:00', '2026-12-04T16:00:00Z', '2026-12-07T16:00:00Z'],
    ['Saturday 09:00 → Tuesday 00:00 (counts from Monday)', '2026-12-05T09:00:00Z', '2026-12-08T00:00:00Z'],
    ['Sunday 23:00 → Tuesday 00:00', '2026-12-06T23:00:00Z', '2026-12-08T00:00:00Z'],
  ])('%s', (_n, from, to) => {
    expect(new Date(addBusinessDays(Date.parse(from), 1)).toISOString()).toBe(new Date(to).toISOString());
  });
});

describe('aging and Finances', () => {
  let w: World;
  beforeEach(async () => {
    w = await world('sqlite');
    w.orders.set('112-0000001-0000001', order('112-0000001-0000001', [{ id: '10000000000001', sku: 'MUG-1', qty: 1, price: 20, tax: 1.6 }]));
    w.reports.texts.set('default/ATVPDKIKX0DER', report([returnRow('112-0000001-0000001', 'RMA1', 'MUG-1', 1, { 'Return delivery date': '2026-11-27T15:00:00Z' })]));
    await w.poll();
  });
  afterEach(async () => {
    await w.close();
  });

  const aging = () => escalateAging({ store: w.store, notifier: createAlertRecorder({ store: w.store, now: () => new Date(w.clock.t), logger: silentLogger }), receiveDays: 3, now: () => new Date(w.clock.t), logger: silentLogger });

  it('escalates a return delivered 3 days ago and not received, once; then one not approved a business day after receipt', async () => {
    expect(await aging()).toEqual({ receive: 1, approve: 0 });
    expect(await aging()).toEqual({ receive: 0, approve: 0 });
    expect((await w.store.outbox.get('return_aging:default:RMA1:receive'))?.facts).toMatchObject({ what: 'receive', rma: 'RMA1' });
    await w.actions.received(WAREHOUSE, 'default', 'RMA1', { condition: 'ok' });
    expect((await w.store.outbox.get('return_aging:default:RMA1:receive'))?.state).toBe('resolved');
    w.clock.t += 20 * H;
    expect(await aging()).toEqual({ receive: 0, approve: 0 });
    w.clock.t += 5 * H; // Tuesday 12:00 → Wednesday 13:00: one business day past receipt
    expect(await aging()).toEqual({ receive: 0, approve: 1 });
  });

  it('a day after Amazon accepted it, Finances confirms the refund posted and the message says so', async () => {
    await w.actions.received(WAREHOUSE, 'default', 'RMA1', { condition: 'ok' });
    await w.actions.approve(MANAGER, 'default', 'RMA1');
    for (let i = 0; i < 3; i++) {
      w.clock.t += 3 * 60_000;
      await w.feeds();
    }
    const finances = createFinancesApi();
    for (const a of w.amazon.applied) finances.post({ amazonOrderId: a.amazonOrderId, orderItemId: a.orderItemId, amounts: a.amounts, currency: a.currency ?? 'USD', postedAt: new Date(w.clock.t + 2 * H).toISOString() });
    const client = createFinancesClient(async (path, query) => {
      const r = finances.handle('GET', path, new URLSearchParams(query), new Date(w.clock.t))!;
      if (r.status !== 200) throw new Error(JSON.stringify(r.body));
      return r.body;
    });
    const deps = {
      store: w.store,
      postings: { postedRefunds: (_a: string, id: string) => client.refundsForOrder(id) },
      notifier: createAlertRecorder({ store: w.store, now: () => new Date(w.clock.t), logger: silentLogger }),
      redraw: w.actions.redraw,
      now: () => new Date(w.clock.t),
      logger: silentLogger,
    };
    expect(await confirmPostedRefunds(deps)).toEqual({ asked: 0, posted: 0 }); // not a day yet
    w.clock.t += DAY;
    expect(await confirmPostedRefunds(deps)).toEqual({ asked: 1, posted: 1 });
    expect((await w.store.returns.refundsForRma('default', 'RMA1'))[0]!.state).toBe('posted');
    const msg = await w.store.outbox.get('return:default:RMA1');
    expect(msg?.state).toBe('resolved');
    expect(msg?.facts.history).toContain('Finances shows the refund posted on Amazon');
    expect(await confirmPostedRefunds(deps)).toEqual({ asked: 0, posted: 0 });
  });

  it('the Finances client reads refunded items with Amazon signs (money back is negative)', async () => {
    const finances = createFinancesApi();
    finances.post({ amazonOrderId: '112-0000001-0000001', orderItemId: '10000000000001', sellerSku: 'MUG-1', amounts: { Principal: 2000, Tax: 160 }, currency: 'USD', postedAt: '2026-12-01T00:00:00Z' });
    const client = createFinancesClient(async (path, query) => finances.handle('GET', path, new URLSearchParams(query), new Date('2026-12-02T00:00:00Z'))!.body);
    expect(await client.refundsForOrder('112-0000001-0000001')).toEqual([{ postedDate: '2026-12-01T00:00:00Z', orderItemId: '10000000000001', sellerSku: 'MUG-1', amountCents: -2160, currency: 'USD' }]);
    expect(await client.refundsForOrder('999-0000000-0000000')).toEqual([]);
  });
});
