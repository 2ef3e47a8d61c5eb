import { describe, expect, it } from 'vitest';
import { parseButtonValue, shipstationOrderUrl } from '../../src/domain/block-kit';
import { ALERT_KINDS, alertMessage } from '../../src/slack/alert-kinds';
import type { AlertRecord } from '../../src/store/records';
import { orderTimeline } from '../../src/sync/order-timeline-message';
import { lateList } from '../../src/writeback/late-list-message';
import { blockKitProblems, allText, buttons, ID, NOW, CTX, alert, quarantinedAlert, unmappedAlert, syncAlert, burstAlert, record, audit, atRisk, deadlineAlertRecord, notice, writebackAlert, describeValidBlockKit } from '../support/slack-messages';

describeValidBlockKit([
  ['alert quarantined', alertMessage(quarantinedAlert, CTX)],
  ['alert unmapped', alertMessage(unmappedAlert, CTX)],
  ['alert sync failed', alertMessage(syncAlert, CTX)],
  ['alert burst', alertMessage(burstAlert, CTX)],
  ['alert resolved', alertMessage({ ...syncAlert, state: 'resolved', lastActor: 'U1ALICE', lastActionAt: '2026-03-02T14:02:00Z', lastActionText: 'pressed Retry now — sync ok' }, CTX)],
  ['alert with no facts', alertMessage(alert({ kind: 'quarantined_order', facts: {} }), CTX)],
  ['alert with huge facts', alertMessage({ ...syncAlert, facts: { ...syncAlert.facts, message: 'm'.repeat(10_000) } }, CTX)],
]);

describe('alertMessage', () => {
  it.each<[string, AlertRecord, string, string[], Array<[string, string | undefined]>]>([
    [
      'quarantined order',
      quarantinedAlert,
      `Order ${ID} is quarantined: shipstation.rejected`,
      ['Order `111-1234567-1234567` is quarantined', '`shipstation.rejected`', 'ShipStation said &lt;b&gt;no&lt;/b&gt; &amp; more', 'Check the store ID'],
      [
        ['retry_order', 'primary'],
        ['show_order', undefined],
      ],
    ],
    ['unmapped SKU', unmappedAlert, 'Amazon SKU MUG-1 has no ShipStation SKU (3 orders)', ['`MUG-1`', '`B0TEST0001`', '*Orders with it*\\n3', '`111-7654321-7654321`'], [['map_sku', 'primary']]],
    [
      'sync failed',
      syncAlert,
      'Sync failed for account default: amazon.unauthorized',
      ['Sync is failing for account *default*', 'LWA refused the refresh token', 'Re-authorise the app'],
      [
        ['retry_sync', 'primary'],
        ['pause_sync', 'danger'],
      ],
    ],
    ['quarantine burst', burstAlert, '12 orders quarantined in default', ['12 orders quarantined', '`111-0000000-0000003` and 9 more'], [['retry_all', 'primary']]],
  ])('%s', (_name, record, text, present, expectedButtons) => {
    const msg = alertMessage(record, CTX);
    expect(msg.text).toBe(text);
    for (const p of present) expect(allText(msg)).toContain(p);
    const bs = buttons(msg);
    expect(bs.map((b) => [b.action_id, b.style])).toEqual(expectedButtons);
    for (const b of bs) expect(parseButtonValue(b.value)).toMatchObject({ key: record.key, version: record.updatedAt });
  });

  it('puts the order in the Retry value and a confirm dialog on Pause', () => {
    const [retry] = buttons(alertMessage(quarantinedAlert, CTX));
    expect(parseButtonValue(retry.value)).toEqual({ key: `quarantine:default:${ID}`, version: '2026-03-02T14:00:00.000Z', accountId: 'default', amazonOrderId: ID });
    const pause = buttons(alertMessage(syncAlert, CTX))[1];
    expect(pause.confirm).toMatchObject({ title: { text: 'Pause sync?' }, confirm: { text: 'Pause' }, deny: { text: 'Cancel' } });
  });

  it('writes who acted last, when, and the outcome', () => {
    const msg = alertMessage({ ...quarantinedAlert, lastActor: 'U123', lastActionAt: '2026-03-02T14:02:10Z', lastActionText: 'pressed Retry — sent to ShipStation' }, CTX);
    expect(allText(msg)).toContain('<@U123> pressed Retry at 14:02 UTC — sent to ShipStation');
    expect(buttons(msg)).toHaveLength(2);
  });

  it.each<[string, AlertRecord, string]>([
    ['with a resolution fact', { ...unmappedAlert, state: 'resolved', facts: { ...unmappedAlert.facts, resolution: 'mapped to MUG-BLUE' } }, ':white_check_mark: Resolved: mapped to MUG-BLUE'],
    [
      'by a person',
      { ...quarantinedAlert, state: 'resolved', lastActor: 'U123', lastActionAt: '2026-03-02T14:02:10Z', lastActionText: 'pressed Retry — sent to ShipStation' },
      ':white_check_mark: Resolved — <@U123> pressed Retry at 14:02 UTC — sent to ShipStation',
    ],
    ['on its own', { ...syncAlert, state: 'resolved' }, ':white_check_mark: Resolved: the problem went away'],
  ])('drops the buttons once resolved (%s)', (_name, record, line) => {
    const msg = alertMessage(record, CTX);
    expect(buttons(msg)).toEqual([]);
    expect(allText(msg)).toContain(line);
    expect(msg.text.startsWith('Resolved: ')).toBe(true);
  });

  it('renders an alert whose facts are missing rather than throwing', () => {
    expect(alertMessage(alert({ kind: 'unmapped_sku', facts: {} }), CTX).blocks.length).toBeGreaterThan(0);
  });
});

