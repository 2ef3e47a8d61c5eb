import type { ClickedIn, ReportsFace } from '../reports/digest.job';
import { z } from 'zod';
import type { StatusData } from '../jobs/status';
import { isRetryable, toDockhandError } from '../domain/errors';
import { ACTIONS, parseButtonValue, type ButtonValue, type RenderContext } from '../domain/block-kit';
import type { Logger } from '../log/logger';
import type { AuditEntry, QuarantineEntry, UnmappedSku } from '../store/records';
import type { Store } from '../store/store';
import type { ConfirmationResult } from '../writeback/retry-confirmation';
import type { AlertManager } from './alerts';
import { auditList } from './audit-list';
import { helpMessage, refused, unknownCommand } from './replies';
import { statusMessage } from '../jobs/status-message';
import { MAP_SKU_VIEW, mapSkuModal, mapSkuModalErrors, validateShipStationSku } from '../sync/map-sku-modal';
import { orderTimeline } from '../sync/order-timeline-message';
import { quarantineList } from '../sync/quarantine-list-message';
import { syncKey } from '../sync/sync-failed-alert';
import { unmappedKey } from '../sync/unmapped-sku-alert';
import { unmappedList } from '../sync/unmapped-list-message';
import type { AtRiskOrder } from '../writeback/deadline-alert';
import { lateList } from '../writeback/late-list-message';
import { reconcileSummary } from '../writeback/reconcile-summary-message';
import { WRITEBACK_PROBLEM, type WritebackNotice } from '../writeback/writeback-alert';
import { isManagerOnly, parseCommand, type DockhandCommand } from './commands';
import type { OrderTimeline } from '../sync/order-timeline';
import { FILTER_STATUSES, listReturns, returnsListMessage } from '../returns/returns-list';
import { REROUTE_ACTION, REROUTE_VIEW } from '../rules/escalation-alert';
import { refusedModal, rerouteModal } from '../rules/reroute-modal';
import type { RuleInForce } from '../rules/reroute';
import { INVENTORY_ACTIONS, REORDER_VIEW, skuOfStockKey } from '../inventory/inventory-alerts';
import { INVENTORY_BUTTON_NAMES, inventoryAction, readReorder, readReorderMeta, reorderModal, stockMessage, type InventoryOps } from '../inventory/slack';

/**
 * What `/dockhand`, the alert buttons and the map-SKU modal do, independent of Bolt: each
 * takes who asked and what, does it through `DockhandOps`, writes the audit log and returns
 * the reply. app.ts only acks and delivers.
 */

/** What the Slack app needs from the running product. The CLI wiring implements it from the features' use cases. */
export interface DockhandOps {
  status(): Promise<StatusData>;
  /** What Dockhand did with one order, for `/dockhand order` and the Show order button. */
  orderTimeline(amazonOrderId: string): Promise<OrderTimelineData>;
  quarantine(): Promise<QuarantineEntry[]>;
  /**
   * Retries quarantined orders: `target` is an AmazonOrderId, `message-…` or 'all'. `accountId`
   * narrows it to one account when the caller knows it (alert buttons do); without it, every account.
   */
  retry(target: string, accountId?: string): Promise<RetryResult>;
  mapSku(amazonSku: string, shipstationSku: string, asin?: string): Promise<void>;
  unmapped(): Promise<UnmappedSku[]>;
  /** Pauses one account, or every account when undefined; returns the account IDs paused. */
  pause(accountId: string | undefined, by: string): Promise<string[]>;
  resume(accountId: string | undefined, by: string): Promise<string[]>;
  /** The last `n` audit entries, newest first. */
  audit(n: number): Promise<AuditEntry[]>;
  /** Runs one account's sync pass now. */
  retrySync(accountId: string): Promise<void>;
  accounts(): string[];
  /** Orders at risk of missing Amazon's ship-by, Prime first then least time left (for /dockhand late). */
  lateOrders(): Promise<AtRiskOrder[]>;
  /** Runs reconciliation now (all accounts or one) and returns what it found; problems are also alerted. */
  reconcile(accountId?: string): Promise<{ accounts: string[]; checkedOrders: number; checkedLabels: number; findings: WritebackNotice[] }>;
  /** Retries one label's confirmation on Amazon (quarantined or not yet sent). */
  retryConfirmation(labelId: string): Promise<ConfirmationResult>;
  /** Confirms a ShipStation label Amazon does not have (reconciliation's Confirm now): same result type. */
  confirmNow(accountId: string, amazonOrderId: string, labelId: string): Promise<ConfirmationResult>;
  /** Creates (or updates) the Amazon order in ShipStation now. */
  createInShipStation(accountId: string, amazonOrderId: string): Promise<{ ok: boolean; message: string }>;
  /** Adds the configured priority tag to the ShipStation order. */
  markPriority(shipstationOrderId: number): Promise<{ ok: boolean; message: string }>;
  /** Puts the ShipStation order on hold (holduntil), by default for 7 days. */
  holdOrder(shipstationOrderId: number): Promise<{ ok: boolean; message: string }>;
  /** Moves an order to another ShipStation warehouse (the rules' Re-route); absent without the rules. */
  reroute?(amazonOrderId: string, warehouse: string | number): Promise<{ ok: boolean; message: string; warehouse?: string }>;
  /** ShipStation's warehouses, for the Re-route modal. */
  warehouses?(): Promise<Array<{ id: number; name: string }>>;
  /** The rules in force with how many orders each matched today. */
  rulesInForce?(): Promise<RuleInForce[]>;
  /** Stock, snoozes, reorders and pushes (absent where inventory is not wired). */
  inventory?: InventoryOps;
}

