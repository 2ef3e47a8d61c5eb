import { execSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { XMLParser } from 'fast-xml-parser';
import { RETURN_ACTIONS } from '../src/returns/return-message';
import { RETURN_VIEWS } from '../src/returns/returns-slack';
import { createOrderFactory } from '../src/sandbox/amazon/order-factory';
import { FEEDS_USAGE_PLANS } from '../src/sandbox/amazon/feeds-api';
import { startSlackSimulator, type SimUser, type SlackSimulator } from '../src/sandbox/slack/web-api-simulator';
import { exited, freePort, peakRssMb, percentile, sleep, spawnDockhand, startSimulatorSet } from './harness';

/**
 * `npm run bench -- returns [--n 500] [--scale 20]`: returns through the real wiring. `dockhand
 * start` runs as its own process (the real-credentials path) against the SP-API simulator
 * (Reports with the gzipped returns report, Feeds with the adjustment checker, Finances) and the
 * Slack simulator, whose users click as people would. N returns appear in Amazon's report at once;
 * the bench times each to its "Return on its way" message in Slack, has the warehouse receive them
 * all, then fires N approvals (Approve → modal → submit) as a burst, and reads how the refunds were
 * batched into POST_PAYMENT_ADJUSTMENT_DATA feeds against createFeed's usage plan (0.0083 requests
 * per second, burst 15: feeds_2021-06-30.json). Amazon's limits run `--scale` times faster, and
 * Dockhand's feed spacing (returns.feed.minIntervalSeconds) with them, so the ratios hold while the
 * bench takes minutes instead of hours. Slack's are not scaled: Dockhand itself posts and edits at
 * most one message per second per channel (chat.postMessage's published limit), so N returns take
 * about N seconds to reach Slack, and each step's edit queues behind them.
 */

const CHANNEL = 'C0OPS00001';
const TOKEN = 'xoxb-bench-returns';
const SECRET = 'bench-returns-signing-secret';
const ADJUSTMENT = 'POST_PAYMENT_ADJUSTMENT_DATA';
/** Clickers: each Slack user has one modal open at a time, so a burst needs several people. */
const MANAGERS = 25;
const WAREHOUSE = 10;

const arg = (argv: string[], name: string, fallback: number) => {
  const i = argv.indexOf(name);
  const v = i >= 0 ? Number(argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function main(argv: string[]): Promise<void> {
  const n = arg(argv, '--n', 500);
  const scale = arg(argv, '--scale', 20);
  const out = (l: string) => process.stdout.write(`${l}\n`);
  const managers: SimUser[] = Array.from({ length: MANAGERS }, (_, i) => ({ id: `U0MGR${String(i).padStart(5, '0')}`, name: `mgr${i}`, real_name: `Manager ${i}`, title: 'manager' }));
  const staff: SimUser[] = Array.from({ length: WAREHOUSE }, (_, i) => ({ id: `U0WH${String(i).padStart(6, '0')}`, name: `wh${i}`, real_name: `Warehouse ${i}`, title: 'warehouse' }));
  const minInterval = 120 / scale;
  const yaml = [
    'slack:',
    '  channels:',
    `    default: ${CHANNEL}`,
    `  managers: [${managers.map((m) => m.id).join(', ')}]`,
    'returns:',
    // Polled every 3 s, so the poll interval adds little to what is measured.
    '  pollMinutes: 0.05',
    '  reportPollSeconds: 0.5',
    '  feed:',
    '    gatherSeconds: 20',
    `    minIntervalSeconds: ${minInterval}`,
    '',
  ].join('\n');
  const set = await startSimulatorSet({ scale, intervalSeconds: 60, overlapSeconds: 10, events: false, yaml });
  const slack: SlackSimulator = await startSlackSimulator({ botToken: TOKEN, signingSecret: SECRET, users: [...managers, ...staff], ackTimeoutMs: 10_000 });
  const port = await freePort();
  slack.setAppRequestUrl(`http://127.0.0.1:${port}/slack/events`);
  const sim = set.sandbox.spApi;

  // N shipped orders: the buyers' returns are of orders already out of the warehouse.
  const factory = createOrderFactory(4242);
  const orders: Array<{ orderId: string; sku: string; rma: string }> = [];
  for (let i = 0; i < n; i++) {
    const { lastUpdatedTime: _t, ...o } = factory.make('standard');
    o.fulfillment = { ...o.fulfillment, fulfillmentStatus: 'SHIPPED' };
    const put = sim.putOrder(o);
    orders.push({ orderId: put.orderId, sku: put.orderItems[0]!.product!.sellerSku!, rma: `B${String(1_000_000 + i)}` });
  }
  const byRma = new Map(orders.map((o) => [o.rma, o]));
  const byOrder = new Map(orders.map((o) => [o.orderId, o]));

  const child = spawnDockhand(set, { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.url, PORT: String(port) });
  try {
    // Ready once its first returns report (nothing in it yet) came back CANCELLED.
    for (let i = 0; i < 600 && !sim.reportRequests().some((r) => r.reportType === 'GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE' && r.processingStatus === 'CANCELLED'); i++) await sleep(100);

    const plan = FEEDS_USAGE_PLANS.createFeed;
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const load = () => {
      try {
        return execSync('uptime').toString().trim().replace(/.*load average/, 'load average');
      } catch {
        return 'load unknown';
      }
    };
    // Each phase prints as it ends, so a long run that is cut short still leaves its figures.
    out(`returns bench: ${n} returns, Amazon's limits ×${scale} (createFeed ${plan.rate}/s → ${(plan.rate * scale).toFixed(3)}/s, burst ${plan.burst}), Slack's as published (Dockhand posts and edits 1 message/s per channel); dockhand start as its own process; ${load()}`);

    // 1. Report → Slack.
    const t0 = performance.now();
    const at = new Date().toISOString();
    for (const o of orders) sim.returns.add({ orderId: o.orderId, rma: o.rma, sku: o.sku, quantity: 1, reason: 'UNWANTED_ITEM', inPolicy: true, carrier: 'UPS', trackingId: `1Z${o.rma}`, currency: 'USD', requestedAt: at });
    const seen = new Map<string, number>();
    const ts = new Map<string, string>();
    const rmaOf = (m: any): string | undefined => /RMA ([A-Z0-9]+)/.exec(m.text ?? '')?.[1];
    const deadline = Date.now() + 15 * 60_000;
    while (seen.size < n && Date.now() < deadline) {
      for (const m of slack.messages(CHANNEL)) {
        const rma = rmaOf(m);
        if (rma && byRma.has(rma) && !seen.has(rma)) {
          seen.set(rma, performance.now() - t0);
          ts.set(rma, m.ts);
        }
      }
      await sleep(100);
    }
    const toSlack = [...seen.values()].sort((a, b) => a - b);
    out(`report → Slack: ${seen.size}/${n} messages; p50 ${s(percentile(toSlack, 50))}, p95 ${s(percentile(toSlack, 95))}, last ${s(toSlack.at(-1) ?? NaN)} (3 s poll and 1 post/s per channel included)`);

    // 2. The warehouse receives every return (not timed as the burst).
    const buttonOf = (m: any, actionId: string): string | undefined =>
      (m?.blocks ?? []).filter((b: any) => b.type === 'actions').flatMap((b: any) => b.elements).find((e: any) => e.action_id === actionId)?.value;
    const buttonValue = (rma: string, actionId: string): string | undefined => {
      // One message, not the channel: 35 people poll, and copying 500 messages each time starved the simulators.
      const at = ts.get(rma);
      return buttonOf(at ? slack.message(CHANNEL, at) : undefined, actionId);
    };
    // What the person who clicked waits for: their step in the message itself (the ephemeral reply
    // comes at once). One reader copies the channel every 250 ms for all of them.
    const answered = { received: [] as number[], approved: [] as number[] };
    /** By `<rma> <step>`: a manager may approve before this reader saw Approve show. */
    const awaiting = new Map<string, { rma: string; since: number; shows: (m: any) => boolean; into: number[] }>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        if (awaiting.size > 0) {
          const byTs = new Map(slack.messages(CHANNEL).map((m) => [m.ts, m]));
          for (const [k, w] of awaiting) {
            const m = byTs.get(ts.get(w.rma)!);
            if (m && w.shows(m)) {
              w.into.push(performance.now() - w.since);
              awaiting.delete(k);
            }
          }
        }
        await sleep(250);
      }
    })();
    const waitFor = async <T>(what: string, f: () => T | undefined, ms = 60_000): Promise<T> => {
      const end = Date.now() + ms;
      for (;;) {
        const v = f();
        if (v !== undefined) return v;
        if (Date.now() > end) throw new Error(`no ${what} within ${s(ms)}`);
        await sleep(100);
      }
    };
    // A button shows once its message's edit is posted, and edits go out one a second per channel
    // (Dockhand's drain, as Slack's limit). The edit a click causes goes ahead of the rest; the wait
    // still allows for every edit of the channel (~3 per return) before it.
    const buttonWaitMs = Math.max(60_000, n * 4_000);
    const viewOf = (user: string, callbackId: string) => slack.views(user).find((v) => (v.view as any).callback_id === callbackId);
    /** Shares `rmas` among `users`; what went wrong is counted by its message, for the phase's line. */
    const inPool = async (users: SimUser[], rmas: string[], work: (user: string, rma: string) => Promise<void>): Promise<string> => {
      const queue = [...rmas];
      const failed = new Map<string, number>();
      await Promise.all(users.map(async (u) => {
        for (let rma = queue.shift(); rma; rma = queue.shift()) {
          await work(u.id, rma).catch((e: unknown) => failed.set((e as Error).message, (failed.get((e as Error).message) ?? 0) + 1));
        }
      }));
      return failed.size === 0 ? 'none failed' : `failed: ${[...failed].map(([m, c]) => `${c} × ${m}`).join('; ')}`;
    };
    /** A reply Slack would show the person as an error fails their step. */
    const ok = async (what: string, reply: Promise<{ status: number; error?: string }>) => {
      const r = await reply;
      if (r.status !== 200 || r.error) throw new Error(`${what} answered ${r.status}${r.error ? ` ${r.error}` : ''}`);
    };
    // views.open is Tier 4 (100 a minute): past it Dockhand tells the person to press again, as they would.
    let clicksAgain = 0;
    const clickForModal = async (user: string, rma: string, actionId: string, callbackId: string, value: string) => {
      for (let attempt = 1; ; attempt++) {
        await ok(`${actionId} click`, slack.clickButton({ user, channel: CHANNEL, ts: ts.get(rma)!, actionId, value }));
        const view = await waitFor(`${callbackId} modal`, () => viewOf(user, callbackId), 5_000).catch((e: unknown) => {
          if (attempt >= 20) throw e;
          return undefined;
        });
        if (view) return view;
        clicksAgain++;
        await sleep(2_000);
      }
    };
    let receivedCount = 0;
    const r0 = performance.now();
    const receiveFailures = await inPool(staff, [...seen.keys()], async (user, rma) => {
      const value = await waitFor('Received button', () => buttonValue(rma, RETURN_ACTIONS.received), buttonWaitMs);
      const view = await clickForModal(user, rma, RETURN_ACTIONS.received, RETURN_VIEWS.received, value);
      await ok('Received submit', slack.submitView({ user, viewId: view.id, values: { condition: { value: 'ok' }, [`qty:${byRma.get(rma)!.sku}`]: { value: '1' } } }));
      receivedCount++;
      awaiting.set(`${rma} received`, { rma, since: performance.now(), shows: (m) => buttonOf(m, RETURN_ACTIONS.approve) !== undefined, into: answered.received });
    });
    const receiveMs = performance.now() - r0;
    out(`receive: ${receivedCount}/${n} marked received through Slack in ${s(receiveMs)} by ${WAREHOUSE} people; ${clicksAgain} clicks again after Slack refused a modal; ${receiveFailures}`);
    clicksAgain = 0;

    // 3. The burst of approvals: Approve → the modal computed from the order → submit.
    const approvedAt = new Map<string, number>();
    const submitMs: number[] = [];
    const a0 = performance.now();
    const approveFailures = await inPool(managers, [...seen.keys()], async (user, rma) => {
      const value = await waitFor('Approve button', () => buttonValue(rma, RETURN_ACTIONS.approve), buttonWaitMs);
      const s = performance.now();
      const view = (await clickForModal(user, rma, RETURN_ACTIONS.approve, RETURN_VIEWS.approve, value)) as any;
      const amounts = Object.fromEntries(view.view.blocks.filter((b: any) => String(b.block_id).startsWith('amount:')).map((b: any) => [b.block_id, { value: b.element.initial_value }]));
      await ok('Approve submit', slack.submitView({ user, viewId: view.id, values: amounts }));
      submitMs.push(performance.now() - s);
      approvedAt.set(rma, Date.now());
      awaiting.set(`${rma} approved`, { rma, since: performance.now(), shows: (m) => JSON.stringify(m.blocks ?? []).includes('approved a refund'), into: answered.approved });
    });
    const approveMs = performance.now() - a0;
    const firstApproval = Math.min(...approvedAt.values());
    submitMs.sort((a, b) => a - b);
    out(`approvals: ${approvedAt.size}/${n} in ${s(approveMs)} by ${MANAGERS} managers (each waits for its message to show Approve); click → modal → submit p50 ${s(percentile(submitMs, 50))}, p95 ${s(percentile(submitMs, 95))} (each reads the order with getOrder, 0.5/s ×${scale}, burst 30); ${clicksAgain} clicks again after Slack refused a modal; ${approveFailures}`);

    // 4. Until every approved refund is in a feed Amazon processed.
    const parser = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'Message' });
    const inFeeds = () => {
      const feeds = sim.feeds.feeds().filter((f) => f.feedType === ADJUSTMENT && f.content);
      return feeds.map((f) => ({ createdAt: Date.parse(f.createdTime), status: f.processingStatus, orders: ((parser.parse(f.content!.toString('utf8')).AmazonEnvelope.Message ?? []) as any[]).map((m) => String(m.OrderAdjustment.AmazonOrderID)) }));
    };
    const endBy = Date.now() + 15 * 60_000;
    while (Date.now() < endBy) {
      const feeds = inFeeds();
      if (feeds.reduce((s, f) => s + f.orders.length, 0) >= approvedAt.size && feeds.every((f) => f.status === 'DONE')) break;
      await sleep(250);
    }
    const feeds = inFeeds().sort((a, b) => a.createdAt - b.createdAt);
    const toFeed: number[] = [];
    const counts = new Map<string, number>();
    for (const f of feeds) {
      for (const id of f.orders) {
        counts.set(id, (counts.get(id) ?? 0) + 1);
        const o = byOrder.get(id);
        const t = o && approvedAt.get(o.rma);
        if (t !== undefined) toFeed.push(f.createdAt - t);
      }
    }
    toFeed.sort((a, b) => a - b);
    const posted = sim.finances.posted().length;
    const window = ((feeds.at(-1)?.createdAt ?? firstApproval) - firstApproval) / 1000;
    const allowed = plan.burst + Math.floor(plan.rate * scale * window);
    const rss = peakRssMb(child.pid!);
    out(`feeds: ${feeds.length} createFeed call(s); approvals per feed ${feeds.map((f) => f.orders.length).join(', ')}; ${window.toFixed(0)} s from the first approval to the last feed, where createFeed allows ${allowed} → ${(feeds.length / allowed).toFixed(3)} of the limit`);
    out(`approval → feed on Amazon: p50 ${s(percentile(toFeed, 50))}, p95 ${s(percentile(toFeed, 95))} (returns.feed.gatherSeconds 20, minIntervalSeconds ${minInterval})`);
    // The last steps' edits may still be queued behind the feeds' results.
    for (const until = Date.now() + buttonWaitMs; awaiting.size > 0 && Date.now() < until; ) await sleep(250);
    watching = false;
    await watcher;
    const shown = (xs: number[]) => `${xs.length}/${n}, p50 ${s(percentile(xs.sort((a, b) => a - b), 50))}, p95 ${s(percentile(xs, 95))}, max ${s(xs.at(-1) ?? NaN)}`;
    out(`the clicker's message shows their step: Received → Approve shown ${shown(answered.received)}; Approve → "approved" shown ${shown(answered.approved)}`);
    out(`exactly once: ${counts.size} orders adjusted, ${[...counts.values()].filter((c) => c > 1).length} more than once; ${posted} refunds applied by Amazon`);
    out(`dockhand start peak RSS ${rss.toFixed(0)} MB; ${load()}`);
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited(child), sleep(10_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await slack.close();
    await set.close();
  }
}
