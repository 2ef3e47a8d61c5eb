import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store';
import { formatOrderTimeline, isUnknownOrder, orderTimeline } from '../../src/sync/order-timeline';

const ID = '111-2223334-5556667';

describe('orderTimeline', () => {
  it('gathers the record, quarantine, audit, alerts and labels of the order, in the account that has it', async () => {
    const store = await Store.open({ memory: true });
    await store.orders.set(`eu:${ID}`, {
      accountId: 'eu',
      amazonOrderId: ID,
      orderKey: `dockhand:eu:${ID}`,
      state: 'sent',
      amazonStatus: 'unshipped',
      lastUpdatedTime: '2026-11-28T10:00:00Z',
      firstSeenAt: '2026-11-28T10:00:05Z',
      sentAt: '2026-11-28T10:00:06Z',
      shipstationOrderId: 9001,
      unmappedSkus: ['SKU-X'],
      isPrime: true,
      shipByLatest: '2026-11-29T10:00:00Z',
    });
    await store.orderLabels.set(`eu:${ID}`, { labelIds: ['shipment:5'] });
    await store.confirmations.set('shipment:5', {
      labelId: 'shipment:5',
      accountId: 'eu',
      amazonOrderId: ID,
      shipstationOrderId: 9001,
      state: 'confirmed',
      packageReferenceId: '5',
      carrierCode: 'UPS',
      trackingNumber: '1Z999',
      items: [{ orderItemId: 'I-1', quantity: 2 }],
      labelCreatedAt: '2026-11-28T11:00:00Z',
      via: 'webhook',
      at: '2026-11-28T11:00:02Z',
      confirmedAt: '2026-11-28T11:00:03Z',
      attempts: 1,
      voidedAfterConfirm: false,
    });
    await store.alerts.set(`unmapped:SKU-X`, { key: 'unmapped:SKU-X', kind: 'unmapped_sku', channel: 'C1', ts: '1700000000.000001', state: 'open', count: 1, facts: { amazonOrderId: ID, amazonSku: 'SKU-X' }, updatedAt: '2026-11-28T10:00:07Z' });
    // Recorded, not yet in Slack: it waits in the outbox.
    await store.outbox.set(`writeback:shipment:6`, { key: 'writeback:shipment:6', kind: 'writeback_problem', state: 'open', count: 1, facts: { amazonOrderId: ID }, updatedAt: '2026-11-28T10:00:08Z' });
    await store.alerts.set(`unmapped:SKU-Y`, { key: 'unmapped:SKU-Y', kind: 'unmapped_sku', channel: 'C1', state: 'open', count: 1, facts: { amazonOrderId: 'other' }, updatedAt: '2026-11-28T10:00:07Z' });
    await store.recordAudit({ at: '2026-11-28T10:30:00Z', actor: 'cli:maya', source: 'cli', action: 'retry', target: ID, outcome: 'ok' });

    const t = await orderTimeline(store, ['us', 'eu'], ID);
    expect(t.record?.accountId).toBe('eu');
    expect(t.alerts.map((a) => a.key)).toEqual(['unmapped:SKU-X', 'writeback:shipment:6']);
    expect(t.confirmations.map((c) => c.labelId)).toEqual(['shipment:5']);
    expect(t.audit.map((a) => a.actor)).toEqual(['cli:maya']);

    const text = formatOrderTimeline(t).join('\n');
    expect(text).toMatch(new RegExp(`^order ${ID} {2}\\[eu\\]`));
    expect(text).toMatch(/state {10}in ShipStation/);
    expect(text).toMatch(/ship by {8}2026-11-29 10:00:00 UTC \(Prime\)/);
    expect(text).toMatch(/tracking {7}1 label\(s\): 1 confirmed/);
    // Oldest first: seen, sent, alert, the retry, then the label and its confirmation.
    const events = text.split('timeline\n')[1]!.split('\n').map((l) => l.replace(/^ {2}\S+ \S+ UTC {2}/, ''));
    expect(events).toEqual([
      'first seen by Dockhand',
      'sent to ShipStation (order 9001)',
      'alert unmapped_sku open',
      'alert writeback_problem open, waiting to be posted in Slack',
      'cli:maya retry → ok',
      'label shipment:5 created in ShipStation: UPS 1Z999',
      'confirmed on Amazon (shipment:5): UPS 1Z999, items I-1 x2 (via webhook)',
    ]);
    await store.close();
  });

  it('says Dockhand has not seen an order it knows nothing about', async () => {
    const store = await Store.open({ memory: true });
    const t = await orderTimeline(store, ['us'], ID);
    expect(isUnknownOrder(t)).toBe(true);
    expect(formatOrderTimeline(t)[0]).toBe(`Dockhand has not seen order ${ID}.`);
    await store.close();
  });
});
