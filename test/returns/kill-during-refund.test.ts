import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSimulatorSet, type SimulatorSet } from '../../bench/harness';
import { RETURN_ACTIONS } from '../../src/returns/return-message';
import { RETURN_VIEWS } from '../../src/returns/returns-slack';
import { createOrderFactory } from '../../src/sandbox/amazon/order-factory';
import type { WireOrder } from '../../src/sandbox/amazon/wire-order';
import { startSlackSimulator, type SlackSimulator } from '../../src/sandbox/slack/web-api-simulator';
import { Store } from '../../src/store/store';
import { finished, spawnCli } from '../support/cli';

/**
 * Exactly one adjustment after a real kill -9: `dockhand start` (its own process, real-credentials
 * path, against the simulators here) is SIGKILLed at the moment Amazon accepts its createFeed and
 * before the answer reaches it, the worst point between an approval and a submitted feed. Restarted,
 * it finds that feed in Amazon's getFeeds instead of sending the refund again.
 */
const MAYA = 'U0MAYA0001';
const SAM = 'U0SAM00002';
const CHANNEL = 'C0OPS00001';
const TOKEN = 'xoxb-returns-kill';
const SECRET = 'returns-kill-secret';
const ADJUSTMENT = 'POST_PAYMENT_ADJUSTMENT_DATA';

let set: SimulatorSet;
let slack: SlackSimulator;
let env: Record<string, string>;
let order: WireOrder;

/* eslint-disable @typescript-eslint/no-explicit-any */
beforeAll(async () => {
  const yaml = [
    'slack:',
    '  channels:',
    `    default: ${CHANNEL}`,
    `  managers: [${MAYA}]`,
    'returns:',
    '  pollMinutes: 0.01',
    '  reportPollSeconds: 0.2',
    '  feed:',
    '    gatherSeconds: 1',
    '    minIntervalSeconds: 0',
    '',
  ].join('\n');
  set = await startSimulatorSet({ scale: 1000, intervalSeconds: 2, overlapSeconds: 1, events: false, yaml });
  slack = await startSlackSimulator({ botToken: TOKEN, signingSecret: SECRET });
  const port = await freePort();
  slack.setAppRequestUrl(`http://127.0.0.1:${port}/slack/events`);
  env = { ...set.childEnv, SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.url, PORT: String(port) };
  const { lastUpdatedTime: _t, ...o } = createOrderFactory(23).make('standard');
  order = set.sandbox.spApi.putOrder(o);
}, 60_000);

afterAll(async () => {
  await slack?.close();
  await set?.close();
});

const messageOf = () => slack.messages(CHANNEL).find((m) => JSON.stringify(m.blocks ?? '').includes('RMA-K1'));
const buttons = (m: any): any[] => (m?.blocks ?? []).filter((b: any) => b.type === 'actions').flatMap((b: any) => b.elements);
const viewOf = (user: string, callbackId: string) => slack.views(user).find((v) => (v.view as any).callback_id === callbackId);
const adjustmentFeeds = () => set.sandbox.spApi.feeds.feeds().filter((f) => f.feedType === ADJUSTMENT);

async function click(user: string, actionId: string): Promise<void> {
  await expect.poll(() => buttons(messageOf()).map((b) => b.action_id), { timeout: 15_000 }).toContain(actionId);
  const m = messageOf()!;
  await slack.clickButton({ user, channel: CHANNEL, ts: m.ts, actionId, value: buttons(m).find((b) => b.action_id === actionId).value });
}

describe('a refund under kill -9', () => {
  it('ends with exactly one adjustment on Amazon after dockhand start is killed inside createFeed and restarted', async () => {
    const sku = order.orderItems[0]!.product!.sellerSku!;
    set.sandbox.spApi.returns.add({ orderId: order.orderId, rma: 'RMA-K1', sku, quantity: 1, reason: 'UNWANTED_ITEM', inPolicy: true, carrier: 'UPS', trackingId: '1ZKILL1', currency: 'USD', requestedAt: new Date().toISOString() });

    const first = spawnCli(['start'], env);
    const firstExit = finished(first);
    // The moment Amazon has the feed and its answer is not yet sent: the process dies there.
    let killedAtFeeds = -1;
    set.sandbox.spApi.feeds.onCreated((feed) => {
      if (feed.feedType !== ADJUSTMENT || killedAtFeeds >= 0) return;
      first.kill('SIGKILL');
      killedAtFeeds = adjustmentFeeds().length;
    });

    await expect.poll(messageOf, { timeout: 30_000 }).toBeTruthy();
    await click(SAM, RETURN_ACTIONS.received);
    await expect.poll(() => viewOf(SAM, RETURN_VIEWS.received), { timeout: 5_000 }).toBeTruthy();
    await slack.submitView({ user: SAM, viewId: viewOf(SAM, RETURN_VIEWS.received)!.id, values: { condition: { value: 'ok' }, [`qty:${sku}`]: { value: '1' } } });
    await click(MAYA, RETURN_ACTIONS.approve);
    await expect.poll(() => viewOf(MAYA, RETURN_VIEWS.approve), { timeout: 5_000 }).toBeTruthy();
    const view = viewOf(MAYA, RETURN_VIEWS.approve)! as any;
    const amounts = Object.fromEntries(view.view.blocks.filter((b: any) => String(b.block_id).startsWith('amount:')).map((b: any) => [b.block_id, { value: b.element.initial_value }]));
    await slack.submitView({ user: MAYA, viewId: view.id, values: amounts });

    const killed = await firstExit;
    expect(killed.signal).toBe('SIGKILL');
    expect(killedAtFeeds).toBe(1);
    // Killed with the feed marked submitting and no feedId: Dockhand does not know Amazon has it.
    const peek = await Store.open({ dataDir: set.dataDir });
    const [refund] = await peek.returns.refundsForRma('default', 'RMA-K1');
    await peek.close();
    expect(refund?.feedId).toBeUndefined();

    const second = spawnCli(['start'], env);
    const secondExit = finished(second);
    try {
      await expect.poll(() => JSON.stringify(messageOf()?.blocks ?? ''), { timeout: 30_000 }).toContain('Amazon accepted the refund');
      // Give it a few more feed passes to prove nothing more is sent.
      await new Promise((r) => setTimeout(r, 3_000));
    } finally {
      second.kill('SIGTERM');
    }
    const stopped = await secondExit;
    expect(stopped.stderr).not.toMatch(/Error/);

    expect(adjustmentFeeds()).toHaveLength(1);
    expect(adjustmentFeeds()[0]!.processingStatus).toBe('DONE');
    const posted = set.sandbox.spApi.finances.posted().filter((p) => p.amazonOrderId === order.orderId);
    expect(posted.map((p) => p.orderItemId)).toEqual([order.orderItems[0]!.orderItemId]);
    const store = await Store.open({ dataDir: set.dataDir });
    const after = await store.returns.refundsForRma('default', 'RMA-K1');
    const status = (await store.returns.byRma('default', 'RMA-K1'))[0]?.status;
    await store.close();
    expect(after.map((r) => [r.state, r.feedId])).toEqual([['accepted', adjustmentFeeds()[0]!.feedId]]);
    expect(status).toBe('refunded');
  }, 120_000);
});