describe('where Open in ShipStation leads', () => {
  it.each<[string, string | undefined, string | undefined]>([
    ["ShipStation's web app", 'https://ship.shipstation.com', `https://ship.shipstation.com/orders/all-orders-search-result?quickSearch=${ID}`],
    ["the sandbox simulator's order page", 'http://127.0.0.1:4711/app', `http://127.0.0.1:4711/app/orders/all-orders-search-result?quickSearch=${ID}`],
    ['the same page for an app URL given with a trailing slash', 'http://127.0.0.1:4711/app/', `http://127.0.0.1:4711/app/orders/all-orders-search-result?quickSearch=${ID}`],
    ['no web app known (another API): nowhere', undefined, undefined],
  ])('%s', (_name, appUrl, url) => {
    expect(shipstationOrderUrl(ID, appUrl)).toBe(url);
  });

  it('follows the web app of the render context in every message, and offers none without one', () => {
    const late = deadlineAlertRecord({ stage: 'late', orders: [atRisk(1)] });
    const sandbox = { shipstationAppUrl: 'http://127.0.0.1:4711/app/' };
    const open = buttons(alertMessage(late, sandbox)).find((b) => b.action_id.startsWith('open_shipstation'));
    expect(open.url).toBe('http://127.0.0.1:4711/app/orders/all-orders-search-result?quickSearch=112-0000000-0000001');
    expect(buttons(orderTimeline({ amazonOrderId: ID, record, audit: [], alerts: [], confirmations: [] }, sandbox))[0].url).toContain('http://127.0.0.1:4711/app/orders/');
    expect(buttons(alertMessage(late, {})).map((b) => b.action_id)).toEqual(['retry_sync:default:112-0000000-0000001', 'mark_priority:default:112-0000000-0000001']);
    expect(buttons(alertMessage(writebackAlert(notice()), {})).map((b) => b.action_id)).toEqual(['retry_confirmation', 'show_order']);
  });

  it('offers no Open in ShipStation for an order ShipStation does not hold', () => {
    const notSent = orderTimeline({ amazonOrderId: ID, record: { ...record, state: 'held', shipstationOrderId: undefined, sentAt: undefined }, audit: [], alerts: [], confirmations: [] }, CTX);
    expect(buttons(notSent)).toEqual([]);
    expect(blockKitProblems(notSent)).toEqual([]);
    expect(allText(notSent)).toContain('*ShipStation order*\\nnot created');
    const late = lateList([atRisk(1, { shipstationOrderId: undefined })], NOW, CTX);
    expect(buttons(late).map((b) => b.action_id)).toEqual(['retry_sync:default:112-0000000-0000001']);
  });
});

