import { describe, expect, it } from 'vitest';
import { alertMessage } from '../../src/slack/alert-kinds';
import { orderTimeline } from '../../src/sync/order-timeline-message';
import { quarantineList } from '../../src/sync/quarantine-list-message';
import { blockKitProblems, allText, buttons, ID, CTX, quarantineEntry, alert, quarantinedAlert, burstAlert, audit } from '../support/slack-messages';

describe('Retry only where it can help', () => {
  const malformedFacts = {
    accountId: 'default',
    amazonOrderId: ID,
    code: 'order.malformed',
    reason: `Amazon order ${ID} is malformed: orderItems[0] has neither sellerSku nor asin`,
    hint: 'Dockhand skipped this order. Check it in Seller Central; it is retried automatically when Amazon updates it.',
  };
  const marketplaceFacts = {
    accountId: 'default',
    amazonOrderId: ID,
    code: 'order.unknown_marketplace',
    reason: `Amazon order ${ID} is from marketplace A2EUQ1WTGCTBG2, which account default does not sync (ATVPDKIKX0DER)`,
    hint: 'Add A2EUQ1WTGCTBG2 to the marketplaceIds of account default in the config if Dockhand should sync it.',
  };

  it.each<[string, Record<string, string>, string[], string[], string[]]>([
    ['a malformed order Amazon must correct: no Retry, says what clears it', malformedFacts, ['show_order'], ['Amazon must correct this order', 'imports it automatically when Amazon updates it'], ['press Retry']],
    [
      'an unknown marketplace: Retry, after the config names it and Dockhand restarts',
      marketplaceFacts,
      ['retry_order', 'show_order'],
      ['Add A2EUQ1WTGCTBG2 to the marketplaceIds of account default', 'restart Dockhand, then press Retry'],
      [],
    ],
    ['ShipStation refused it: Retry after the fix the hint names', quarantinedAlert.facts, ['retry_order', 'show_order'], ['Check the store ID'], ['restart']],
  ])('%s', (_name, facts, expectedButtons, present, absent) => {
    const msg = alertMessage(alert({ key: `quarantine:default:${ID}`, kind: 'quarantined_order', facts }), CTX);
    expect(blockKitProblems(msg)).toEqual([]);
    expect(buttons(msg).map((b) => b.action_id)).toEqual(expectedButtons);
    const t = allText(msg);
    for (const p of present) expect(t).toContain(p);
    for (const p of absent) expect(t).not.toContain(p);
  });

  it('keeps Retry all on a burst and says the orders only Amazon can correct are skipped', () => {
    const [retryAll] = buttons(alertMessage(burstAlert, CTX));
    expect(retryAll.action_id).toBe('retry_all');
    expect(retryAll.confirm.text.text).toBe('Send 12 quarantined orders to ShipStation again? Orders only Amazon can correct are skipped: they come in when Amazon updates them.');
  });

  it('lists every order, with Retry on those a retry can help, and Retry all counting only them', () => {
    const entries = [
      quarantineEntry(1),
      quarantineEntry(2, { code: 'order.malformed', reason: malformedFacts.reason, hint: malformedFacts.hint }),
      quarantineEntry(3, { code: 'order.unknown_marketplace', reason: marketplaceFacts.reason, hint: marketplaceFacts.hint }),
      quarantineEntry(4, { code: 'order.malformed', reason: 'no address', hint: malformedFacts.hint }),
    ];
    const msg = quarantineList(entries);
    expect(blockKitProblems(msg)).toEqual([]);
    const bs = buttons(msg);
    expect(bs.map((b) => b.action_id)).toEqual(['retry_order:default:111-0000000-0000001', 'retry_order:default:111-0000000-0000003', 'retry_all:list']);
    expect(bs[2].text.text).toBe('Retry all 2');
    expect(bs[2].confirm.text.text).toBe('Send 2 quarantined orders to ShipStation again?');
    const t = allText(msg);
    expect(t).toContain('2 orders only Amazon can correct: no Retry, and Retry all skips them. Dockhand imports them automatically when Amazon updates them.');
    expect(msg.text).toBe('4 orders in quarantine');
  });

  it('offers no Retry all when only Amazon can correct what is in quarantine', () => {
    const msg = quarantineList([quarantineEntry(1, { code: 'order.malformed', hint: malformedFacts.hint })]);
    expect(buttons(msg)).toEqual([]);
    expect(allText(msg)).toContain('1 order only Amazon can correct: no Retry, and Retry all skips it.');
  });

  it('gives the order timeline of a malformed order no Retry, and says what clears it', () => {
    const msg = orderTimeline({ amazonOrderId: ID, quarantine: quarantineEntry(1, { amazonOrderId: ID, code: 'order.malformed', hint: malformedFacts.hint }), audit: [], alerts: [], confirmations: [] }, CTX);
    expect(buttons(msg)).toEqual([]);
    expect(blockKitProblems(msg)).toEqual([]);
    expect(allText(msg)).toContain('Amazon must correct this order');
  });
});
