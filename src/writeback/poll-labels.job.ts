import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { toDockhandError } from '../domain/errors';
import { readBoundedBody } from '../domain/listen';
import type { Label } from '../domain/label';
import { MAX_PAGE_SIZE } from '../shipstation/client';
import { ShipNotifyPayload } from '../shipstation/ship-notify';
import type { Logger } from '../log/logger';
import type { Store } from '../store/store';
import { emptyWritebackSummary, type Writeback, type WritebackSummary } from './confirm-labels.job';

/**
 * The two ways labels reach writeback: ShipStation's SHIP_NOTIFY webhook (seconds) and a
 * polling pass over recent labels and fulfillments (the safety net for lost webhooks, and the
 * way `dockhand writeback --once` works). Both end in `Writeback.handleLabels`, which confirms
 * each label once.
 */
export const name = 'poll-labels';

/**
 * Labels created this many polling intervals before the cursor are looked at again (10 minutes
 * at the default 60 s): ShipStation's clock and ours differ, and its lists settle.
 */
export const OVERLAP_PASSES = 10;
const CURSOR = 'shipstation';

export interface LabelSource {
  /** Labels (with their items) created in the window, voided ones included. */
  labelsCreated(fromIso: string, toIso: string): Promise<Label[]>;
  /** Labels voided in the window (to catch a void after confirmation). */
  labelsVoided(fromIso: string, toIso: string): Promise<Label[]>;
  /** Orders marked shipped without a ShipStation label, created in the window. */
  fulfillmentsCreated(fromIso: string, toIso: string): Promise<Label[]>;
  /** The labels behind a SHIP_NOTIFY resource_url; refuses URLs outside ShipStation. */
  labelsAt(resourceUrl: string): Promise<Label[]>;
  /** Whether a resource_url points at the configured ShipStation API. */
  trusts(resourceUrl: string): boolean;
}

export interface PollContext {
  store: Store;
  labels: LabelSource;
  writeback: Writeback;
  logger: Logger;
  now: () => Date;
  lookbackHours: number;
  /** Seconds between passes: the overlap scales with it. */
  pollSeconds: number;
}

export interface PollSummary extends WritebackSummary {
  ok: boolean;
  error?: string;
  from: string;
  to: string;
  resent: number;
}

/** One polling pass: new labels, voids and fulfillments since the cursor, then anything left in flight. */
export async function runPollPass(ctx: PollContext): Promise<PollSummary> {
  const now = ctx.now();
  const cursor = await ctx.store.writebackCursors.get(CURSOR);
  const fromMs = cursor ? Date.parse(cursor.createdAfter) - OVERLAP_PASSES * ctx.pollSeconds * 1000 : now.getTime() - ctx.lookbackHours * 3_600_000;
  const from = new Date(fromMs).toISOString();
  const to = now.toISOString();
  const summary: PollSummary = { ...emptyWritebackSummary(), ok: true, from, to, resent: 0 };
  try {
    const [created, voided, fulfilled] = [
      await ctx.labels.labelsCreated(from, to),
      await ctx.labels.labelsVoided(from, to),
      await ctx.labels.fulfillmentsCreated(from, to),
    ];
    const seen = [...created, ...voided, ...fulfilled];
    add(summary, await ctx.writeback.handleLabels(seen, 'poll'));
    summary.resent = await resendPending(ctx, summary, new Set(seen.map((l) => l.id)));
    await ctx.store.writebackCursors.set(CURSOR, { createdAfter: to, updatedAt: to });
  } catch (e) {
    const err = toDockhandError(e);
    summary.ok = false;
    summary.error = err.message;
    ctx.logger.error({ job: name, code: err.code }, `writeback pass failed: ${err.message}`);
  }
  return summary;
}

/** Labels whose confirmation failed for a passing reason, sent again (unless this pass just tried them). */
async function resendPending(ctx: PollContext, summary: PollSummary, triedNow: Set<string>): Promise<number> {
  const labels: Label[] = [];
  for (const pending of await ctx.store.pendingConfirmations.oldest()) if (!triedNow.has(pending.label.id)) labels.push(pending.label);
  if (labels.length === 0) return 0;
  add(summary, await ctx.writeback.handleLabels(labels, 'retry'));
  return labels.length;
}

function add(total: WritebackSummary, s: WritebackSummary): void {
  for (const k of Object.keys(s) as Array<keyof WritebackSummary>) total[k] += s[k];
}

export interface ShipNotifyIntake {
  /** The HTTP handler for `POST /webhooks/shipstation?secret=…`. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Resolves when every accepted notification has been worked off (tests, shutdown). */
  drain(): Promise<void>;
  stats(): { accepted: number; refused: number; failed: number; fetches: number };
}

/** The largest SHIP_NOTIFY body we read: the real one is a URL and a type. */
const MAX_BODY = 16 * 1024;
/** How far before the oldest waiting notification a coalesced fetch looks: clocks differ, labels precede their webhook. */
export const COALESCE_MARGIN_MS = 5 * 60_000;

