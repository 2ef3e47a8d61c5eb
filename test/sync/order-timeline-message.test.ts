import { describe, expect, it } from 'vitest';
import { parseButtonValue } from '../../src/domain/block-kit';
import { orderTimeline } from '../../src/sync/order-timeline-message';
import { allText, buttons, ID, CTX, quarantineEntry, quarantinedAlert, record, audit, confirmation, describeValidBlockKit } from '../support/slack-messages';

describeValidBlockKit([
  ['order timeline', orderTimeline({ amazonOrderId: ID, record, audit, alerts: [quarantinedAlert], confirmations: [] }, CTX)],
  ['order timeline, unknown order', orderTimeline({ amazonOrderId: ID, audit: [], alerts: [], confirmations: [] }, CTX)],
  ['order timeline, 200 audit entries', orderTimeline({ amazonOrderId: ID, record, quarantine: quarantineEntry(1), audit: Array.from({ length: 200 }, (_, i) => ({ ...audit[0]!, at: new Date(Date.UTC(2026, 2, 2, 0, i)).toISOString() })), alerts: [], confirmations: [] }, CTX)],
  ['timeline with 30 labels', orderTimeline({ amazonOrderId: ID, record, audit: [], alerts: [], confirmations: Array.from({ length: 30 }, (_, i) => confirmation({ labelId: `shipment:${i}`, state: 'quarantined', code: 'writeback.rejected', reason: 'r'.repeat(400) })) }, CTX)],
]);

describe('orderTimeline', () => {
  it('shows what happened in time order and never the sealed buyer data', () => {
    const msg = orderTimeline({
      amazonOrderId: ID,
      record,
      audit,
      alerts: [{ ...quarantinedAlert, updatedAt: '2026-03-02T13:45:00Z', lastActor: 'U1ALICE', lastActionAt: '2026-03-02T13:50:00Z', lastActionText: 'pressed Retry' }],
      confirmations: [],
    }, CTX);
    const t = allText(msg);
    expect(msg.text).toBe(`Order ${ID}: in ShipStation`);
    expect(t).toContain('*ShipStation order*\\n987654');
    expect(t).toContain('Prime');
    expect(t).toContain('*Tracking to Amazon*\\nno label yet');
    expect(t).not.toContain('Jane');
    expect(t).not.toContain('SEALED');
    const order = ['First seen by Dockhand', 'Sent to ShipStation (order 987654)', '`cli:bob`', '<@U2CAROL>', 'Alert `quarantined_order` open', '<@U1ALICE> pressed Retry', '<@U1ALICE> `action:retry_order` → ok (sent to ShipStation)'];
    const positions = order.map((s) => t.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it.each<[string, Parameters<typeof orderTimeline>[0], string[]]>([
    ['an order never seen', { amazonOrderId: ID, audit: [], alerts: [], confirmations: [] }, [`Dockhand has not seen order \`${ID}\``]],
    [
      'a quarantined order gets a Retry button',
      { amazonOrderId: ID, quarantine: quarantineEntry(1, { amazonOrderId: ID, attempts: 3 }), audit: [], alerts: [], confirmations: [] },
      ['Quarantined: `sku.unmapped` — SKU MUG-1 has no ShipStation SKU (3 attempts)', '"action_id":"retry_order"'],
    ],
    ['a cancelled order', { amazonOrderId: ID, record: { ...record, state: 'cancelled', amazonStatus: 'Canceled', closedAt: '2026-03-02T12:00:00Z' }, audit: [], alerts: [], confirmations: [] }, ['Cancelled on Amazon', '*State*\\ncancelled']],
    ['a shipped order', { amazonOrderId: ID, record: { ...record, amazonStatus: 'Shipped', closedAt: '2026-03-02T12:00:00Z' }, audit: [], alerts: [], confirmations: [] }, ['Shipped on Amazon', 'shipped on Amazon; Dockhand saw no ShipStation label']],
    ['a skipped order says why', { amazonOrderId: ID, record: { ...record, state: 'skipped', skipReason: 'fulfilled by Amazon' }, audit: [], alerts: [], confirmations: [] }, ['skipped (fulfilled by Amazon)']],
  ])('%s', (_name, input, present) => {
    const t = allText(orderTimeline(input, CTX));
    for (const p of present) expect(t).toContain(p);
  });

  it('keeps the latest 40 events and says how many earlier ones are hidden', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ ...audit[1]!, at: new Date(Date.UTC(2026, 2, 1, 0, i)).toISOString(), detail: `n${i}` }));
    const t = allText(orderTimeline({ amazonOrderId: ID, audit: many, alerts: [], confirmations: [] }, CTX));
    expect(t).toContain('…20 earlier events not shown');
    expect(t).toContain('(n59)');
    expect(t).not.toContain('(n19)');
  });
});

