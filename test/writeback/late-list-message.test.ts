import { describe, expect, it } from 'vitest';
import { parseButtonValue } from '../../src/domain/block-kit';
import { lateList } from '../../src/writeback/late-list-message';
import { allText, buttons, NOW, CTX, atRisk, many, describeValidBlockKit } from '../support/slack-messages';

describeValidBlockKit([
  ['late list, 200 in every group', lateList(many(200, (i) => ({ minutesLeft: [-30, 30, 120, 600, undefined][i % 5] })), NOW, CTX)],
  ['late list, empty', lateList([], NOW, CTX)],
]);

describe('lateList', () => {
  it('groups late / under 1 h / under 4 h / later, keeping Prime first in each group', () => {
    const orders = [
      atRisk(1, { isPrime: true, minutesLeft: -10 }),
      atRisk(2, { isPrime: true, minutesLeft: 30 }),
      atRisk(3, { isPrime: true, minutesLeft: 600 }),
      atRisk(4, { minutesLeft: -40 }),
      atRisk(5, { minutesLeft: 59 }),
      atRisk(6, { minutesLeft: 60 }),
      atRisk(7, { minutesLeft: 239 }),
      atRisk(8, { minutesLeft: 240 }),
    ];
    const msg = lateList(orders, NOW, CTX);
    const t = allText(msg);
    const seq = ['*:rotating_light: Late* (2)', '0000001', '0000004', '*:alarm_clock: Under 1 h* (2)', '0000002', '0000005', '*:hourglass_flowing_sand: Under 4 h* (2)', '0000006', '0000007', '*Later* (2)', '0000003', '0000008'];
    const pos = seq.map((x) => t.indexOf(x));
    expect(pos.every((p) => p >= 0)).toBe(true);
    expect([...pos].sort((a, b) => a - b)).toEqual(pos);
    expect(t).not.toContain('Ship-by unknown');
    expect(msg.text).toBe('8 orders at risk, 2 late (3 Prime)');
    const [retry, priority] = buttons(msg);
    expect(retry.action_id).toBe('retry_sync:default:112-0000000-0000001');
    expect(parseButtonValue(priority.value)).toEqual({ key: 'late:default:112-0000000-0000001', version: NOW.toISOString(), accountId: 'default', amazonOrderId: '112-0000000-0000001', shipstationOrderId: 500001 });
  });

  it('shows the 20 most urgent of 200 and counts the rest per group', () => {
    const msg = lateList(many(200, (i) => ({ minutesLeft: i < 150 ? -i - 1 : 500 })), NOW, CTX);
    expect(msg.blocks.length).toBeLessThanOrEqual(50);
    const t = allText(msg);
    expect(t).toContain('*:rotating_light: Late* (150)');
    expect(t).not.toContain('*Later*');
    expect(t).toContain('…and 180 more, less urgent');
    expect(buttons(msg).filter((b) => b.action_id.startsWith('mark_priority:'))).toHaveLength(20);
  });

  it('says so when nothing is at risk', () => {
    const msg = lateList([], NOW, CTX);
    expect(msg.text).toBe('No orders at risk');
    expect(buttons(msg)).toEqual([]);
  });
});
