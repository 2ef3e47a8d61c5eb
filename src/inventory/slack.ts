import type { types } from '@slack/bolt';
import { code, context, escapeMrkdwn, header, section, type Block } from '../domain/block-kit';
import type { OpenOrderForSku } from '../store/inventory';
import type { Store } from '../store/store';
import type { InventoryConfig } from './config';
import { retryDeadLetters } from './erp-push';
import type { SkuForecast } from './forecast';
import { forecastAll } from './inventory';
import type { InventoryRunner } from './inventory.job';
import { INVENTORY_ACTIONS, openOrderLines, REORDER_VIEW, skuOfStockKey, stockFields } from './inventory-alerts';

/**
 * What Slack does with inventory: `/dockhand stock <sku>`, and the low-stock buttons (Snooze 24 h,
 * Mark reordered with its modal, Push quantity now) and the ERP dead letters' Retry. The Slack
 * handlers call these; each returns the words that go into the message and the audit log.
 */

export interface StockView {
  forecast: SkuForecast;
  levels: Array<{ warehouse: string; onHand: number }>;
  openOrders: OpenOrderForSku[];
  reorder?: { quantity: number; expectedAt: string; by: string };
}

export interface InventoryOps {
  stock(sku: string): Promise<StockView | undefined>;
  snooze(sku: string, by: string): Promise<string>;
  markReordered(sku: string, quantity: number, expectedAt: string, by: string): Promise<string>;
  pushNow(sku: string): Promise<string>;
  retryErp(): Promise<string>;
}

export const SNOOZE_MS = 24 * 3_600_000;

