import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger';
import { backoffMs, createAlertManager, type AlertManager, type AlertMessage } from '../../src/slack/alerts';
import { quarantinedOrderProblem } from '../../src/sync/quarantine-alert';
import { syncFailedProblem } from '../../src/sync/sync-failed-alert';
import { unmappedSkuProblem } from '../../src/sync/unmapped-sku-alert';
import { deadlineProblem, escalationKey, type AtRiskOrder } from '../../src/writeback/deadline-alert';
import { writebackProblem, writebackResolved, type WritebackNotice } from '../../src/writeback/writeback-alert';
import { Store } from '../../src/store/store';
import { refusedConfirmation } from '../support/writeback-notice';

/** A hand-driven clock: timers fire only when the test advances time. */
function fakeClock(start = Date.parse('2026-03-02T10:00:00Z')) {
  let t = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => new Date(t),
    timers: {
      set(fn: () => void, ms: number) {
        const id = ++seq;
        timers.set(id, { at: t + ms, fn });
        return id;
      },
      clear(h: unknown) {
        timers.delete(h as number);
      },
    },
    /** Moves time on by `ms`, firing due timers in order and letting the manager finish each step. */
    async advance(ms: number, alerts: AlertManager) {
      const end = t + ms;
      await alerts.flush();
      for (;;) {
        const next = [...timers.entries()].sort((a, b) => a[1].at - b[1].at)[0];
        if (!next || next[1].at > end) break;
        timers.delete(next[0]);
        t = Math.max(t, next[1].at);
        next[1].fn();
        await alerts.flush();
      }
      t = end;
      await alerts.flush();
    },
  };
}

/** A fake Slack Web API: messages by ts, with an outage switch and queued 429s. */
function fakeSlack() {
  const messages = new Map<string, { channel: string; msg: AlertMessage; updates: number; postedAt: number }>();
  /** Every call Slack answered, in order: `post <ts>` or `update <ts>`. */
  const calls: string[] = [];
  let n = 0;
  const state = { down: false, rateLimitOnce: undefined as number | undefined, clock: () => 0 };
  const fail = () => {
    if (state.down) throw new Error('getaddrinfo ENOTFOUND slack.com');
    if (state.rateLimitOnce !== undefined) {
      const retryAfter = state.rateLimitOnce;
      state.rateLimitOnce = undefined;
      throw Object.assign(new Error('rate limited'), { retryAfter });
    }
  };
  return {
    state,
    messages,
    calls,
    texts: () => [...messages.values()].map((m) => JSON.stringify(m.msg)),
    post: async (channel: string, msg: AlertMessage) => {
      fail();
      const ts = `1700000000.${String(++n).padStart(6, '0')}`;
      messages.set(ts, { channel, msg, updates: 0, postedAt: state.clock() });
      calls.push(`post ${ts}`);
      return { ts };
    },
    update: async (channel: string, ts: string, msg: AlertMessage) => {
      fail();
      const m = messages.get(ts);
      if (!m || m.channel !== channel) throw new Error('message_not_found');
      m.msg = msg;
      m.updates++;
      calls.push(`update ${ts}`);
    },
  };
}

const notice = (id: string, account = 'default') => ({ accountId: account, amazonOrderId: id, code: 'order.malformed', reason: 'no shipping address', hint: 'Fix it on Amazon, then press Retry' });
const orderId = (i: number) => `111-${String(i).padStart(7, '0')}-0000001`;
const posts = (n: number) => Array.from({ length: n }, () => 'post');