export type { ConfirmationResult };

export interface RetryResult {
  retried: number;
  resolved: number;
  stillQuarantined: number;
  notFound: string[];
  /** Left in quarantine by 'all': orders only Amazon can correct (sync/retry.ts). Absent: not reported. */
  skipped?: number;
}

/** What `orderTimeline` in ts renders: the order's record, quarantine entry, audit entries, alerts and labels (`confirmations`). */
export type OrderTimelineData = OrderTimeline;

export interface HandlerRoles {
  isManager(userId: string): Promise<boolean> | boolean;
}

/** A reply to the person who asked: ephemeral unless `inChannel`. */
export interface Reply {
  text: string;
  blocks?: unknown[];
  inChannel?: boolean;
}

export interface HandlerDeps {
  ops: DockhandOps;
  store: Store;
  alerts: AlertManager;
  roles: HandlerRoles;
  logger: Logger;
  now: () => Date;
  /** What messages need besides their data (the ShipStation web app), from the config. */
  render?: RenderContext;
  /** `/dockhand report` and the report buttons (src/reports), when the app can upload files. */
  reports?: ReportsFace;
}

/** Splits an alert key into its parts: `quarantine:<account>:<order>`, `quarantine_burst:<account>`, `sync:<account>`, `unmapped:<sku>`. Pure. */
export function parseAlertKey(key: string): { kind: string; accountId?: string; amazonOrderId?: string; amazonSku?: string } {
  const [kind = '', ...rest] = key.split(':');
  if (kind === 'quarantine' && rest.length >= 2) return { kind, accountId: rest[0]!, amazonOrderId: rest.slice(1).join(':') };
  if ((kind === 'quarantine_burst' || kind === 'sync') && rest.length >= 1) return { kind, accountId: rest.join(':') };
  if (kind === 'unmapped' && rest.length >= 1) return { kind, amazonSku: rest.join(':') };
  return { kind };
}

function fromBlocks(m: { text?: string; blocks?: unknown[] }, fallback: string): Reply {
  return { text: m.text ?? fallback, ...(m.blocks ? { blocks: m.blocks } : {}) };
}

function plain(text: string): Reply {
  return { text };
}

function describeRetry(r: RetryResult): string {
  const skipped = r.skipped ?? 0;
  const them = skipped === 1 ? 'it' : 'them';
  const left = `${skipped} skipped: only Amazon can correct ${them}, and Dockhand imports ${them} automatically when Amazon updates ${them}`;
  if (r.retried === 0 && r.notFound.length > 0) return `not in quarantine: ${r.notFound.join(', ')}`;
  if (r.retried === 0) return skipped > 0 ? `nothing to retry; ${left}` : 'nothing in quarantine';
  return `${r.retried} retried: ${r.resolved} sent, ${r.stillQuarantined} still quarantined${skipped > 0 ? `; ${left}` : ''}`;
}

