import { describe, expect, it } from 'vitest';
import { assessDeadlines, type DeadlineOrder } from '../../src/writeback/deadline';

const NOW = new Date('2026-11-28T16:00:00Z');
const at = (minutesFromNow: number, seconds = 0) => new Date(NOW.getTime() + minutesFromNow * 60_000 + seconds * 1000).toISOString();

function order(id: string, over: Partial<DeadlineOrder> = {}): DeadlineOrder {
  return {
    accountId: 'us',
    amazonOrderId: id,
    shipByLatest: at(600),
    isPrime: false,
    status: 'unshipped',
    confirmed: false,
    cancelRequested: false,
    ...over,
  };
}

const nothingSent = () => false;

describe('assessDeadlines: one order at a time', () => {
  type Case = [name: string, o: DeadlineOrder, sent: string[], expected: { lead?: number; late?: boolean; keys: string[]; minutesLeft?: number }];
  it.each<Case>([
    ['10 h left: nothing yet', order('A'), [], { keys: [] }],
    ['4 h 1 min left: nothing yet', order('A', { shipByLatest: at(241) }), [], { keys: [] }],
    ['exactly 4 h left: the 4 h alert', order('A', { shipByLatest: at(240) }), [], { lead: 240, minutesLeft: 240, keys: ['deadline:us:A:240'] }],
    ['a Prime order 3 h 59 min before ship-by', order('A', { isPrime: true, shipByLatest: at(239) }), [], { lead: 240, minutesLeft: 239, keys: ['deadline:us:A:240'] }],
    ['3 h 59 min 59 s rounds down to 239 min', order('A', { shipByLatest: at(239, 59) }), [], { lead: 240, minutesLeft: 239, keys: ['deadline:us:A:240'] }],
    ['61 min left, 4 h alert already sent: nothing', order('A', { shipByLatest: at(61) }), ['deadline:us:A:240'], { keys: [] }],
    ['59 min left after the 4 h alert: the 1 h alert', order('A', { shipByLatest: at(59) }), ['deadline:us:A:240'], { lead: 60, minutesLeft: 59, keys: ['deadline:us:A:60'] }],
    [
      'crossed both lead times since the last run: only the 1 h group, both keys',
      order('A', { shipByLatest: at(59) }),
      [],
      { lead: 60, minutesLeft: 59, keys: ['deadline:us:A:60', 'deadline:us:A:240'] },
    ],
    ['restart: the 1 h alert was already sent', order('A', { shipByLatest: at(30) }), ['deadline:us:A:240', 'deadline:us:A:60'], { keys: [] }],
    ['30 s left: still an escalation, not late', order('A', { shipByLatest: at(0, 30) }), ['deadline:us:A:240', 'deadline:us:A:60'], { keys: [] }],
    ['30 s left, never alerted', order('A', { shipByLatest: at(0, 30) }), [], { lead: 60, minutesLeft: 0, keys: ['deadline:us:A:60', 'deadline:us:A:240'] }],
    ['0 min left: late', order('A', { shipByLatest: at(0) }), [], { late: true, minutesLeft: 0, keys: ['late:us:A'] }],
    ['past due', order('A', { shipByLatest: at(-125) }), ['deadline:us:A:240', 'deadline:us:A:60'], { late: true, minutesLeft: -125, keys: ['late:us:A'] }],
    ['30 s past due reads as late by 1 min', order('A', { shipByLatest: at(0, -30) }), [], { late: true, minutesLeft: -1, keys: ['late:us:A'] }],
    ['past due, already reported', order('A', { shipByLatest: at(-125) }), ['late:us:A'], { keys: [] }],
    ['partially shipped counts as open', order('A', { status: 'partially_shipped', shipByLatest: at(30) }), [], { lead: 60, minutesLeft: 30, keys: ['deadline:us:A:60', 'deadline:us:A:240'] }],
    ['confirmed: ignored', order('A', { confirmed: true, shipByLatest: at(-10) }), [], { keys: [] }],
    ['shipped: ignored', order('A', { status: 'shipped', shipByLatest: at(-10) }), [], { keys: [] }],
    ['cancelled: ignored', order('A', { status: 'cancelled', shipByLatest: at(30) }), [], { keys: [] }],
    ['pending: ignored', order('A', { status: 'pending', shipByLatest: at(30) }), [], { keys: [] }],
    ['unfulfillable: ignored', order('A', { status: 'unfulfillable', shipByLatest: at(30) }), [], { keys: [] }],
    ['no ship-by date: ignored', order('A', { shipByLatest: undefined }), [], { keys: [] }],
    ['an unreadable ship-by date: ignored', order('A', { shipByLatest: 'next week' }), [], { keys: [] }],
    ['ship-by with an offset', order('A', { shipByLatest: '2026-11-28T08:30:00-08:00' }), [], { lead: 60, minutesLeft: 30, keys: ['deadline:us:A:60', 'deadline:us:A:240'] }],
  ])('%s', (_name, o, sent, expected) => {
    const report = assessDeadlines({ orders: [o], alreadySent: (k) => sent.includes(k), now: NOW });
    expect(report.keys).toEqual(expected.keys);
    const escalated = report.escalations.flatMap((g) => g.orders.map((r) => ({ lead: g.leadMinutes, r })));
    if (expected.lead !== undefined) {
      expect(escalated).toHaveLength(1);
      expect(escalated[0]!.lead).toBe(expected.lead);
      expect(escalated[0]!.r.minutesLeft).toBe(expected.minutesLeft);
    } else {
      expect(escalated).toEqual([]);
    }
    if (expected.late) {
      expect(report.late).toHaveLength(1);
      expect(report.late[0]!.minutesLeft).toBe(expected.minutesLeft);
    } else {
      expect(report.late).toEqual([]);
    }
  });
});

