import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/postgres';
import { MANAGER, order, report, returnRow, WAREHOUSE, world, type World } from './support';

/**
 * The "Done when", against fakes behind the ports: Amazon's side runs every feed through
 * the sandbox's adjustment checker and counts what it applied.
 */
describe.each(BACKENDS)('returns to refunds on %s', (backend) => {
  let w: World;
  const MIN = 60_000;

  beforeEach(async () => {
    w = await world(backend);
    w.orders.set('112-0000001-0000001', order('112-0000001-0000001', [{ id: '10000000000001', sku: 'MUG-1', qty: 2, price: 20, tax: 3.2, shipping: 5 }]));
    w.orders.set('112-0000002-0000002', order('112-0000002-0000002', [{ id: '20000000000001', sku: 'PEN-3', qty: 3, price: 9.99, tax: 2.4 }, { id: '20000000000002', sku: 'INK-1', qty: 1, price: 4.5, tax: 0.36 }]));
    w.reports.texts.set('default/ATVPDKIKX0DER', report([returnRow('112-0000001-0000001', 'RMA1', 'MUG-1', 1), returnRow('112-0000002-0000002', 'RMA2', 'PEN-3', 3), returnRow('112-0000002-0000002', 'RMA2', 'INK-1', 1)]));
  });
  afterEach(async () => {
    await w.close();
  });

  async function receiveAndApprove(rma: string): Promise<void> {
    expect((await w.actions.received(WAREHOUSE, 'default', rma, { condition: 'ok' })).ok).toBe(true);
    expect((await w.actions.approve(MANAGER, 'default', rma)).ok).toBe(true);
  }

  /** Runs feed passes as time goes by, until nothing is left in flight. */
  async function drainFeeds(): Promise<void> {
    for (let i = 0; i < 6; i++) {
      w.clock.t += 3 * MIN;
      await w.feeds();
    }
  }

  it('a return appears in Slack once, and reading the same report again changes nothing', async () => {
    const first = await w.poll();
    expect(first).toMatchObject({ new: 3, same: 0, changed: 0, failed: [], rowProblems: [] });
    const msg = await w.message('RMA2');
    expect(msg).toMatchObject({ status: 'expected', amazonOrderId: '112-0000002-0000002', items: 'INK-1 ×1\nPEN-3 ×3', reason: 'UNWANTED_ITEM', inPolicy: 'yes', carrier: 'UPS', tracking: '1ZRMA2', resolution: 'StandardRefund' });
    const rev = (await w.store.outbox.get('return:default:RMA2'))?.rev;
    const again = await w.poll();
    expect(again).toMatchObject({ new: 0, same: 3, changed: 0 });
    expect((await w.store.outbox.get('return:default:RMA2'))?.rev).toBe(rev);
    expect(await w.store.returns.byStatus(undefined)).toHaveLength(3);
  });

  it('CANCELLED (no returns in the window) is not an error', async () => {
    w.reports.texts.set('default/ATVPDKIKX0DER', 'none');
    expect(await w.poll()).toMatchObject({ reports: 1, empty: 1, new: 0, failed: [] });
  });

  it('a report lacking a required column fails that window with a clear error and keeps nothing half-read', async () => {
    w.reports.texts.set('default/ATVPDKIKX0DER', 'Order ID\tMerchant SKU\tReturn quantity\n112-0000001-0000001\tMUG-1\t1\n');
    const s = await w.poll();
    expect(s.failed).toEqual([{ accountId: 'default', marketplaceId: 'ATVPDKIKX0DER', code: 'returns.report_unparseable', message: expect.stringContaining('lacks the column "Amazon RMA ID"') }]);
    expect(await w.store.returns.byStatus(undefined)).toEqual([]);
  });

  it('a warehouse user marks it received but cannot approve; a manager approves; the refused click changes nothing and is audited', async () => {
    await w.poll();
    expect(await w.actions.received(WAREHOUSE, 'default', 'RMA1', { condition: 'ok', notes: 'box dented' })).toMatchObject({ ok: true });
    const refused = await w.actions.approve(WAREHOUSE, 'default', 'RMA1');
    expect(refused).toMatchObject({ ok: false, code: 'returns.not_a_manager' });
    expect(await w.store.returns.refundsForRma('default', 'RMA1')).toEqual([]);
    expect((await w.store.returns.byRma('default', 'RMA1'))[0]!.status).toBe('received');
    const audit = await w.store.auditFor('return:default:RMA1');
    expect(audit.map((a) => [a.actor, a.action, a.outcome])).toEqual([
      [WAREHOUSE, 'returns:receive', 'ok'],
      [WAREHOUSE, 'returns:approve_refund', 'refused'],
    ]);
    expect(await w.actions.approve(MANAGER, 'default', 'RMA1')).toMatchObject({ ok: true });
    const msg = await w.message('RMA1');
    expect(msg?.status).toBe('refund_pending');
    expect(msg?.history).toContain(`<@${WAREHOUSE}> marked it received: ok, 1 of 1 MUG-1`);
    expect(msg?.history).toContain(`<@${MANAGER}> approved a refund of 24.10 USD`);
  });

  it("a person's step is marked for Slack to show first; the jobs' redraws wait their turn", async () => {
    await w.poll();
    expect((await w.store.outbox.get('return:default:RMA1'))?.awaited).toBeUndefined();
    await w.actions.received(WAREHOUSE, 'default', 'RMA1', { condition: 'ok' });
    expect((await w.store.outbox.get('return:default:RMA1'))?.awaited).toBe(true);
    expect((await w.store.outbox.get('return:default:RMA2'))?.awaited).toBeUndefined();
  });

  it('approving before receipt is refused by the state machine', async () => {
    await w.poll();
    expect(await w.actions.approve(MANAGER, 'default', 'RMA1')).toMatchObject({ ok: false, code: 'returns.illegal_transition' });
  });

  it('the feed Amazon receives is valid and carries exactly the computed amounts; the return ends refunded', async () => {
    await w.poll();
    await receiveAndApprove('RMA1');
    await receiveAndApprove('RMA2');
    await drainFeeds();
    expect(w.amazon.feeds).toHaveLength(1);
    expect(w.amazon.applied).toEqual([
      expect.objectContaining({ amazonOrderId: '112-0000001-0000001', orderItemId: '10000000000001', adjustmentId: 'RMA1-10000000000001', amounts: { Principal: 2000, Shipping: 250, Tax: 160 }, currency: 'USD' }),
      expect.objectContaining({ amazonOrderId: '112-0000002-0000002', orderItemId: '20000000000002', amounts: { Principal: 450, Tax: 36 } }),
      expect.objectContaining({ amazonOrderId: '112-0000002-0000002', orderItemId: '20000000000001', amounts: { Principal: 2997, Tax: 240 } }),
    ]);
    expect(w.amazon.feeds[0]!.document.match(/<Message>/g)).toHaveLength(2);
    for (const rma of ['RMA1', 'RMA2']) {
      expect((await w.store.returns.byRma('default', rma)).every((r) => r.status === 'refunded')).toBe(true);
      expect(await w.message(rma)).toMatchObject({ status: 'refunded', refundState: 'accepted' });
    }
  });

  it('a manager may lower the amount but not raise it', async () => {
    await w.poll();
    await w.actions.received(WAREHOUSE, 'default', 'RMA1', { condition: 'ok' });
    expect(await w.actions.approve(MANAGER, 'default', 'RMA1', { 'MUG-1': 2411 })).toMatchObject({ ok: false, code: 'returns.refund_too_high' });
    expect((await w.store.returns.byRma('default', 'RMA1'))[0]!.status).toBe('received');
    expect(await w.actions.approve(MANAGER, 'default', 'RMA1', { 'MUG-1': 1500 })).toMatchObject({ ok: true });
    await drainFeeds();
    const a = w.amazon.applied[0]!;
    expect(Object.values(a.amounts).reduce((s, x) => s + x, 0)).toBe(1500);
  });

  it('a double click sends one adjustment', async () => {
    await w.poll();
    await w.actions.received(WAREHOUSE, 'default', 'RMA1', { condition: 'ok' });
    const [a, b] = await Promise.all([w.actions.approve(MANAGER, 'default', 'RMA1'), w.actions.approve(MANAGER, 'default', 'RMA1')]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    expect(await w.actions.approve(MANAGER, 'default', 'RMA1')).toMatchObject({ ok: false });
    await drainFeeds();
    expect(w.amazon.applied).toHaveLength(1);
    expect(await w.store.returns.refundsForRma('default', 'RMA1')).toHaveLength(1);
  });

  // Replicas share a Postgres (README: running replicas); a SQLite data dir serves one process.
  const onSharedStore = backend === 'postgres' ? it : () => undefined;
  onSharedStore('two replicas approving and sending at once leave one refund and one adjustment', async () => {
    await w.poll();
    await w.actions.received(WAREHOUSE, 'default', 'RMA1', { condition: 'ok' });
    const other = await w.replica();
    try {
      const results = await Promise.all([w.actions.approve(MANAGER, 'default', 'RMA1'), other.actions.approve(MANAGER, 'default', 'RMA1')]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      for (let i = 0; i < 4; i++) {
        w.clock.t += 3 * MIN;
        await Promise.all([w.feeds(), other.feeds()]);
      }
    } finally {
      await other.store.close();
    }
    expect(w.amazon.applied).toHaveLength(1);
  });

  it("a feed rejected for one order shows Amazon's message and a Retry, while the others are refunded; Retry then refunds it once", async () => {
    await w.poll();
    await receiveAndApprove('RMA1');
    await receiveAndApprove('RMA2');
    w.orders.delete('112-0000001-0000001'); // Amazon no longer knows the order: its message is refused
    await drainFeeds();
    expect(w.amazon.applied.map((x) => x.amazonOrderId)).toEqual(['112-0000002-0000002', '112-0000002-0000002']);
    expect((await w.store.returns.byRma('default', 'RMA2')).every((r) => r.status === 'refunded')).toBe(true);
    const failed = await w.message('RMA1');
    expect(failed).toMatchObject({ status: 'refund_pending', refundState: 'error' });
    expect(failed?.refundError).toMatch(/^18089 The order ID 112-0000001-0000001 was not found/);
    const { renderReturn } = await import('../../src/returns/return-message');
    const drawn = renderReturn({ key: 'return:default:RMA1', kind: 'return_on_its_way', state: 'open', count: 1, facts: failed!, updatedAt: 'v' }, {});
    expect(drawn.buttons.map((b) => b.action_id)).toEqual(['returns_retry_refund']);
    expect(JSON.stringify(drawn.blocks)).toContain('Amazon refused the refund: 18089 The order ID 112-0000001-0000001 was not found');

    expect(await w.actions.retryRefund(WAREHOUSE, 'default', 'RMA1')).toMatchObject({ ok: false, code: 'returns.not_a_manager' });
    w.orders.set('112-0000001-0000001', order('112-0000001-0000001', [{ id: '10000000000001', sku: 'MUG-1', qty: 2, price: 20, tax: 3.2, shipping: 5 }]));
    expect(await w.actions.retryRefund(MANAGER, 'default', 'RMA1')).toMatchObject({ ok: true });
    await drainFeeds();
    expect(w.amazon.applied.filter((x) => x.amazonOrderId === '112-0000001-0000001')).toHaveLength(1);
    expect((await w.store.returns.byRma('default', 'RMA1'))[0]!.status).toBe('refunded');
  });

  it.each([
    ['after approval, before any feed was written', 'before_feed'],
    ['after the feed was marked submitting, before createFeed reached Amazon', 'die_before_create'],
    ['after createFeed reached Amazon, before its answer was recorded', 'lose_answer'],
  ] as const)('a process killed %s ends with exactly one adjustment after restart', async (_when, kill) => {
    await w.poll();
    await receiveAndApprove('RMA1');
    if (kill !== 'before_feed') {
      w.amazon.nextSubmit = kill;
      w.clock.t += 3 * MIN;
      await w.feeds();
    }
    w = await w.restart();
    await drainFeeds();
    expect(w.amazon.applied).toHaveLength(1);
    expect(w.amazon.feeds).toHaveLength(1);
    expect((await w.store.returns.byRma('default', 'RMA1'))[0]!.status).toBe('refunded');
  });

  it('approvals gather into one feed, and feeds keep to createFeed\'s pace', async () => {
    await w.poll();
    await receiveAndApprove('RMA1');
    await w.feeds(); // within the gather window: nothing yet
    expect(w.amazon.feeds).toHaveLength(0);
    await receiveAndApprove('RMA2');
    w.clock.t += 30_000;
    await w.feeds();
    expect(w.amazon.feeds).toHaveLength(1);
    expect(w.amazon.feeds[0]!.document.match(/<Message>/g)).toHaveLength(2);
  });
});
