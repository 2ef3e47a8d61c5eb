import { describe, expect, it } from 'vitest';
import { actionPattern, ACTIONS, parseButtonValue } from '../../src/domain/block-kit';
import { quarantineList } from '../../src/sync/quarantine-list-message';
import { allText, buttons, quarantineEntry, describeValidBlockKit } from '../support/slack-messages';

const many = Array.from({ length: 75 }, (_, i) => quarantineEntry(i));
const longReason = quarantineEntry(1, { reason: 'x'.repeat(5000), hint: 'y'.repeat(5000) });

describeValidBlockKit([
  ['quarantine list, empty', quarantineList([])],
  ['quarantine list, 75', quarantineList(many)],
  ['quarantine list, huge reason', quarantineList([longReason])],
]);

describe('quarantineList', () => {
  it('gives each entry a Retry button with a unique action id and the order in its value', () => {
    const msg = quarantineList([quarantineEntry(2), quarantineEntry(1)]);
    const bs = buttons(msg);
    expect(bs.map((b) => b.action_id)).toEqual(['retry_order:default:111-0000000-0000001', 'retry_order:default:111-0000000-0000002', 'retry_all:list']);
    expect(bs.every((b) => actionPattern(ACTIONS.retryOrder).test(b.action_id) || actionPattern(ACTIONS.retryAll).test(b.action_id))).toBe(true);
    expect(parseButtonValue(bs[0].value)).toEqual({ key: 'quarantine:default:111-0000000-0000001', version: quarantineEntry(1).at, accountId: 'default', amazonOrderId: '111-0000000-0000001' });
    expect(bs[2].text.text).toBe('Retry all 2');
    expect(bs[2].confirm.text.text).toBe('Send all 2 quarantined orders to ShipStation again?');
    expect(msg.text).toBe('2 orders in quarantine');
  });

  it('shows 20 and says how many more, keeping Retry all', () => {
    const msg = quarantineList(Array.from({ length: 23 }, (_, i) => quarantineEntry(i)));
    expect(buttons(msg)).toHaveLength(21);
    expect(allText(msg)).toContain('…and 3 more (`dockhand quarantine` in the CLI shows all)');
  });

  it('says so when empty, with no buttons', () => {
    const msg = quarantineList([]);
    expect(buttons(msg)).toEqual([]);
    expect(msg.text).toBe('No orders in quarantine');
  });
});