describe('alert manager', () => {
  let store: Store;
  let alerts: AlertManager | undefined;
  afterEach(async () => {
    alerts?.stop();
    await store?.close();
  });

  async function setup(opts: { store?: Store; mayDrain?: () => Promise<boolean> } = {}) {
    store = opts.store ?? (await Store.open({ memory: true }));
    const clock = fakeClock();
    const slack = fakeSlack();
    slack.state.clock = () => clock.now().getTime();
    alerts = createAlertManager({ store, post: slack.post, update: slack.update, channels: { alerts: 'C0ALERTS' }, now: clock.now, logger: silentLogger, timers: clock.timers, ...(opts.mayDrain ? { mayDrain: opts.mayDrain } : {}) });
    return { clock, slack, alerts };
  }

  it('keeps one message for an order quarantined twice, updated in place', async () => {
    const { clock, slack, alerts } = await setup();
    alerts.raise(quarantinedOrderProblem(notice(orderId(1))));
    await clock.advance(5_000, alerts);
    alerts.raise(quarantinedOrderProblem({ ...notice(orderId(1)), reason: 'still no shipping address' }));
    await clock.advance(5_000, alerts);
    expect(slack.messages.size).toBe(1);
    const [m] = [...slack.messages.values()];
    expect(m!.channel).toBe('C0ALERTS');
    expect(m!.updates).toBe(1);
    expect(JSON.stringify(m!.msg)).toContain(orderId(1));
    const record = await alerts.get(`quarantine:default:${orderId(1)}`);
    expect(record).toMatchObject({ count: 2, state: 'open', facts: { reason: 'still no shipping address' } });
  });

  it('collapses 500 quarantines in a minute into one burst alert', async () => {
    const { clock, slack, alerts } = await setup();
    for (let i = 0; i < 500; i++) alerts.raise(quarantinedOrderProblem(notice(orderId(i))));
    await clock.advance(60_000, alerts);
    expect(slack.messages.size).toBe(1);
    const burst = await alerts.get('quarantine_burst:default');
    expect(burst).toMatchObject({ kind: 'quarantine_burst', count: 500, state: 'open' });
    expect(burst!.ts).toBe([...slack.messages.keys()][0]);
    expect(await alerts.get(`quarantine:default:${orderId(3)}`)).toBeUndefined();
  });

  it.each([
    ['below the threshold', 5, 0],
    ['a burst starting within the batch', 60, 0],
    ['a batch joining a burst under way', 30, 40],
    ['a burst whose window ends within the batch', 30, 0, 61_000],
  ] as Array<[string, number, number, number?]>)('raises a batch as raising each in turn would: %s', async (_what, batch, before, gapMs) => {
    const outcome = async (together: boolean) => {
      const { clock, alerts } = await setup();
      for (let i = 0; i < before; i++) await alerts.raise(quarantinedOrderProblem(notice(orderId(i))));
      await clock.advance(1_000, alerts);
      const ps = Array.from({ length: batch }, (_, i) => quarantinedOrderProblem(notice(orderId(before + i))));
      if (gapMs) {
        for (const p of ps.slice(0, 25)) await alerts.raise(p);
        await clock.advance(gapMs, alerts);
      }
      const rest = gapMs ? ps.slice(25) : ps;
      if (together) await alerts.raiseAll!(rest);
      else for (const p of rest) await alerts.raise(p);
      await clock.advance(120_000, alerts);
      const burst = await alerts.get('quarantine_burst:default');
      const singles = (await Promise.all(Array.from({ length: before + batch }, (_, i) => alerts.get(`quarantine:default:${orderId(i)}`)))).filter((r) => r !== undefined).length;
      const result = { burst: burst && { count: burst.count, orderIds: burst.facts.orderIds }, singles };
      alerts.stop();
      await store.close();
      return result;
    };
    const oneByOne = await outcome(false);
    const together = await outcome(true);
    expect(together.burst).toEqual(oneByOne.burst);
    // One by one, the first may reach Slack on its own before the burst begins and keep its message;
    // a batch is recorded before the drain sees any of it, so nothing more is posted on its own.
    expect(together.singles).toBeLessThanOrEqual(oneByOne.singles);
    expect(together.singles + (together.burst?.count ?? 0)).toBeGreaterThanOrEqual(before + batch);
  });

  it('posts quarantines one by one below the burst threshold, paced at one a second', async () => {
    const { clock, slack, alerts } = await setup();
    for (let i = 0; i < 5; i++) alerts.raise(quarantinedOrderProblem(notice(orderId(i))));
    await clock.advance(2_500, alerts);
    expect(slack.messages.size).toBe(3);
    await clock.advance(10_000, alerts);
    expect(slack.messages.size).toBe(5);
    const times = [...slack.messages.values()].map((m) => m.postedAt);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1_000);
  });

  it('returns at once and loses nothing while Slack is down, then posts when it is back', async () => {
    const { clock, slack, alerts } = await setup();
    slack.state.down = true;
    alerts.raise(syncFailedProblem({ accountId: 'default', code: 'amazon.unreachable', message: 'SP-API did not answer', hint: 'Nothing to do: it retries' }));
    alerts.raise(unmappedSkuProblem({ accountId: 'default', amazonSku: 'BLUE-MUG', amazonOrderId: orderId(7) }));
    await clock.advance(10 * 60_000, alerts);
    expect(slack.messages.size).toBe(0);
    expect((await alerts.get('sync:default'))?.ts).toBeUndefined();
    expect(await alerts.get('unmapped:BLUE-MUG')).toMatchObject({ state: 'open', count: 1 });

    slack.state.down = false;
    // Backoff is capped, so the next attempt comes within the cap.
    await clock.advance(6 * 60_000, alerts);
    expect(slack.messages.size).toBe(2);
    expect(slack.texts().join()).toContain('BLUE-MUG');
  });

  it('waits as long as a 429 Retry-After says', async () => {
    const { clock, slack, alerts } = await setup();
    slack.state.rateLimitOnce = 30;
    alerts.raise(quarantinedOrderProblem(notice(orderId(1))));
    await clock.advance(29_000, alerts);
    expect(slack.messages.size).toBe(0);
    await clock.advance(2_000, alerts);
    expect(slack.messages.size).toBe(1);
  });

  it('edits the message when the problem is resolved, and posts a new one if it comes back', async () => {
    const { clock, slack, alerts } = await setup();
    alerts.raise(quarantinedOrderProblem(notice(orderId(1))));
    await clock.advance(2_000, alerts);
    alerts.markResolved(`quarantine:default:${orderId(1)}`, 'Retried by <@U123>: sent', 'U123');
    await clock.advance(2_000, alerts);
    expect(slack.messages.size).toBe(1);
    expect([...slack.messages.values()][0]!.updates).toBe(1);
    expect(await alerts.get(`quarantine:default:${orderId(1)}`)).toMatchObject({ state: 'resolved', lastActor: 'U123' });

    alerts.raise(quarantinedOrderProblem(notice(orderId(1))));
    await clock.advance(2_000, alerts);
    expect(slack.messages.size).toBe(2);
  });

  it('posts alerts an earlier run stored but never sent', async () => {
    const first = await setup();
    first.slack.state.down = true;
    first.alerts.raise(quarantinedOrderProblem(notice(orderId(9))));
    await first.clock.advance(1_000, first.alerts);
    first.alerts.stop();

    const second = await setup({ store });
    await second.clock.advance(2_000, second.alerts);
    expect(second.slack.messages.size).toBe(1);
    expect(second.slack.texts()[0]).toContain(orderId(9));
  });

  it('leaves the outbox to the replica that drains it, and posts once this one may', async () => {
    let mine = false;
    const { clock, slack, alerts } = await setup({ mayDrain: async () => mine });
    await alerts.raise(quarantinedOrderProblem(notice(orderId(1))));
    await clock.advance(10_000, alerts);
    expect(slack.messages.size).toBe(0);
    expect(await store.outbox.get(`quarantine:default:${orderId(1)}`)).toMatchObject({ state: 'open' });
    mine = true;
    await clock.advance(3_000, alerts);
    expect(slack.messages.size).toBe(1);
    expect(await store.outbox.get(`quarantine:default:${orderId(1)}`)).toBeUndefined();
  });

  const keyOf = (i: number) => `quarantine:default:${orderId(i)}`;
  it.each([
    // [what happens to messages 1 and 2 while 8 new problems wait to be posted, the Slack calls that follow, in order]
    ['a note of who pressed a button goes before the posts queued ahead of it', (a: AlertManager) => a.noteAction(keyOf(1), 'U1', 'pressed Retry'), ['update 1', ...posts(8)]],
    ['a fix by someone goes first too', (a: AlertManager) => a.markResolved(keyOf(1), 'mapped the SKU', 'U1'), ['update 1', ...posts(8)]],
    ['a change raised as awaited goes first', (a: AlertManager) => a.raise({ ...quarantinedOrderProblem(notice(orderId(1))), awaited: true }), ['update 1', ...posts(8)]],
    ['a change nobody waits for keeps its turn', (a: AlertManager) => a.raise(quarantinedOrderProblem(notice(orderId(1)))), [...posts(8), 'update 1']],
    [
      'an edit already queued moves up when someone acts on it',
      async (a: AlertManager) => {
        await a.raise(quarantinedOrderProblem(notice(orderId(1))));
        await a.noteAction(keyOf(1), 'U1', 'pressed Retry');
      },
      ['update 1', ...posts(8)],
    ],
    [
      'earlier clicks first',
      async (a: AlertManager) => {
        await a.noteAction(keyOf(2), 'U2', 'pressed Retry');
        await a.noteAction(keyOf(1), 'U1', 'pressed Retry');
      },
      ['update 2', 'update 1', ...posts(8)],
    ],
  ] as Array<[string, (a: AlertManager) => Promise<void>, string[]]>)('sends what a person waits for first: %s', async (_what, act, expected) => {
    const { clock, slack, alerts } = await setup();
    await alerts.raise(quarantinedOrderProblem(notice(orderId(1))));
    await alerts.raise(quarantinedOrderProblem(notice(orderId(2))));
    await clock.advance(3_000, alerts);
    const [m1, m2] = [...slack.messages.keys()];
    const before = slack.calls.length;
    // Recorded before the drain sends any: the first post goes out at once, the rest at 1 a second.
    slack.state.down = true;
    for (let i = 10; i < 18; i++) await alerts.raise(quarantinedOrderProblem(notice(orderId(i))));
    await act(alerts);
    slack.state.down = false;
    await clock.advance(20_000, alerts);
    const name = (call: string) => (call.endsWith(m1!) ? call.replace(m1!, '1') : call.endsWith(m2!) ? call.replace(m2!, '2') : 'post');
    expect(slack.calls.slice(before).map(name)).toEqual(expected);
    // Once sent, the click is answered: a later change nobody waits for queues behind the rest.
    expect((await alerts.get(keyOf(1)))?.awaited).toBeUndefined();
  });

  const wb = (over: Partial<WritebackNotice> = {}): WritebackNotice => refusedConfirmation({ amazonOrderId: orderId(1), ...over });
  const buttonIds = (msg: AlertMessage) => JSON.stringify(msg.blocks).match(/"action_id":"[^"]+"/g) ?? [];

  it('keeps one message per writeback problem, updated in place, and marks it resolved when the problem goes away', async () => {
    const { clock, slack, alerts } = await setup();
    alerts.raise(writebackProblem(wb()));
    await clock.advance(2_000, alerts);
    alerts.raise(writebackProblem(wb({ message: 'Amazon refused it again', trackingNumber: undefined })));
    await clock.advance(2_000, alerts);
    expect(slack.messages.size).toBe(1);
    const [m] = [...slack.messages.values()];
    expect(m!.channel).toBe('C0ALERTS');
    expect(m!.msg.text).toContain(orderId(1));
    expect(JSON.stringify(m!.msg.blocks)).toContain('Amazon refused it again');
    // The newer notice replaces the facts: no stale tracking number from the first one.
    expect(JSON.stringify(m!.msg.blocks)).not.toContain('1Z999AA10123456784');
    // The notice names no ShipStation order: no Open in ShipStation (`openInShipStation` draws it only for one ShipStation holds).
    expect(buttonIds(m!.msg)).toEqual(['"action_id":"retry_confirmation"', '"action_id":"show_order"']);
    expect(await alerts.get('writeback:shipment:4242')).toMatchObject({ kind: 'writeback_problem', count: 2, state: 'open' });

    alerts.resolve('writeback:shipment:4242', writebackResolved);
    await clock.advance(2_000, alerts);
    expect(slack.messages.size).toBe(1);
    expect(m!.updates).toBe(2);
    expect(m!.msg.text).toMatch(/^Resolved: /);
    expect(JSON.stringify(m!.msg.blocks)).toContain('Resolved: confirmed on Amazon');
    expect(buttonIds(m!.msg)).toEqual([]);
  });

  it('does not overwrite who fixed a writeback problem when the job reports it gone afterwards', async () => {
    const { clock, slack, alerts } = await setup();
    alerts.raise(writebackProblem(wb()));
    await clock.advance(2_000, alerts);
    alerts.markResolved('writeback:shipment:4242', 'pressed Retry — confirmed on Amazon', 'U123');
    alerts.resolve('writeback:shipment:4242', writebackResolved);
    alerts.resolve('writeback:unknown', writebackResolved);
    await clock.advance(5_000, alerts);
    expect(await alerts.get('writeback:shipment:4242')).toMatchObject({ state: 'resolved', lastActor: 'U123' });
    expect(await alerts.get('writeback:unknown')).toBeUndefined();
    expect(slack.texts()[0]).toContain('<@U123> pressed Retry');
  });

  it('posts one message per deadline escalation; the same escalation again edits it', async () => {
    const { clock, slack, alerts } = await setup();
    const order = (i: number, over: Partial<AtRiskOrder> = {}): AtRiskOrder => ({ accountId: 'default', amazonOrderId: orderId(i), isPrime: i === 0, shipByLatest: '2026-03-02T14:00:00Z', minutesLeft: 200 + i, shipstationOrderId: 1000 + i, ...over });
    const at4h = { stage: 'at_risk' as const, leadMinutes: 240, orders: [order(0), order(1), order(2)] };
    alerts.raise(deadlineProblem(at4h)!);
    alerts.raise(deadlineProblem({ stage: 'late', orders: [order(5, { minutesLeft: -25 })] })!);
    // An escalation that names no order is no problem at all: nothing to post.
    expect(deadlineProblem({ stage: 'late', orders: [] })).toBeUndefined();
    await clock.advance(5_000, alerts);
    expect(slack.messages.size).toBe(2);
    const texts = [...slack.messages.values()].map((m) => m.msg.text);
    expect(texts).toEqual(['3 orders ship-by in under 4 h (1 Prime)', '1 order is late']);

    alerts.raise(deadlineProblem(at4h)!);
    await clock.advance(5_000, alerts);
    expect(slack.messages.size).toBe(2);
    expect(await alerts.get(escalationKey(at4h))).toMatchObject({ kind: 'deadline', count: 2 });

    // Same first order and count, another order set: another escalation, another message.
    alerts.raise(deadlineProblem({ ...at4h, orders: [order(0), order(1), order(3)] })!);
    await clock.advance(5_000, alerts);
    expect(slack.messages.size).toBe(3);
  });

  it('posts a 200-order escalation as one message Slack accepts', async () => {
    const { clock, slack, alerts } = await setup();
    const orders = Array.from({ length: 200 }, (_, i): AtRiskOrder => ({ accountId: 'default', amazonOrderId: orderId(i), isPrime: i < 10, shipByLatest: '2026-03-02T14:00:00Z', minutesLeft: -i, shipstationOrderId: i + 1 }));
    alerts.raise(deadlineProblem({ stage: 'late', orders })!);
    await clock.advance(2_000, alerts);
    const [m] = [...slack.messages.values()];
    expect(m!.msg.blocks.length).toBeLessThanOrEqual(50);
    expect(m!.msg.text).toBe('200 orders are late (10 Prime)');
    expect(JSON.stringify(m!.msg.blocks)).toContain('…and 180 more — `/dockhand late`');
  });

  it.each([
    [1, 2_000],
    [2, 4_000],
    [5, 32_000],
    [12, 300_000],
  ])('backs off %i failures → %i ms', (attempt, ms) => {
    expect(backoffMs(attempt, 2_000, 300_000)).toBe(ms);
  });
});