describe('assessDeadlines: a whole pass', () => {
  it('groups by lead time, tightest first, Prime first then least time left', () => {
    const report = assessDeadlines({
      orders: [
        order('N-200', { shipByLatest: at(200) }),
        order('P-230', { shipByLatest: at(230), isPrime: true, shipstationOrderId: 9001 }),
        order('N-45', { shipByLatest: at(45) }),
        order('P-50', { shipByLatest: at(50), isPrime: true }),
        order('N-10', { shipByLatest: at(10) }),
        order('N-far', { shipByLatest: at(900) }),
        order('N-late', { shipByLatest: at(-20) }),
        order('P-late', { shipByLatest: at(-5), isPrime: true }),
        order('N-later', { shipByLatest: at(-300) }),
      ],
      alreadySent: nothingSent,
      now: NOW,
    });
    expect(report.escalations.map((g) => [g.leadMinutes, g.orders.map((o) => o.amazonOrderId)])).toEqual([
      [60, ['P-50', 'N-10', 'N-45']],
      [240, ['P-230', 'N-200']],
    ]);
    expect(report.late.map((o) => o.amazonOrderId)).toEqual(['P-late', 'N-later', 'N-late']);
    expect(report.escalations[1]!.orders[0]).toEqual({
      accountId: 'us',
      amazonOrderId: 'P-230',
      isPrime: true,
      shipByLatest: at(230),
      minutesLeft: 230,
      cancelRequested: false,
      shipstationOrderId: 9001,
    });
    expect(report.keys).toEqual([
      'deadline:us:P-50:60',
      'deadline:us:P-50:240',
      'deadline:us:N-10:60',
      'deadline:us:N-10:240',
      'deadline:us:N-45:60',
      'deadline:us:N-45:240',
      'deadline:us:P-230:240',
      'deadline:us:N-200:240',
      'late:us:P-late',
      'late:us:N-later',
      'late:us:N-late',
    ]);
  });

  it('reports nothing on a second pass once the keys are marked', () => {
    const orders = [order('A', { shipByLatest: at(59) }), order('B', { shipByLatest: at(-1) }), order('C', { cancelRequested: true })];
    const sent = new Set<string>();
    const first = assessDeadlines({ orders, alreadySent: (k) => sent.has(k), now: NOW });
    for (const k of first.keys) sent.add(k);
    const second = assessDeadlines({ orders, alreadySent: (k) => sent.has(k), now: NOW });
    expect(first.keys).toHaveLength(4);
    expect(second).toEqual({ escalations: [], late: [], cancelRequests: [], keys: [] });
  });

  it('keeps accounts apart and the same order listed twice alerts once', () => {
    const report = assessDeadlines({
      orders: [
        order('A', { shipByLatest: at(30) }),
        order('A', { shipByLatest: at(30) }),
        order('A', { accountId: 'uk', shipByLatest: at(30) }),
      ],
      alreadySent: nothingSent,
      now: NOW,
    });
    expect(report.escalations).toHaveLength(1);
    expect(report.escalations[0]!.orders.map((o) => `${o.accountId}:${o.amazonOrderId}`)).toEqual(['uk:A', 'us:A']);
    expect(new Set(report.keys).size).toBe(report.keys.length);
  });

  it('honours custom lead times, ignoring nonsense and duplicates', () => {
    const report = assessDeadlines({
      orders: [order('A', { shipByLatest: at(100) }), order('B', { shipByLatest: at(20) })],
      leadTimesMinutes: [120, 30, 120, 0, -5, Number.NaN],
      alreadySent: nothingSent,
      now: NOW,
    });
    expect(report.escalations.map((g) => [g.leadMinutes, g.orders.map((o) => o.amazonOrderId)])).toEqual([
      [30, ['B']],
      [120, ['A']],
    ]);
    expect(report.keys).toEqual(['deadline:us:B:30', 'deadline:us:B:120', 'deadline:us:A:120']);
  });

  it('with no lead times only late orders are reported', () => {
    const report = assessDeadlines({
      orders: [order('A', { shipByLatest: at(5) }), order('B', { shipByLatest: at(-5) })],
      leadTimesMinutes: [],
      alreadySent: nothingSent,
      now: NOW,
    });
    expect(report.escalations).toEqual([]);
    expect(report.late.map((o) => o.amazonOrderId)).toEqual(['B']);
  });
});

