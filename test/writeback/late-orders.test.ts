import { describe, expect, it } from 'vitest';
import type { AtRiskOrder } from '../../src/writeback/deadline-alert';
import { Store } from '../../src/store/store';
import { formatDuration, formatLateOrders, groupLateOrders, lateOrders, timeLeft } from '../../src/writeback/late-orders';

const NOW = new Date('2026-11-28T16:00:00Z');
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000).toISOString();
const order = (id: string, minutesLeft: number | undefined, over: Partial<AtRiskOrder> = {}): AtRiskOrder => ({
  accountId: 'us',
  amazonOrderId: id,
  isPrime: false,
  ...(minutesLeft !== undefined ? { minutesLeft, shipByLatest: at(minutesLeft) } : {}),
  ...over,
});

describe('formatDuration', () => {
  it.each<[number, string]>([
    [0, '0 min'],
    [45, '45 min'],
    [60, '1 h'],
    [90, '1 h 30 min'],
    [239, '3 h 59 min'],
    [240, '4 h'],
    [1440, '1 d'],
    [1440 + 185, '1 d 3 h'],
  ])('%d minutes: %s', (m, text) => {
    expect(formatDuration(m)).toBe(text);
  });
});

describe('timeLeft', () => {
  it.each<[number | undefined, string]>([
    [239.9, '3 h 59 min left'], // a Prime order 3h59m54s before ship-by: never rounded up to 4 h
    [1, '1 min left'],
    [0, 'due now'],
    [-24.5, 'late by 25 min'],
    [-125, 'late by 2 h 5 min'],
    [240, '4 h left'],
    [59, '59 min left'],
    [0.5, 'due now'],
    [-0.5, 'late by 1 min'],
    [-25, 'late by 25 min'],
    [-1500, 'late by 1 d 1 h'],
    [undefined, 'ship-by unknown'],
    [Number.NaN, 'ship-by unknown'],
  ])('%s minutes: %s', (minutes, expected) => {
    expect(timeLeft(minutes)).toBe(expected);
  });
});

describe('groupLateOrders', () => {
  it('puts each order in its urgency group, keeps the given order inside a group and leaves empty groups out', () => {
    const orders = [order('P', 30, { isPrime: true }), order('L', -20), order('A', 59), order('B', 60), order('C', 239), order('U', undefined)];
    expect(groupLateOrders(orders).map((g) => [g.group, g.orders.map((o) => o.amazonOrderId)])).toEqual([
      ['late', ['L']],
      ['under_1h', ['P', 'A']],
      ['under_4h', ['B', 'C']],
      ['unknown', ['U']],
    ]);
  });
});

describe('formatLateOrders', () => {
  it('says so when nothing is at risk', () => {
    expect(formatLateOrders([])).toEqual(['no orders at risk of missing their ship-by date']);
  });

  it('lists each order under its group with account, Prime, ship-by, time left and its ShipStation order', () => {
    const text = formatLateOrders([order('111-1', 30, { isPrime: true, shipstationOrderId: 42 }), order('111-2', -20)]).join('\n');
    expect(text).toMatch(/^Late \(1\)\n {2}111-2 {2}\[us\] {2}ship by 2026-11-28 15:40 UTC {2}late by 20 min {2}not in ShipStation\nUnder 1 h \(1\)\n {2}111-1 {2}\[us\] {2}Prime {2}ship by 2026-11-28 16:30 UTC {2}30 min left {2}ShipStation order 42\n/);
    expect(text).toMatch(/2 order\(s\) at risk, 1 late, 1 Prime/);
  });
});

describe('lateOrders', () => {
  it('lists the sent, unconfirmed orders within the longest lead time or late, Prime first', async () => {
    const store = await Store.open({ memory: true });
    const put = (id: string, minutes: number, over: Record<string, unknown> = {}) =>
      store.orders.set(`us:${id}`, {
        accountId: 'us',
        amazonOrderId: id,
        orderKey: `dockhand:us:${id}`,
        state: 'sent',
        amazonStatus: 'unshipped',
        lastUpdatedTime: at(-600),
        firstSeenAt: at(-600),
        unmappedSkus: [],
        isPrime: false,
        shipByLatest: at(minutes),
        shipstationOrderId: 7,
        items: [{ orderItemId: `${id}-1`, quantityOrdered: 1 }],
        ...over,
      });
    await put('far', 600);
    await put('soon', 200);
    await put('prime', 230, { isPrime: true });
    await put('late', -5);
    await put('shipped', -5, { amazonStatus: 'shipped' });
    await put('held', 10, { state: 'held' });
    const list = await lateOrders(store, NOW, [240, 60]);
    expect(list.map((o) => o.amazonOrderId)).toEqual(['prime', 'late', 'soon']);
    await store.close();
  });
});