function clock(d: Date): string {
  return `${d.toISOString().slice(11, 16)} UTC`;
}

/** Builds the handlers; every command and action they run is written to the audit log. */
export function createHandlers(deps: HandlerDeps) {
  const { ops, store, alerts, logger, now } = deps;
  const render = deps.render ?? {};

  async function audit(actor: string, action: string, outcome: AuditEntry['outcome'], target?: string, detail?: string): Promise<void> {
    await store
      .recordAudit({ at: now().toISOString(), actor, source: 'slack', action, outcome, ...(target ? { target } : {}), ...(detail ? { detail: detail.slice(0, 500) } : {}) })
      .catch((e: unknown) => logger.error({ err: (e as Error).message, action }, 'audit entry not written'));
  }

  async function isManager(userId: string): Promise<boolean> {
    try {
      return await deps.roles.isManager(userId);
    } catch {
      return false;
    }
  }

  async function refuse(userId: string, action: string, target: string | undefined, what: string): Promise<Reply> {
    await audit(userId, action, 'refused', target, 'not a manager');
    return fromBlocks(refused(`Only managers may ${what}; nothing was changed.`), `Only managers may ${what}.`);
  }

  async function runCommand(userId: string, cmd: DockhandCommand): Promise<Reply> {
    switch (cmd.kind) {
      case 'help':
        return fromBlocks(helpMessage(), 'Dockhand commands');
      case 'status':
        return fromBlocks(statusMessage(await ops.status()), 'Dockhand status');
      case 'order':
        return fromBlocks(orderTimeline(await ops.orderTimeline(cmd.amazonOrderId), render), `Order ${cmd.amazonOrderId}`);
      case 'quarantine':
        return fromBlocks(quarantineList(await ops.quarantine()), 'Quarantine');
      case 'retry': {
        const r = cmd.all ? await retryAll() : await ops.retry(cmd.target);
        return plain(`Retry ${cmd.all ? 'all' : cmd.target}: ${describeRetry(r)}`);
      }
      case 'sku_map': {
        const problem = validateShipStationSku(cmd.shipstationSku);
        if (problem) return plain(`Not mapped: ${problem}`);
        await ops.mapSku(cmd.amazonSku, cmd.shipstationSku);
        alerts.markResolved(unmappedKey(cmd.amazonSku), `mapped it to ${cmd.shipstationSku}`, userId);
        return plain(`Mapped \`${cmd.amazonSku}\` → \`${cmd.shipstationSku}\`. Orders waiting for it go out on the next sync (or press Retry).`);
      }
      case 'sku_unmapped':
        return fromBlocks(unmappedList(await ops.unmapped()), 'Unmapped SKUs');
      case 'pause': {
        const ids = await ops.pause(cmd.accountId, userId);
        for (const id of ids) alerts.noteAction(syncKey(id), userId, 'paused the sync');
        return { text: `<@${userId}> paused sync for ${ids.join(', ') || 'no account'}. \`/dockhand resume\` starts it again.`, inChannel: true };
      }
      case 'resume': {
        const ids = await ops.resume(cmd.accountId, userId);
        return { text: `<@${userId}> resumed sync for ${ids.join(', ') || 'no account'}.`, inChannel: true };
      }
      case 'audit':
        return fromBlocks(auditList(await ops.audit(cmd.limit)), 'Audit log');
      case 'late':
        return fromBlocks(lateList(await ops.lateOrders(), now(), render), 'Orders at risk');
      case 'reconcile': {
        const known = ops.accounts();
        if (cmd.accountId && !known.includes(cmd.accountId)) return plain(`No account \`${cmd.accountId}\`; the accounts are ${known.map((a) => `\`${a}\``).join(', ') || 'none'}.`);
        return fromBlocks(reconcileSummary(await ops.reconcile(cmd.accountId), now(), render), 'Reconciliation');
      }
      case 'returns':
        return fromBlocks(returnsListMessage(await listReturns(store, FILTER_STATUSES[cmd.filter]), cmd.filter), 'Returns');
      case 'route': {
        if (!ops.reroute) return plain('Re-routing needs the rules (`rules:` in the config).');
        const r = await ops.reroute(cmd.amazonOrderId, cmd.warehouse);
        if (!r.ok) return plain(`Not re-routed: ${r.message}`);
        return { text: `<@${userId}> re-routed ${cmd.amazonOrderId}: ${r.message}.`, inChannel: true };
      }
      case 'rules': {
        const list = (await ops.rulesInForce?.()) ?? [];
        if (list.length === 0) return plain('No routing rules are in force: orders go out as mapped (`rules:` in the config).');
        return plain([`*Rules in force* (in file order; orders matched today, UTC)`, ...list.map((r, i) => `${i + 1}. \`${r.name}\` — ${r.matchedToday} today — ${r.summary}`)].join('\n'));
      }
      case 'report':
        return deps.reports ? deps.reports.command(cmd.args) : plain('Reports are not available in this Dockhand.');
      case 'stock':
        return fromBlocks(stockMessage(cmd.sku, await ops.inventory?.stock(cmd.sku)), `Stock of ${cmd.sku}`);
      case 'unknown':
      case 'usage':
        return fromBlocks(unknownCommand(cmd.message), cmd.message);
    }
  }

  /**
   * Records an action on an alert; true when this request may act (the first for this version).
   * Buttons of one message share its key and version, so per-entry buttons (action ids with a
   * `:<target>` suffix: deadline and list messages) claim per button, and every Retry sync of one
   * account in a message claims once: the sync it runs covers them all.
   */
  async function claim(actionId: string, v: ButtonValue): Promise<boolean> {
    const id = baseAction(actionId);
    const entry = actionId === id ? '' : id === ACTIONS.retrySync ? `:${id}:${v.accountId ?? ''}` : `:${actionId}`;
    return store.claimOnce(`action:${v.key}:${v.version}${entry}`, now().toISOString());
  }

  /**
   * Retry all: retries what a retry can help and says how many it skipped (sync/retry.ts leaves
   * out what only Amazon can correct). Those are counted here, before the retry, when the ops
   * don't report them.
   */
  async function retryAll(accountId?: string): Promise<RetryResult> {
    const skipped = (await ops.quarantine()).filter((q) => (accountId === undefined || q.accountId === accountId) && !isRetryable(q.code)).length;
    const r = await ops.retry('all', accountId);
    return { ...r, skipped: r.skipped ?? skipped };
  }

  async function alreadyDone(v: ButtonValue): Promise<Reply> {
    const r = await alerts.get(v.key);
    const who = r?.lastActor ? `<@${r.lastActor}>` : 'someone else';
    return plain(`Already done by ${who}${r?.lastActionAt ? ` at ${clock(new Date(r.lastActionAt))}` : ''}: nothing more to do.`);
  }


  return {
    /** Runs `/dockhand <text>` for `userId`. Never throws: failures become the reply. */
    async command(userId: string, text: string): Promise<Reply> {
      const cmd = parseCommand(text);
      const action = `command:/dockhand ${cmd.kind}`;
      const target = 'amazonOrderId' in cmd ? cmd.amazonOrderId : 'target' in cmd ? cmd.target : 'accountId' in cmd ? cmd.accountId : 'amazonSku' in cmd ? cmd.amazonSku : cmd.kind === 'retry' ? 'all' : undefined;
      if (isManagerOnly(cmd) && !(await isManager(userId))) return refuse(userId, action, target, cmd.kind === 'route' ? 're-route orders' : `${cmd.kind} the sync`);
      try {
        const reply = await runCommand(userId, cmd);
        await audit(userId, action, cmd.kind === 'unknown' || cmd.kind === 'usage' ? 'refused' : 'ok', target);
        return reply;
      } catch (e) {
        const err = toDockhandError(e);
        logger.warn({ err: err.message, code: err.code, action }, 'Slack command failed');
        await audit(userId, action, 'failed', target, `${err.code}: ${err.message}`);
        return plain(`That did not work: ${err.message}${err.hint ? `\n${err.hint}` : ''}`);
      }
    },

    /** True for buttons that open a modal (app.ts opens it before anything else). */
    opensModal(actionId: string): boolean {
      return baseAction(actionId) === ACTIONS.mapSku || baseAction(actionId) === REROUTE_ACTION || baseAction(actionId) === INVENTORY_ACTIONS.reorder;
    },

    /** The modal a button opens, or undefined when its value is unusable. */
    modalFor(actionId: string, value: string | undefined, userId?: string): unknown {
      const v = parseButtonValue(value);
      if (baseAction(actionId) === REROUTE_ACTION) return v ? rerouteModalFor(v, userId) : undefined;
      const sku = v && skuOfStockKey(v.key);
      if (baseAction(actionId) === INVENTORY_ACTIONS.reorder) return v && sku ? reorderModal(sku, v.key) : undefined;
      if (baseAction(actionId) !== ACTIONS.mapSku || !v) return undefined;
      const amazonSku = v.amazonSku ?? parseAlertKey(v.key).amazonSku;
      if (!amazonSku) return undefined;
      const meta: ModalMeta = { key: v.key, amazonSku, ...(v.asin ? { asin: v.asin } : {}) };
      return mapSkuModal({ amazonSku, ...(v.asin ? { asin: v.asin } : {}), privateMetadata: JSON.stringify(meta) });
    },

    async auditModalOpened(actionId: string, userId: string, value: string | undefined): Promise<void> {
      const refusedHere = baseAction(actionId) === REROUTE_ACTION && !(await isManager(userId));
      await audit(userId, `action:${baseAction(actionId)}`, refusedHere ? 'refused' : 'ok', parseButtonValue(value)?.key, refusedHere ? 'not a manager' : 'modal opened');
    },

    rerouteCallbackId: REROUTE_VIEW.callbackId,

    /** Re-routes the order the modal was opened for to the chosen warehouse (managers only). */
    async reroute(userId: string, values: Record<string, string>, privateMetadata: string): Promise<void> {
      const action = `view:${REROUTE_VIEW.callbackId}`;
      let meta: { key?: string; amazonOrderId?: string } = {};
      try {
        meta = JSON.parse(privateMetadata) as typeof meta;
      } catch {
        // Read below as "carried no order".
      }
      const warehouse = values[REROUTE_VIEW.blockId];
      if (!meta.amazonOrderId || !warehouse || !ops.reroute) {
        await audit(userId, action, 'failed', meta.key, 'modal carried no order or warehouse');
        return;
      }
      if (!(await isManager(userId))) {
        await audit(userId, action, 'refused', meta.amazonOrderId, 'not a manager');
        return;
      }
      try {
        const r = await ops.reroute(meta.amazonOrderId, /^\d+$/.test(warehouse) ? Number(warehouse) : warehouse);
        if (meta.key) alerts.noteAction(meta.key, userId, `re-routed it — ${r.message}`);
        await audit(userId, action, r.ok ? 'ok' : 'failed', meta.amazonOrderId, r.message);
      } catch (e) {
        const err = toDockhandError(e);
        if (meta.key) alerts.noteAction(meta.key, userId, `tried to re-route it — failed: ${err.message}`);
        await audit(userId, action, 'failed', meta.amazonOrderId, `${err.code}: ${err.message}`);
      }
    },

    /** Runs an alert button (value: the JSON ButtonValue of ts). Never throws. */
    async action(actionId: string, userId: string, value: string | undefined, where?: ClickedIn): Promise<Reply | undefined> {
      const id = baseAction(actionId);
      const action = `action:${id}`;
      if (deps.reports?.handles(id)) {
        // Read-only (a CSV upload at most): no claim, a second click answers again.
        try {
          const reply = await deps.reports.action(id, value, where);
          await audit(userId, action, 'ok', value);
          return reply;
        } catch (e) {
          const err = toDockhandError(e);
          await audit(userId, action, 'failed', value, `${err.code}: ${err.message}`);
          return plain(`That did not work: ${err.message}`);
        }
      }
      // A link: Slack opened the page itself and only tells us about the click. Nothing to do.
      if (id === ACTIONS.openShipStation) return undefined;
      const v = parseButtonValue(value);
      if (!v) {
        await audit(userId, action, 'failed', undefined, 'unreadable button value');
        return plain('This button is from an older Dockhand and no longer works; use `/dockhand quarantine`.');
      }
      const key = parseAlertKey(v.key);
      const accountId = v.accountId ?? key.accountId;
      const amazonOrderId = v.amazonOrderId ?? key.amazonOrderId;
      if (id === ACTIONS.showOrder) {
        // Read-only: no claim, a second click shows it again.
        if (!amazonOrderId) return plain('This button no longer points at an order.');
        try {
          const reply = fromBlocks(orderTimeline(await ops.orderTimeline(amazonOrderId), render), `Order ${amazonOrderId}`);
          await audit(userId, action, 'ok', amazonOrderId);
          return reply;
        } catch (e) {
          const err = toDockhandError(e);
          await audit(userId, action, 'failed', amazonOrderId, `${err.code}: ${err.message}`);
          return plain(`Could not show order ${amazonOrderId}: ${err.message}`);
        }
      }
      // Only Pause is for managers. The per-order fixes (Retry, Confirm now, Create in ShipStation,
      // Hold, Mark priority) are like Retry: they do for one order what Dockhand does on its own,
      // or what staff do in ShipStation anyway; the irreversible or blocking ones ask to confirm.
      if (id === ACTIONS.pauseSync && !(await isManager(userId))) return refuse(userId, action, v.key, 'pause the sync');
      if (!(await claim(actionId, v))) {
        await audit(userId, action, 'refused', v.key, 'already done');
        return alreadyDone(v);
      }
      // Per-entry buttons share one message: say which entry was acted on.
      const name = buttonName(actionId);
      const pressed = `pressed ${name}${actionId !== id && amazonOrderId ? ` for ${amazonOrderId}` : ''}`;
      alerts.noteAction(v.key, userId, `${pressed} — working on it`);
      try {
        const done = await runAction(id, userId, v, pressed, { accountId, amazonOrderId });
        await audit(userId, action, done.failed ? 'failed' : 'ok', v.key, done.detail);
        // A single-problem alert shows the outcome in place. Per-entry buttons (deadline and list
        // messages, ephemeral replies) answer the person who clicked: theirs may not be the last word there.
        return actionId === id ? undefined : plain(`${name}${amazonOrderId ? ` for ${amazonOrderId}` : ''}: ${done.detail}`);
      } catch (e) {
        const err = toDockhandError(e);
        logger.warn({ err: err.message, code: err.code, action }, 'Slack action failed');
        alerts.noteAction(v.key, userId, `${pressed} — failed: ${err.message}`);
        await audit(userId, action, 'failed', v.key, `${err.code}: ${err.message}`);
        return plain(`That did not work: ${err.message}${err.hint ? `\n${err.hint}` : ''}`);
      }
    },

    mapSkuCallbackId: MAP_SKU_VIEW.callbackId,
    reorderCallbackId: REORDER_VIEW,

    /** The view_submission answer for Mark reordered: errors by block, or undefined to save. */
    validateReorder(values: Record<string, string>): { response_action: 'errors'; errors: Record<string, string> } | undefined {
      const r = readReorder(values);
      return 'errors' in r ? { response_action: 'errors', errors: r.errors } : undefined;
    },

    /** Saves a reorder from the modal and says so on the SKU's alert. */
    async markReordered(userId: string, values: Record<string, string>, privateMetadata: string): Promise<void> {
      const meta = readReorderMeta(privateMetadata);
      const r = readReorder(values);
      const action = `view:${REORDER_VIEW}`;
      if (!meta || 'errors' in r || !ops.inventory) return audit(userId, action, 'failed', meta?.key, 'modal carried no SKU');
      const detail = await ops.inventory.markReordered(meta.sku, r.quantity, r.expectedAt, userId);
      alerts.noteAction(meta.key, userId, `marked it reordered — ${detail}`);
      await audit(userId, action, 'ok', meta.sku, detail);
    },

    /** The view_submission answer for an unacceptable SKU, or undefined when it may be saved. */
    validateMapSku(values: Record<string, string>): ReturnType<typeof mapSkuModalErrors> | undefined {
      const problem = validateShipStationSku(values[MAP_SKU_VIEW.blockId] ?? '');
      return problem ? mapSkuModalErrors(problem) : undefined;
    },

    /** Saves a mapping submitted in the modal (values by block_id) and marks the unmapped-SKU alert resolved. */
    async mapSku(userId: string, values: Record<string, string>, privateMetadata: string): Promise<void> {
      const meta = readMeta(privateMetadata);
      const shipstationSku = values[MAP_SKU_VIEW.blockId] ?? '';
      const action = `view:${MAP_SKU_VIEW.callbackId}`;
      if (!meta) {
        await audit(userId, action, 'failed', undefined, 'modal carried no Amazon SKU');
        return;
      }
      const key = meta.key ?? unmappedKey(meta.amazonSku);
      try {
        await ops.mapSku(meta.amazonSku, shipstationSku, meta.asin);
        alerts.markResolved(key, `mapped it to ${shipstationSku}`, userId);
        await audit(userId, action, 'ok', meta.amazonSku, `→ ${shipstationSku}`);
      } catch (e) {
        const err = toDockhandError(e);
        alerts.noteAction(key, userId, `tried to map it — failed: ${err.message}`);
        await audit(userId, action, 'failed', meta.amazonSku, `${err.code}: ${err.message}`);
      }
    },
  };

  async function rerouteModalFor(v: ButtonValue, userId: string | undefined): Promise<unknown> {
    if (userId !== undefined && !(await isManager(userId))) return refusedModal('Only managers may re-route orders; nothing was changed.');
    const warehouses = (await ops.warehouses?.().catch(() => [])) ?? [];
    const amazonOrderId = v.amazonOrderId ?? parseAlertKey(v.key).amazonOrderId ?? '';
    const current = (await alerts.get(v.key))?.facts.warehouse;
    return rerouteModal({ amazonOrderId, ...(current ? { current } : {}), warehouses, privateMetadata: JSON.stringify({ key: v.key, amazonOrderId }) });
  }

  /** A problem fixed by a button: a writeback alert is resolved; on other messages the action is noted. */
  async function settle(alertKey: string, userId: string, text: string, fixed: boolean): Promise<void> {
    const r = fixed ? await alerts.get(alertKey) : undefined;
    if (r?.kind === WRITEBACK_PROBLEM.name) alerts.markResolved(alertKey, text, userId);
    else alerts.noteAction(alertKey, userId, text);
  }

  async function confirmationDone(alertKey: string, userId: string, pressed: string, r: ConfirmationResult): Promise<ActionDone> {
    const words = { confirmed: 'confirmed on Amazon', skipped: 'nothing to confirm', quarantined: 'still refused', not_found: 'label not found' }[r.outcome];
    const detail = `${words}${r.message ? `: ${r.message}` : ''}`;
    const fixed = r.outcome === 'confirmed' || r.outcome === 'skipped';
    await settle(alertKey, userId, `${pressed} — ${detail}`, fixed);
    return { detail, failed: !fixed };
  }

  async function shipstationDone(alertKey: string, userId: string, pressed: string, r: { ok: boolean; message: string }, fixes: boolean): Promise<ActionDone> {
    const detail = r.ok ? r.message || 'done' : `failed: ${r.message || 'ShipStation did not take it'}`;
    await settle(alertKey, userId, `${pressed} — ${detail}`, r.ok && fixes);
    return { detail, failed: !r.ok };
  }

  async function runAction(id: string, userId: string, v: ButtonValue, pressed: string, target: { accountId?: string; amazonOrderId?: string }): Promise<ActionDone> {
    const alertKey = v.key;
    switch (id) {
      case ACTIONS.retryOrder: {
        if (!target.amazonOrderId) throw new Error('this alert is not about one order');
        const r = await ops.retry(target.amazonOrderId, target.accountId);
        const outcome = r.stillQuarantined > 0 ? 'still quarantined' : r.resolved > 0 ? 'sent to ShipStation' : 'no longer in quarantine';
        if (r.stillQuarantined === 0) alerts.markResolved(alertKey, `pressed Retry — ${outcome}`, userId);
        else alerts.noteAction(alertKey, userId, `pressed Retry — ${outcome}`);
        return { detail: describeRetry(r) };
      }
      case ACTIONS.retryAll: {
        const r = await retryAll(target.accountId);
        // What Retry all skipped is still quarantined: the burst message stays open for it.
        if (r.stillQuarantined === 0 && !r.skipped) alerts.markResolved(alertKey, `pressed Retry all — ${describeRetry(r)}`, userId);
        else alerts.noteAction(alertKey, userId, `pressed Retry all — ${describeRetry(r)}`);
        return { detail: describeRetry(r) };
      }
      case ACTIONS.retrySync: {
        if (!target.accountId) throw new Error('this alert is not about an account');
        await ops.retrySync(target.accountId);
        alerts.noteAction(alertKey, userId, `${pressed} — sync of ${target.accountId} ran`);
        return { detail: `sync of ${target.accountId} ran` };
      }
      case ACTIONS.pauseSync: {
        if (!target.accountId) throw new Error('this alert is not about an account');
        const ids = await ops.pause(target.accountId, userId);
        alerts.noteAction(alertKey, userId, `paused the sync — \`/dockhand resume ${target.accountId}\` starts it again`);
        return { detail: `paused ${ids.join(', ')}` };
      }
      case ACTIONS.retryConfirmation: {
        if (!v.labelId) throw new Error('this button does not name a label');
        return confirmationDone(alertKey, userId, pressed, await ops.retryConfirmation(v.labelId));
      }
      case ACTIONS.confirmNow: {
        if (!v.labelId || !target.accountId || !target.amazonOrderId) throw new Error('this button does not name an order and a label');
        return confirmationDone(alertKey, userId, pressed, await ops.confirmNow(target.accountId, target.amazonOrderId, v.labelId));
      }
      case ACTIONS.createInShipStation: {
        if (!target.accountId || !target.amazonOrderId) throw new Error('this button does not name an order');
        return shipstationDone(alertKey, userId, pressed, await ops.createInShipStation(target.accountId, target.amazonOrderId), true);
      }
      case ACTIONS.holdOrder: {
        if (v.shipstationOrderId === undefined) throw new Error('this button does not name a ShipStation order');
        return shipstationDone(alertKey, userId, pressed, await ops.holdOrder(v.shipstationOrderId), true);
      }
      case ACTIONS.markPriority: {
        if (v.shipstationOrderId === undefined) throw new Error('this button does not name a ShipStation order');
        // A tag does not ship the order: the alert stays open.
        return shipstationDone(alertKey, userId, pressed, await ops.markPriority(v.shipstationOrderId), false);
      }
      default: {
        const done = ops.inventory ? await inventoryAction(ops.inventory, id, alertKey, userId) : undefined;
        if (!done) throw new Error(`unknown button ${id}`);
        alerts.noteAction(alertKey, userId, `${pressed} — ${done.detail}`);
        return done;
      }
    }
  }
}

