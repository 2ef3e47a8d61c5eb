import { describe, expect, it } from 'vitest';
import { parseButtonValue, shipstationOrderUrl } from '../../src/domain/block-kit';
import { alertMessage } from '../../src/slack/alert-kinds';
import { writebackFacts, type WritebackNotice, writebackNoticeFromFacts, writebackResolution } from '../../src/writeback/writeback-alert';
import { blockKitProblems, allText, buttons, ID, CTX, alert, notice, writebackAlert, describeValidBlockKit } from '../support/slack-messages';

describeValidBlockKit([
  ['writeback alert, huge message', alertMessage(writebackAlert(notice({ message: 'm'.repeat(10_000), hint: 'h'.repeat(5_000) })), CTX)],
  ['writeback alert, no facts', alertMessage(alert({ kind: 'writeback_problem', facts: {} }), CTX)],
]);

describe('writeback problem alerts', () => {
  it.each<[string, WritebackNotice, string, Array<[string, string | undefined]>]>([
    ['Retry', notice(), 'Amazon has no tracking for order 111-1234567-1234567: the confirmation was refused (writeback.rejected)', [['retry_confirmation', 'primary'], ['open_shipstation', undefined], ['show_order', undefined]]],
    ['Confirm now', notice({ kind: 'label_not_on_amazon', fix: 'confirm_now' }), 'A ShipStation label of order 111-1234567-1234567 never reached Amazon (writeback.rejected)', [['confirm_now', 'primary'], ['open_shipstation', undefined], ['show_order', undefined]]],
    ['Create in ShipStation', notice({ kind: 'missing_in_shipstation', fix: 'create_in_shipstation', labelId: undefined, trackingNumber: undefined }), 'Order 111-1234567-1234567 is open on Amazon but not in ShipStation (writeback.rejected)', [['create_in_shipstation', 'primary'], ['open_shipstation', undefined], ['show_order', undefined]]],
    ['Hold', notice({ kind: 'cancelled_open_in_shipstation', fix: 'hold_order' }), 'Order 111-1234567-1234567 was cancelled on Amazon but is still open in ShipStation (writeback.rejected)', [['hold_order', 'danger'], ['open_shipstation', undefined], ['show_order', undefined]]],
    ['no fix', notice({ kind: 'voided_after_confirm', fix: undefined }), 'A label of order 111-1234567-1234567 was voided after Amazon got its tracking (writeback.rejected)', [['open_shipstation', undefined], ['show_order', undefined]]],
    ['Hold without a ShipStation order', notice({ kind: 'cancelled_open_in_shipstation', fix: 'hold_order', shipstationOrderId: undefined }), 'Order 111-1234567-1234567 was cancelled on Amazon but is still open in ShipStation (writeback.rejected)', [['show_order', undefined]]],
  ])('%s', (_name, n, text, expected) => {
    const msg = alertMessage(writebackAlert(n), CTX);
    expect(msg.text).toBe(text);
    expect(blockKitProblems(msg)).toEqual([]);
    const bs = buttons(msg);
    expect(bs.map((b) => [b.action_id, b.style])).toEqual(expected);
    const open = bs.find((b) => b.action_id === 'open_shipstation');
    if (n.shipstationOrderId === undefined) expect(open).toBeUndefined();
    else expect(open.url).toBe(shipstationOrderUrl(ID, CTX.shipstationAppUrl));
    for (const b of bs.filter((x) => x.value)) {
      expect(parseButtonValue(b.value)).toEqual({
        key: n.key,
        version: '2026-03-02T14:00:00.000Z',
        accountId: 'default',
        amazonOrderId: ID,
        ...(n.labelId ? { labelId: n.labelId } : {}),
        ...(n.shipstationOrderId !== undefined ? { shipstationOrderId: n.shipstationOrderId } : {}),
      });
    }
  });

  it('names the order, label, tracking, what happened and the hint, escaped', () => {
    const t = allText(alertMessage(writebackAlert(notice()), CTX));
    for (const p of ['`111-1234567-1234567`', '*Label*\\n`shipment:4242`', '*Tracking*\\nUPS `1Z999AA10123456784`', '*ShipStation order*\\n987654', 'Amazon said: InvalidInput &lt;packageDetail&gt; &amp; more', ':point_right: Check the carrier code, then press Retry']) {
      expect(t).toContain(p);
    }
  });

  it('asks before Confirm now: Amazon cannot take a confirmation back', () => {
    const [confirmNow] = buttons(alertMessage(writebackAlert(notice({ kind: 'tracking_mismatch', fix: 'confirm_now' })), CTX));
    expect(confirmNow.confirm).toMatchObject({ title: { text: 'Confirm on Amazon?' }, confirm: { text: 'Confirm' }, deny: { text: 'Cancel' } });
    expect(confirmNow.confirm.text.text).toContain('`1Z999AA10123456784`');
  });

  it.each<[string, string]>([
    ['confirmation_quarantined', 'confirmed on Amazon'],
    ['missing_in_shipstation', 'the order is in ShipStation now'],
    ['label_not_on_amazon', 'Amazon has the tracking now'],
    ['nonsense', 'confirmed on Amazon'],
  ])('resolved on its own (%s) says: %s, and drops the buttons', (problem, words) => {
    expect(writebackResolution(problem)).toBe(words);
    const msg = alertMessage(writebackAlert(notice({ kind: problem as WritebackNotice['kind'] }), { state: 'resolved', facts: { ...writebackFacts(notice()), problem, resolution: writebackResolution(problem) } }), CTX);
    expect(buttons(msg)).toEqual([]);
    expect(allText(msg)).toContain(`:white_check_mark: Resolved: ${words}`);
    expect(msg.text.startsWith('Resolved: ')).toBe(true);
  });

  it.each<[string, WritebackNotice]>([
    ['every field', notice()],
    ['only the required ones', notice({ labelId: undefined, shipstationOrderId: undefined, trackingNumber: undefined, carrier: undefined, fix: undefined })],
  ])('round-trips through the stored facts (%s)', (_name, n) => {
    expect(writebackNoticeFromFacts(n.key, writebackFacts(n))).toEqual(Object.fromEntries(Object.entries(n).filter(([, v]) => v !== undefined)));
  });
});