describe('assessDeadlines: cancellation requests', () => {
  it('reports open orders whose buyer asked to cancel, Prime first, then least time left', () => {
    const report = assessDeadlines({
      orders: [
        order('no-date', { cancelRequested: true, shipByLatest: undefined }),
        order('N-300', { cancelRequested: true, shipByLatest: at(300) }),
        order('N-100', { cancelRequested: true, shipByLatest: at(100) }),
        order('P-500', { cancelRequested: true, shipByLatest: at(500), isPrime: true }),
        order('shipped', { cancelRequested: true, status: 'shipped' }),
        order('cancelled', { cancelRequested: true, status: 'cancelled' }),
        order('pending', { cancelRequested: true, status: 'pending' }),
        order('confirmed', { cancelRequested: true, confirmed: true }),
        order('reported', { cancelRequested: true }),
      ],
      alreadySent: (k) => k === 'cancelreq:us:reported',
      now: NOW,
    });
    expect(report.cancelRequests.map((o) => o.amazonOrderId)).toEqual(['P-500', 'N-100', 'N-300', 'no-date']);
    expect(report.cancelRequests[3]).toEqual({ accountId: 'us', amazonOrderId: 'no-date', isPrime: false });
    expect(report.cancelRequests[1]).toMatchObject({ shipByLatest: at(100), minutesLeft: 100 });
    expect(report.keys).toEqual([
      'deadline:us:N-100:240',
      'cancelreq:us:P-500',
      'cancelreq:us:N-100',
      'cancelreq:us:N-300',
      'cancelreq:us:no-date',
    ]);
  });

  it('still escalates the deadline of an order with a cancel request, flagged', () => {
    const report = assessDeadlines({
      orders: [order('A', { cancelRequested: true, shipByLatest: at(30) })],
      alreadySent: nothingSent,
      now: NOW,
    });
    expect(report.escalations[0]!.orders[0]).toMatchObject({ amazonOrderId: 'A', cancelRequested: true });
    expect(report.cancelRequests.map((o) => o.amazonOrderId)).toEqual(['A']);
  });
});