export function createInventoryOps(deps: { store: Store; config: InventoryConfig; runner?: InventoryRunner; now: () => Date }): InventoryOps {
  const { store, now } = deps;
  return {
    async stock(sku) {
      if ((await store.inventory.levelsOf(sku)).length === 0) return undefined;
      const [forecast] = await forecastAll(store.inventory, deps.config, now().getTime(), { sku });
      const reorder = await store.inventory.reorderOf(sku);
      return { forecast: forecast!, levels: await store.inventory.levelsOf(sku), openOrders: await store.inventory.openOrdersFor(sku, 10), ...(reorder ? { reorder } : {}) };
    },
    async snooze(sku, by) {
      const until = now().getTime() + SNOOZE_MS;
      await store.inventory.snooze(sku, until, by);
      return `snoozed until ${new Date(until).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    },
    async markReordered(sku, quantity, expectedAt, by) {
      await store.inventory.markReordered({ sku, quantity, expectedAt, by }, now().getTime());
      return `reordered ${quantity} unit(s), expected ${expectedAt}`;
    },
    async pushNow(sku) {
      if (!deps.runner) return 'pushing is not running in this process';
      const s = await deps.runner.changed([sku], { force: true });
      if (!s) return 'the push failed; see the logs';
      const p = s.push;
      if (p.patched + p.fed + p.rejected + p.failed === 0) return 'no account pushes quantities to Amazon (inventory.pushToAmazon, and a sellerId)';
      return `Amazon: ${p.patched + p.fed} accepted, ${p.rejected} refused, ${p.failed} to retry`;
    },
    async retryErp() {
      const n = await retryDeadLetters({ store: store.inventory, notifier: { raise: async () => undefined, resolve: async () => undefined }, now });
      return `${n} ERP delivery(ies) queued again`;
    },
  };
}

export const INVENTORY_BUTTON_NAMES: Record<string, string> = {
  [INVENTORY_ACTIONS.snooze]: 'Snooze 24 h',
  [INVENTORY_ACTIONS.reorder]: 'Mark reordered',
  [INVENTORY_ACTIONS.pushNow]: 'Push quantity now',
  [INVENTORY_ACTIONS.retryErp]: 'Retry',
};

/** Runs an inventory button; undefined when `actionId` is not one. */
export async function inventoryAction(ops: InventoryOps, actionId: string, alertKey: string, userId: string): Promise<{ detail: string } | undefined> {
  if (actionId === INVENTORY_ACTIONS.retryErp) return { detail: await ops.retryErp() };
  const sku = skuOfStockKey(alertKey);
  if (actionId === INVENTORY_ACTIONS.snooze) return { detail: sku ? await ops.snooze(sku, userId) : 'this alert is not about a SKU' };
  if (actionId === INVENTORY_ACTIONS.pushNow) return { detail: sku ? await ops.pushNow(sku) : 'this alert is not about a SKU' };
  return undefined;
}

export const REORDER_BLOCKS = { quantity: 'reorder_quantity', expected: 'reorder_expected', actionId: 'value' } as const;

export function reorderModal(sku: string, alertKey: string): types.ModalView {
  return {
    type: 'modal',
    callback_id: REORDER_VIEW,
    private_metadata: JSON.stringify({ key: alertKey, sku }),
    title: { type: 'plain_text', text: 'Mark reordered' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      section(`Reorder of ${code(sku)}: how many, and when they arrive.`, { blockId: 'reorder:about' }),
      { type: 'input', block_id: REORDER_BLOCKS.quantity, label: { type: 'plain_text', text: 'Quantity' }, element: { type: 'plain_text_input', action_id: REORDER_BLOCKS.actionId, placeholder: { type: 'plain_text', text: 'e.g. 200' } } },
      { type: 'input', block_id: REORDER_BLOCKS.expected, label: { type: 'plain_text', text: 'Expected (YYYY-MM-DD)' }, element: { type: 'plain_text_input', action_id: REORDER_BLOCKS.actionId, placeholder: { type: 'plain_text', text: 'e.g. 2026-12-15' } } },
    ] as types.ModalView['blocks'],
  };
}

/** The modal's values, or the errors view_submission answers with (by block_id). Pure. */
export function readReorder(values: Record<string, string>): { quantity: number; expectedAt: string } | { errors: Record<string, string> } {
  const q = (values[REORDER_BLOCKS.quantity] ?? '').trim();
  const d = (values[REORDER_BLOCKS.expected] ?? '').trim();
  const errors: Record<string, string> = {};
  if (!/^\d{1,7}$/.test(q) || Number(q) < 1) errors[REORDER_BLOCKS.quantity] = 'A whole number of units, 1 or more.';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(Date.parse(`${d}T00:00:00Z`))) errors[REORDER_BLOCKS.expected] = 'A date as YYYY-MM-DD.';
  return Object.keys(errors).length > 0 ? { errors } : { quantity: Number(q), expectedAt: d };
}

export function readReorderMeta(raw: string): { key: string; sku: string } | undefined {
  try {
    const m = JSON.parse(raw) as { key?: unknown; sku?: unknown };
    return typeof m.key === 'string' && typeof m.sku === 'string' ? { key: m.key, sku: m.sku } : undefined;
  } catch {
    return undefined;
  }
}

/** `/dockhand stock <sku>`: the facts of the low-stock alert, for any SKU. */
export function stockMessage(sku: string, view: StockView | undefined): { text: string; blocks: Block[] } {
  if (!view) return { text: `No stock level for ${sku}`, blocks: [section(`No stock level is known for ${code(sku)}. Import one with \`dockhand stock import <csv>\`, or check the SKU (ShipStation's, after the SKU map).`)] };
  const f = view.forecast;
  const status = f.status === 'out' ? ':no_entry: out of stock' : f.status === 'low' ? ':warning: low' : ':white_check_mark: ok';
  return {
    text: `${sku}: ${f.available} available (${f.status})`,
    blocks: [
      header(`Stock of ${sku}`),
      section(`Status: ${status}`, { fields: stockFields({ onHand: String(f.onHand), available: String(f.available), committed: String(f.committed), velocity14: String(f.velocity14), daysOfCover: f.daysOfCover === null ? '' : String(f.daysOfCover), stockOutDate: f.stockOutDate ?? '', reorderPoint: String(f.reorderPoint) }) }),
      section(openOrderLines(view.openOrders, view.openOrders.length)),
      context(`Velocity 7/14/30 d: ${f.velocity7} / ${f.velocity14} / ${f.velocity30} per day · ${view.levels.map((l) => `${escapeMrkdwn(l.warehouse || 'default')}: ${l.onHand}`).join(', ')}${view.reorder ? ` · reordered ${view.reorder.quantity}, expected ${escapeMrkdwn(view.reorder.expectedAt)}` : ''}`),
    ],
  };
}