describe('orderTimeline: labels and confirmations', () => {
  it('shows each label and what happened on Amazon, in time order, with Retry for a quarantined one', () => {
    const msg = orderTimeline({
      amazonOrderId: ID,
      record,
      audit: [],
      alerts: [],
      confirmations: [
        confirmation(),
        confirmation({ labelId: 'shipment:4243', state: 'quarantined', confirmedAt: undefined, labelCreatedAt: '2026-03-02T12:00:00.000Z', at: '2026-03-02T12:00:03.000Z', code: 'writeback.rejected', reason: 'Amazon refused the carrier', hint: 'Map the carrier', attempts: 3 }),
        confirmation({ labelId: 'fulfillment:77', state: 'skipped', reason: 'voided before confirming', labelCreatedAt: '2026-03-02T13:00:00.000Z', at: '2026-03-02T13:00:01.000Z' }),
        confirmation({ labelId: 'shipment:9', voidedAfterConfirm: true, labelCreatedAt: '2026-03-02T09:00:00.000Z', at: '2026-03-02T09:00:01.000Z', confirmedAt: '2026-03-02T09:00:01.000Z' }),
      ],
    }, CTX);
    const t = allText(msg);
    expect(t).toContain('*Tracking to Amazon*\\n4 labels: 2 confirmed, 1 quarantined, 1 skipped, :warning: 1 voided after confirming');
    const seq = [
      'Label `shipment:9` created in ShipStation',
      'voided after Amazon accepted its tracking',
      'Label `shipment:4242` created in ShipStation: UPS `1Z999AA10123456784`',
      ':white_check_mark: Confirmed on Amazon (`shipment:4242`): UPS `1Z999AA10123456784`, items `12345678901234` ×2 (via webhook)',
      ':construction: Confirmation of `shipment:4243` quarantined: `writeback.rejected` — Amazon refused the carrier (3 attempts)',
      ':fast_forward: Not confirmed on Amazon (`fulfillment:77`): voided before confirming',
    ];
    const pos = seq.map((x) => t.indexOf(x));
    expect(pos.every((p) => p >= 0)).toBe(true);
    expect([...pos].sort((a, b) => a - b)).toEqual(pos);
    const bs = buttons(msg);
    expect(bs.map((b) => b.action_id)).toEqual(['retry_confirmation:shipment:4243', 'open_shipstation']);
    expect(parseButtonValue(bs[0].value)).toEqual({ key: 'writeback:shipment:4243', version: '2026-03-02T12:00:03.000Z', accountId: 'default', amazonOrderId: ID, labelId: 'shipment:4243' });
  });

  it('an order Dockhand knows only from a label still gets a timeline', () => {
    const msg = orderTimeline({ amazonOrderId: ID, audit: [], alerts: [], confirmations: [confirmation()] }, CTX);
    expect(msg.text).toBe(`Order ${ID}: unknown`);
    expect(allText(msg)).toContain('1 label: 1 confirmed');
  });
});