export type Handlers = ReturnType<typeof createHandlers>;

/** What an action did: `detail` goes to the audit log and the reply; `failed` when the fix did not take. */
interface ActionDone {
  detail: string;
  failed?: boolean;
}

const BUTTON_NAMES: Record<string, string> = {
  [ACTIONS.retryOrder]: 'Retry',
  [ACTIONS.retryAll]: 'Retry all',
  [ACTIONS.retrySync]: 'Retry now',
  [ACTIONS.pauseSync]: 'Pause',
  [ACTIONS.retryConfirmation]: 'Retry',
  [ACTIONS.confirmNow]: 'Confirm now',
  [ACTIONS.createInShipStation]: 'Create in ShipStation',
  [ACTIONS.holdOrder]: 'Hold',
  [ACTIONS.markPriority]: 'Mark priority',
  [REROUTE_ACTION]: 'Re-route',
  ...INVENTORY_BUTTON_NAMES,
};

/** The name of the button as it reads in the message (Retry sync in per-order rows is Retry now on sync alerts). */
function buttonName(actionId: string): string {
  const id = baseAction(actionId);
  if (id === ACTIONS.retrySync && actionId !== id) return 'Retry sync';
  return BUTTON_NAMES[id] ?? id;
}

/** List messages suffix action ids with `:<target>` (ts); the part before is the action. */
export function baseAction(actionId: string): string {
  return actionId.split(':')[0] ?? actionId;
}

const ModalMeta = z.object({ key: z.string().optional(), amazonSku: z.string().min(1), asin: z.string().optional() });
type ModalMeta = z.infer<typeof ModalMeta>;

function readMeta(meta: string): ModalMeta | undefined {
  try {
    const m = ModalMeta.safeParse(JSON.parse(meta));
    return m.success ? m.data : undefined;
  } catch {
    return undefined;
  }
}
