import { describe, expect, it } from 'vitest';
import { parseButtonValue, shipstationOrderUrl } from '../../src/domain/block-kit';
import { alertMessage } from '../../src/slack/alert-kinds';
import { deadlineHeadline, type DeadlineNotice } from '../../src/writeback/deadline-alert';
import { blockKitProblems, allText, buttons, CTX, alert, atRisk, deadlineAlertRecord, many, describeValidBlockKit } from '../support/slack-messages';

describeValidBlockKit([
  ['deadline, 200 orders at risk', alertMessage(deadlineAlertRecord({ stage: 'at_risk', leadMinutes: 240, orders: many(200, (i) => ({ isPrime: i < 50 })) }), CTX)],
  ['deadline, 200 late', alertMessage(deadlineAlertRecord({ stage: 'late', orders: many(200, (i) => ({ minutesLeft: -i })) }), CTX)],
  ['deadline, 200 cancel requests', alertMessage(deadlineAlertRecord({ stage: 'cancel_requested', orders: many(200, (i) => (i % 2 ? { shipstationOrderId: undefined } : {})) }), CTX)],
  ['deadline, resolved', alertMessage(deadlineAlertRecord({ stage: 'late', orders: many(3) }, { state: 'resolved' }), CTX)],
  ['deadline alert, no facts', alertMessage(alert({ kind: 'deadline', facts: {} }), CTX)],
]);

describe('deadline escalation messages', () => {
  it.each<[DeadlineNotice['stage'], number, number | undefined, string]>([
    ['at_risk', 3, 240, '3 orders ship-by in under 4 h'],
    ['at_risk', 1, 60, '1 order ship-by in under 1 h'],
    ['at_risk', 2, 90, '2 orders ship-by in under 1 h 30 min'],
    ['at_risk', 2, undefined, '2 orders ship-by soon'],
    ['late', 2, undefined, '2 orders are late'],
    ['late', 1, undefined, '1 order is late'],
    ['cancel_requested', 1, undefined, 'Buyer asked to cancel 1 order'],
    ['cancel_requested', 4, undefined, 'Buyers asked to cancel 4 orders'],
  ])('headline %s ×%i (lead %s): %s', (stage, count, lead, text) => {
    expect(deadlineHeadline(stage, count, lead)).toBe(text);
  });

  it('shows 20 of 200 orders in the caller’s order (Prime first), then how many more, within 50 blocks', () => {
    const orders = many(200, (i) => ({ isPrime: i < 3 }));
    const msg = alertMessage(deadlineAlertRecord({ stage: 'at_risk', leadMinutes: 240, orders }), CTX);
    expect(msg.blocks.length).toBeLessThanOrEqual(50);
    expect(msg.text).toBe('200 orders ship-by in under 4 h (3 Prime)');
    expect((msg.blocks[0] as any).text.text).toBe('200 orders ship-by in under 4 h');
    const t = allText(msg);
    const shownIds = orders.slice(0, 20).map((o) => o.amazonOrderId);
    const positions = shownIds.map((id) => t.indexOf(`\`${id}\``));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(t).not.toContain(orders[20]!.amazonOrderId);
    expect(t).toContain('…and 180 more — `/dockhand late`');
    expect(t).toContain(':zap: *Prime* `112-0000000-0000000` · default · ship by 2026-03-02 18:00 UTC · *1 h 40 min left*');
    expect(t).toContain('Times left as of 14:01 UTC');
  });

  it('gives each late or at-risk order Retry sync, Mark priority and Open in ShipStation, with the order in the values', () => {
    const msg = alertMessage(deadlineAlertRecord({ stage: 'late', orders: [atRisk(1, { minutesLeft: -25, isPrime: true }), atRisk(2, { minutesLeft: -3, shipstationOrderId: undefined })] }, { key: 'deadline:late:-:x:2:abc' }), CTX);
    const bs = buttons(msg);
    const o1 = 'default:112-0000000-0000001';
    const o2 = 'default:112-0000000-0000002';
    // Order 2 never reached ShipStation: nothing there to tag or open.
    expect(bs.map((b) => b.action_id)).toEqual([`retry_sync:${o1}`, `mark_priority:${o1}`, `open_shipstation:${o1}`, `retry_sync:${o2}`]);
    expect(parseButtonValue(bs[1].value)).toEqual({ key: 'deadline:late:-:x:2:abc', version: '2026-03-02T14:00:00.000Z', accountId: 'default', amazonOrderId: '112-0000000-0000001', shipstationOrderId: 500001 });
    expect(parseButtonValue(bs[3].value)).toEqual({ key: 'deadline:late:-:x:2:abc', version: '2026-03-02T14:00:00.000Z', accountId: 'default', amazonOrderId: '112-0000000-0000002' });
    expect(bs[2]).toMatchObject({ url: shipstationOrderUrl('112-0000000-0000001', CTX.shipstationAppUrl), text: { text: 'Open in ShipStation' } });
    expect(bs[2].value).toBeUndefined();
    expect(allText(msg)).toContain('*late by 25 min*');
    expect(allText(msg)).toContain('*late by 3 min* · not in ShipStation');
  });

  it('gives each cancel request Hold (with a confirm dialog) and Open in ShipStation', () => {
    const msg = alertMessage(deadlineAlertRecord({ stage: 'cancel_requested', orders: [atRisk(1), atRisk(2, { shipstationOrderId: undefined, shipByLatest: undefined, minutesLeft: undefined })] }), CTX);
    const bs = buttons(msg);
    // Order 2 is not in ShipStation: no Hold, no Open, and no empty row of buttons.
    expect(bs.map((b) => b.action_id)).toEqual(['hold_order:default:112-0000000-0000001', 'open_shipstation:default:112-0000000-0000001']);
    expect(blockKitProblems(msg)).toEqual([]);
    expect(bs[0]).toMatchObject({ style: 'danger', confirm: { title: { text: 'Hold in ShipStation?' }, confirm: { text: 'Hold' } } });
    expect(parseButtonValue(bs[0].value)).toMatchObject({ shipstationOrderId: 500001, amazonOrderId: '112-0000000-0000001' });
    expect(msg.text).toBe('Buyers asked to cancel 2 orders');
    expect(allText(msg)).toContain('*ship-by unknown* · not in ShipStation');
  });

  it('keeps its buttons after an action, naming who did what', () => {
    const msg = alertMessage(deadlineAlertRecord({ stage: 'late', orders: [atRisk(1)] }, { lastActor: 'U1ALICE', lastActionAt: '2026-03-02T14:03:00Z', lastActionText: 'pressed Mark priority for 112-0000000-0000001 — tagged' }), CTX);
    expect(buttons(msg)).toHaveLength(3);
    expect(allText(msg)).toContain('<@U1ALICE> pressed Mark priority for 112-0000000-0000001 at 14:03 UTC — tagged');
  });
});