describe('the alert kind registry', () => {
  const huge = 'z'.repeat(10_000);
  const lateMany = deadlineAlertRecord({ stage: 'late', orders: Array.from({ length: 200 }, (_, i) => atRisk(i, { minutesLeft: -i })) });
  /** One demanding record per registered kind: a kind added without a row here fails the first test. */
  const worst: Record<string, AlertRecord> = {
    quarantined_order: { ...quarantinedAlert, count: 7, facts: { ...quarantinedAlert.facts, reason: huge, hint: huge } },
    quarantine_burst: { ...burstAlert, count: 5000, facts: { ...burstAlert.facts, count: '5000', orderIds: Array.from({ length: 500 }, (_, i) => `111-0000000-${i}`).join(',') } },
    // Amazon's seller SKUs have at most 40 characters; the SKU rides in the Map SKU button's value.
    unmapped_sku: { ...unmappedAlert, facts: { ...unmappedAlert.facts, amazonSku: 'S'.repeat(40), recentOrders: huge } },
    sync_failed: { ...syncAlert, facts: { ...syncAlert.facts, message: huge, hint: huge } },
    writeback_problem: writebackAlert(notice({ message: huge, hint: huge, fix: 'confirm_now' })),
    deadline: lateMany,
    return_on_its_way: alert({
      key: 'return:default:RMA1',
      kind: 'return_on_its_way',
      facts: { accountId: 'default', rma: 'R'.repeat(40), amazonOrderId: ID, status: 'refund_pending', items: huge, reason: huge, inPolicy: 'no', carrier: huge, tracking: huge, resolution: huge, notes: huge, history: huge, refund: '1.00 USD', refundState: 'error', refundError: huge },
    }),
    return_aging: alert({ key: 'return_aging:default:RMA1:receive', kind: 'return_aging', facts: { accountId: 'default', rma: huge, amazonOrderId: ID, what: 'receive', since: huge } }),
    prime_escalation: alert({ key: 'escalation:default:111-0000000-0000001', kind: 'prime_escalation', facts: { accountId: 'default', amazonOrderId: '111-0000000-0000001', prime: 'yes', serviceLevel: 'NextDay', shipByLatest: '2026-03-02T18:00:00Z', warehouse: huge, items: huge, shipstationOrderId: '410000001', rules: huge, note: huge, labelAt: '2026-03-02T14:02:00Z', confirmedAt: '2026-03-02T14:02:30Z', reroutedTo: huge } }),
    prime_escalation_burst: alert({ key: 'escalation_burst:default', kind: 'prime_escalation_burst', count: 5000, facts: { accountId: 'default', count: '5000', orderIds: Array.from({ length: 500 }, (_, i) => `111-0000000-${i}`).join(',') } }),
    rule_name_missing: alert({ key: 'rule_name:tag:gold', kind: 'rule_name_missing', count: 3, facts: { kind: 'tag', name: huge, rules: huge, lastOrder: '111-0000000-0000001' } }),
    low_stock: alert({ key: `stock:${'S'.repeat(100)}`, kind: 'low_stock', facts: { sku: 'S'.repeat(100), status: 'out', escalated: '1', onHand: '0', committed: '9999', available: '0', velocity14: '12.5', daysOfCover: '0', reorderPoint: '125', stockOutDate: '2026-12-01', openOrderCount: '5000', openOrders: JSON.stringify(Array.from({ length: 10 }, (_, i) => ({ accountId: 'default', amazonOrderId: `111-0000000-000000${i}`, isPrime: i % 2 === 0, shipByLatest: '2026-12-02T18:00:00.000Z', quantity: 99 }))), reorderQuantity: '5000', reorderExpected: huge } }),
    listing_rejected: alert({ key: 'listing:default:ATVPDKIKX0DER:A', kind: 'listing_rejected', facts: { accountId: 'default', marketplaceId: 'ATVPDKIKX0DER', amazonSku: 'S'.repeat(40), quantity: '3', messages: huge, via: 'feed', feedId: '50000000001' } }),
    erp_dead_letters: alert({ key: 'erp:dead-letters', kind: 'erp_dead_letters', facts: { count: '100000', lastError: huge, skus: huge } }),
    stock_source: alert({ key: 'stock-source:shipstation-v2', kind: 'stock_source', facts: { source: 'shipstation-v2', message: huge, hint: huge } }),
  };

  it('has a demanding record for every registered kind', () => {
    expect(Object.keys(worst).sort()).toEqual(Object.keys(ALERT_KINDS).sort());
  });

  const states = Object.entries(worst).flatMap(([kind, r]): Array<[string, AlertRecord]> => [
    [`${kind}, open`, r],
    [`${kind}, open, acted on`, { ...r, lastActor: 'U1ALICE', lastActionAt: '2026-03-02T14:02:00Z', lastActionText: `pressed it — ${huge}` }],
    [`${kind}, resolved`, { ...r, state: 'resolved', facts: { ...r.facts, resolution: huge } }],
    [`${kind}, no facts`, alert({ key: `${kind}:empty`, kind, facts: {} })],
  ]);
  it.each(states)('%s renders within Slack’s limits', (_name, r) => {
    const msg = alertMessage(r, CTX);
    expect(blockKitProblems(msg)).toEqual([]);
    if (r.state === 'resolved') expect(buttons(msg)).toEqual([]);
  });

  it('draws a kind it does not know plainly, logs it, and keeps the resolution line', () => {
    const warned: unknown[] = [];
    const logger = { warn: (obj: unknown) => void warned.push(obj) };
    const r = alert({ key: 'refund:default:111-1', kind: 'refund_stuck', facts: { amazonOrderId: '111-1' } });
    const open = alertMessage(r, CTX, logger);
    expect(blockKitProblems(open)).toEqual([]);
    expect(open.text).toBe('Dockhand problem refund_stuck: refund:default:111-1');
    expect(allText(open)).toContain(':grey_question: Dockhand problem `refund_stuck`: `refund:default:111-1`');
    expect(buttons(open)).toEqual([]);
    expect(warned).toEqual([{ alert: 'refund:default:111-1', kind: 'refund_stuck' }]);
    const resolved = alertMessage({ ...r, state: 'resolved' }, CTX);
    expect(resolved.text).toBe('Resolved: Dockhand problem refund_stuck: refund:default:111-1');
    expect(allText(resolved)).toContain(':white_check_mark: Resolved: the problem went away');
  });
});
