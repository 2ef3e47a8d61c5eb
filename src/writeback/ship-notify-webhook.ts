import { DockhandError } from '../domain/errors';
import type { Logger } from '../log/logger';
import type { ShipStationClient } from '../shipstation/client';
import type { Store } from '../store/store';
import type { ShipNotifyIntake } from './poll-labels.job';

/** The path ShipStation's SHIP_NOTIFY webhook posts to (with `?secret=`). */
export const WEBHOOK_PATH = '/webhooks/shipstation';
/** The name the webhook is registered under, so `start` finds its own registration again. */
export const WEBHOOK_NAME = 'Dockhand tracking writeback';
/** The key of the SHIP_NOTIFY record (`store.shipNotify`): one ShipStation account per Dockhand. */
export const SHIP_NOTIFY_KEY = 'shipstation';

export interface ShipNotifyContext {
  /** DOCKHAND_PUBLIC_URL: where ShipStation can reach this app; unset means polling only. */
  publicUrl: string | undefined;
  webhookSecret: string | undefined;
  shipstation: Pick<ShipStationClient, 'listWebhooks' | 'subscribeWebhook'>;
  store: Store;
  logger: Logger;
  now: () => Date;
}

/**
 * Registers (once) the SHIP_NOTIFY webhook pointing at this app, when DOCKHAND_PUBLIC_URL and
 * SHIPSTATION_WEBHOOK_SECRET are set. An existing registration to the same URL is kept.
 */
export async function ensureShipNotifyWebhook(ctx: ShipNotifyContext): Promise<{ registered: boolean; id?: number; reason?: string }> {
  const { publicUrl, webhookSecret, store } = ctx;
  if (!publicUrl) {
    // A webhook an earlier start registered is no longer this product's path.
    await store.shipNotify.delete(SHIP_NOTIFY_KEY);
    return { registered: false, reason: 'DOCKHAND_PUBLIC_URL is not set: polling only' };
  }
  if (!webhookSecret) {
    throw new DockhandError('config.missing', 'DOCKHAND_PUBLIC_URL is set but SHIPSTATION_WEBHOOK_SECRET is not', {
      hint: 'Set SHIPSTATION_WEBHOOK_SECRET to a long random string: ShipStation signs nothing, so the secret in the URL is what proves a webhook came from it.',
    });
  }
  const target = `${publicUrl}${WEBHOOK_PATH}?secret=${encodeURIComponent(webhookSecret)}`;
  const existing = (await ctx.shipstation.listWebhooks()).find((w) => w.HookType === 'SHIP_NOTIFY' && w.Url === target);
  const id = existing ? existing.WebHookID : await ctx.shipstation.subscribeWebhook({ targetUrl: target, event: 'SHIP_NOTIFY', friendlyName: WEBHOOK_NAME });
  if (!existing) ctx.logger.info({ job: 'ship-notify', webhookId: id }, 'SHIP_NOTIFY webhook registered');
  // `status` runs in another process, whose config may not name the URL (the sandbox makes its
  // own): it learns the path in use from this record. The secret stays out of it.
  const previous = await store.shipNotify.get(SHIP_NOTIFY_KEY);
  const same = previous?.webhookId === id;
  await store.shipNotify.set(SHIP_NOTIFY_KEY, {
    webhookId: id,
    url: `${publicUrl}${WEBHOOK_PATH}`,
    registeredAt: same ? previous.registeredAt : ctx.now().toISOString(),
    ...(same && previous.lastNotifyAt ? { lastNotifyAt: previous.lastNotifyAt } : {}),
  });
  return { registered: true, id };
}

/** How often the time of the last SHIP_NOTIFY is saved: a burst of labels costs one write, not one each. */
const NOTIFY_SAVE_MS = 5_000;

/**
 * The intake, noting in the store when the last SHIP_NOTIFY was accepted (the one that passed
 * the secret and URL checks), for `status`. Saved at most every few seconds, and on drain.
 */
export function noteArrivals(intake: ShipNotifyIntake, ctx: { store: Store; logger: Logger; now: () => Date }): ShipNotifyIntake {
  const { store, logger } = ctx;
  let accepted = 0;
  let arrivedAt: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  const save = async () => {
    timer = undefined;
    const at = arrivedAt;
    arrivedAt = undefined;
    if (!at) return;
    const record = await store.shipNotify.get(SHIP_NOTIFY_KEY);
    // The record is written when the webhook is registered; without one there is nothing to add to.
    if (record && (!record.lastNotifyAt || record.lastNotifyAt < at)) await store.shipNotify.set(SHIP_NOTIFY_KEY, { ...record, lastNotifyAt: at });
  };
  const saveQuietly = () => void save().catch((e: unknown) => logger.warn({ job: 'ship-notify', err: (e as Error).message }, 'time of the last SHIP_NOTIFY not saved'));
  return {
    ...intake,
    handle(req, res) {
      // The intake counts what it accepted before it answers: once the answer is sent, a higher count is this call.
      res.once('finish', () => {
        const now = intake.stats().accepted;
        if (now <= accepted) return;
        accepted = now;
        arrivedAt = ctx.now().toISOString();
        if (!timer) {
          timer = setTimeout(saveQuietly, NOTIFY_SAVE_MS);
          timer.unref();
        }
      });
      intake.handle(req, res);
    },
    async drain() {
      await intake.drain();
      if (timer) clearTimeout(timer);
      await save().catch(() => undefined);
    },
  };
}