/**
 * SHIP_NOTIFY intake. ShipStation signs nothing, so the shared secret in the URL is what proves
 * the sender, and a resource_url is only fetched from ShipStation's own base URL: a forged call
 * changes nothing and is logged. The answer is sent before the work so ShipStation never times
 * out and retries.
 *
 * Each notification costs a ShipStation call, and ShipStation allows 40 a minute. While one
 * fetch is under way, notifications that arrive wait, and are then fetched together as one list
 * of recently created labels when that takes fewer calls than their own URLs: a busy afternoon
 * costs a call per few seconds, not one per label.
 */
export function createShipNotifyIntake(opts: { secret: string | undefined; labels: LabelSource; writeback: Writeback; logger: Logger; now?: () => number }): ShipNotifyIntake {
  const log = opts.logger.child({ job: 'ship-notify' });
  const now = opts.now ?? Date.now;
  const counts = { accepted: 0, refused: 0, failed: 0, fetches: 0 };
  const waiting: Array<{ url: string; at: number }> = [];
  const working = new Set<Promise<unknown>>();
  let worker: Promise<void> | undefined;
  const track = (p: Promise<unknown>) => {
    working.add(p);
    void p.catch(() => undefined).finally(() => working.delete(p));
  };
  const refuse = (res: ServerResponse, status: number, reason: string) => {
    counts.refused++;
    log.warn({ code: 'writeback.forged_webhook', status }, `SHIP_NOTIFY refused: ${reason}`);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: reason }));
  };

  /** Fetches the labels of each notification by its own resource_url; one that fails is left to the polling pass. */
  async function labelsOfEach(batch: Array<{ url: string }>): Promise<Label[]> {
    const labels: Label[] = [];
    for (const url of new Set(batch.map((b) => b.url))) {
      counts.fetches++;
      try {
        labels.push(...(await opts.labels.labelsAt(url)));
      } catch (e) {
        counts.failed++;
        const err = toDockhandError(e);
        log.warn({ code: err.code, notifications: 1 }, `SHIP_NOTIFY not processed: ${err.message}`);
      }
    }
    return labels;
  }

  // How many pages the last coalesced fetch took. While a batch holds no more notifications
  // than that, their own resource_urls cost no more ShipStation calls than the window would,
  // and bring back their labels only, instead of every label of the last minutes (thousands
  // in a busy stretch, fetched again for every batch).
  let windowPages = 1;

  async function work(): Promise<void> {
    while (waiting.length > 0) {
      const batch = waiting.splice(0);
      try {
        let labels: Label[];
        if (batch.length <= windowPages) labels = await labelsOfEach(batch);
        else {
          counts.fetches++;
          labels = await opts.labels.labelsCreated(new Date(batch.reduce((min, b) => Math.min(min, b.at), Infinity) - COALESCE_MARGIN_MS).toISOString(), new Date(now()).toISOString());
          windowPages = Math.max(1, Math.ceil(labels.length / MAX_PAGE_SIZE));
        }
        // Worked before the next batch is fetched: notifications arriving meanwhile fold into one
        // fetch, so a busy stretch never stacks up re-fetched labels (and the memory they hold)
        // faster than Amazon's pace drains them.
        const handled = opts.writeback.handleLabels(labels, 'webhook');
        track(handled);
        await handled.catch(() => undefined);
      } catch (e) {
        counts.failed += batch.length;
        const err = toDockhandError(e);
        // The polling pass finds these labels anyway.
        log.warn({ code: err.code, notifications: batch.length }, `SHIP_NOTIFY not processed: ${err.message}`);
      }
    }
  }

  return {
    handle(req, res) {
      const secret = new URL(req.url ?? '/', 'http://localhost').searchParams.get('secret') ?? '';
      if (!opts.secret || !sameSecret(secret, opts.secret)) {
        req.resume();
        return refuse(res, 401, opts.secret ? 'wrong secret' : 'SHIPSTATION_WEBHOOK_SECRET is not set');
      }
      readBoundedBody(req, MAX_BODY, (body) => {
        if (!body) return refuse(res, 413, 'body too large');
        let json: unknown;
        try {
          json = JSON.parse(body.toString('utf8'));
        } catch {
          return refuse(res, 400, 'body is not JSON');
        }
        const payload = ShipNotifyPayload.safeParse(json);
        if (!payload.success) return refuse(res, 400, 'not a ShipStation webhook body (resource_url, resource_type)');
        if (payload.data.resource_type !== 'SHIP_NOTIFY') {
          // Other events may be subscribed to the same URL by hand: answered, not used.
          res.writeHead(200).end();
          return;
        }
        // Checked before it is queued: a coalesced fetch never reads the URL itself.
        if (!opts.labels.trusts(payload.data.resource_url)) return refuse(res, 400, 'resource_url is not on the configured ShipStation API');
        counts.accepted++;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        waiting.push({ url: payload.data.resource_url, at: now() });
        if (!worker) {
          worker = work().finally(() => (worker = undefined));
          track(worker);
        }
      });
    },
    async drain() {
      while (working.size > 0) await Promise.all([...working]);
    },
    stats: () => ({ ...counts }),
  };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
