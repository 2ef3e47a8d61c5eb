import { z } from 'zod';
import type { StatusData } from '../cli/status';
import { toDockhandError } from '../domain/errors';
import type { Logger } from '../log/logger';
import type { AuditEntry, QuarantineEntry, UnmappedSku } from '../store/records';
import type { Store } from '../store/store';
import type { AlertManager } from './alerts';
import * as blocks from './blocks';
import { isManagerOnly, parseCommand, type DockhandCommand } from './commands';

/**
 * What `/dockhand`, the alert buttons and the map-SKU modal do, independent of Bolt: each
 * takes who asked and what, does it through `DockhandOps`, writes the audit log and returns
 * the reply. app.ts only acks and delivers.
 */

/** What the Slack app needs from the running product. The CLI wiring implements it. */
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
}

export interface RetryResult {
  retried: number;
  resolved: number;
  stillQuarantined: number;
  notFound: string[];
}

/** What `orderTimeline` in blocks.ts renders: the order's record, quarantine entry, audit entries and alerts. */
export type OrderTimelineData = blocks.OrderTimelineInput;

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
}

type ButtonValue = blocks.ButtonValue;

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
  if (r.retried === 0 && r.notFound.length > 0) return `not in quarantine: ${r.notFound.join(', ')}`;
  if (r.retried === 0) return 'nothing in quarantine';
  return `${r.retried} retried: ${r.resolved} sent, ${r.stillQuarantined} still quarantined`;
}

function clock(d: Date): string {
  return `${d.toISOString().slice(11, 16)} UTC`;
}

/** Builds the handlers; every command and action they run is written to the audit log. */
export function createHandlers(deps: HandlerDeps) {
  const { ops, store, alerts, logger, now } = deps;

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
    return fromBlocks(blocks.refused(`Only managers may ${what}; nothing was changed.`), `Only managers may ${what}.`);
  }

  async function runCommand(userId: string, cmd: DockhandCommand): Promise<Reply> {
    switch (cmd.kind) {
      case 'help':
        return fromBlocks(blocks.helpMessage(), 'Dockhand commands');
      case 'status':
        return fromBlocks(blocks.statusMessage(await ops.status()), 'Dockhand status');
      case 'order':
        return fromBlocks(blocks.orderTimeline(await ops.orderTimeline(cmd.amazonOrderId)), `Order ${cmd.amazonOrderId}`);
      case 'quarantine':
        return fromBlocks(blocks.quarantineList(await ops.quarantine()), 'Quarantine');
      case 'retry': {
        const r = await ops.retry(cmd.all ? 'all' : cmd.target);
        return plain(`Retry ${cmd.all ? 'all' : cmd.target}: ${describeRetry(r)}`);
      }
      case 'sku_map': {
        const problem = blocks.validateShipStationSku(cmd.shipstationSku);
        if (problem) return plain(`Not mapped: ${problem}`);
        await ops.mapSku(cmd.amazonSku, cmd.shipstationSku);
        alerts.resolve(`unmapped:${cmd.amazonSku}`, `mapped it to ${cmd.shipstationSku}`, userId);
        return plain(`Mapped \`${cmd.amazonSku}\` → \`${cmd.shipstationSku}\`. Orders waiting for it go out on the next sync (or press Retry).`);
      }
      case 'sku_unmapped':
        return fromBlocks(blocks.unmappedList(await ops.unmapped()), 'Unmapped SKUs');
      case 'pause': {
        const ids = await ops.pause(cmd.accountId, userId);
        for (const id of ids) alerts.noteAction(`sync:${id}`, userId, 'paused the sync');
        return { text: `<@${userId}> paused sync for ${ids.join(', ') || 'no account'}. \`/dockhand resume\` starts it again.`, inChannel: true };
      }
      case 'resume': {
        const ids = await ops.resume(cmd.accountId, userId);
        return { text: `<@${userId}> resumed sync for ${ids.join(', ') || 'no account'}.`, inChannel: true };
      }
      case 'audit':
        return fromBlocks(blocks.auditList(await ops.audit(cmd.limit)), 'Audit log');
      case 'unknown':
      case 'usage':
        return fromBlocks(blocks.unknownCommand(cmd.message), cmd.message);
    }
  }

  /** Records an action on an alert; true when this request may act (the first for this version). */
  async function claim(v: ButtonValue): Promise<boolean> {
    return store.claimOnce(`action:${v.key}:${v.version}`, now().toISOString());
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
      if (isManagerOnly(cmd) && !(await isManager(userId))) return refuse(userId, action, target, `${cmd.kind} the sync`);
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
      return baseAction(actionId) === blocks.ACTIONS.mapSku;
    },

    /** The modal a button opens, or undefined when its value is unusable. */
    modalFor(actionId: string, value: string | undefined): unknown {
      const v = blocks.parseButtonValue(value);
      if (baseAction(actionId) !== blocks.ACTIONS.mapSku || !v) return undefined;
      const amazonSku = v.amazonSku ?? parseAlertKey(v.key).amazonSku;
      if (!amazonSku) return undefined;
      const meta: ModalMeta = { key: v.key, amazonSku, ...(v.asin ? { asin: v.asin } : {}) };
      return blocks.mapSkuModal({ amazonSku, ...(v.asin ? { asin: v.asin } : {}), privateMetadata: JSON.stringify(meta) });
    },

    async auditModalOpened(actionId: string, userId: string, value: string | undefined): Promise<void> {
      await audit(userId, `action:${baseAction(actionId)}`, 'ok', blocks.parseButtonValue(value)?.key, 'modal opened');
    },

    /** Runs an alert button (value: the JSON ButtonValue of blocks.ts). Never throws. */
    async action(actionId: string, userId: string, value: string | undefined): Promise<Reply | undefined> {
      const id = baseAction(actionId);
      const action = `action:${id}`;
      const v = blocks.parseButtonValue(value);
      if (!v) {
        await audit(userId, action, 'failed', undefined, 'unreadable button value');
        return plain('This button is from an older Dockhand and no longer works; use `/dockhand quarantine`.');
      }
      const key = parseAlertKey(v.key);
      const accountId = v.accountId ?? key.accountId;
      const amazonOrderId = v.amazonOrderId ?? key.amazonOrderId;
      if (id === blocks.ACTIONS.showOrder) {
        // Read-only: no claim, a second click shows it again.
        if (!amazonOrderId) return plain('This button no longer points at an order.');
        try {
          const reply = fromBlocks(blocks.orderTimeline(await ops.orderTimeline(amazonOrderId)), `Order ${amazonOrderId}`);
          await audit(userId, action, 'ok', amazonOrderId);
          return reply;
        } catch (e) {
          const err = toDockhandError(e);
          await audit(userId, action, 'failed', amazonOrderId, `${err.code}: ${err.message}`);
          return plain(`Could not show order ${amazonOrderId}: ${err.message}`);
        }
      }
      if (id === blocks.ACTIONS.pauseSync && !(await isManager(userId))) return refuse(userId, action, v.key, 'pause the sync');
      if (!(await claim(v))) {
        await audit(userId, action, 'refused', v.key, 'already done');
        return alreadyDone(v);
      }
      alerts.noteAction(v.key, userId, `pressed ${BUTTON_NAMES[id] ?? id} — working on it`);
      try {
        const detail = await runAction(id, userId, v.key, { accountId, amazonOrderId });
        await audit(userId, action, 'ok', v.key, detail);
        return undefined;
      } catch (e) {
        const err = toDockhandError(e);
        logger.warn({ err: err.message, code: err.code, action }, 'Slack action failed');
        alerts.noteAction(v.key, userId, `pressed ${BUTTON_NAMES[id] ?? id} — failed: ${err.message}`);
        await audit(userId, action, 'failed', v.key, `${err.code}: ${err.message}`);
        return plain(`That did not work: ${err.message}${err.hint ? `\n${err.hint}` : ''}`);
      }
    },

    mapSkuCallbackId: blocks.MAP_SKU_VIEW.callbackId,

    /** The view_submission answer for an unacceptable SKU, or undefined when it may be saved. */
    validateMapSku(values: Record<string, string>): ReturnType<typeof blocks.mapSkuModalErrors> | undefined {
      const problem = blocks.validateShipStationSku(values[blocks.MAP_SKU_VIEW.blockId] ?? '');
      return problem ? blocks.mapSkuModalErrors(problem) : undefined;
    },

    /** Saves a mapping submitted in the modal (values by block_id) and marks the unmapped-SKU alert resolved. */
    async mapSku(userId: string, values: Record<string, string>, privateMetadata: string): Promise<void> {
      const meta = readMeta(privateMetadata);
      const shipstationSku = values[blocks.MAP_SKU_VIEW.blockId] ?? '';
      const action = `view:${blocks.MAP_SKU_VIEW.callbackId}`;
      if (!meta) {
        await audit(userId, action, 'failed', undefined, 'modal carried no Amazon SKU');
        return;
      }
      const key = meta.key ?? `unmapped:${meta.amazonSku}`;
      try {
        await ops.mapSku(meta.amazonSku, shipstationSku, meta.asin);
        alerts.resolve(key, `mapped it to ${shipstationSku}`, userId);
        await audit(userId, action, 'ok', meta.amazonSku, `→ ${shipstationSku}`);
      } catch (e) {
        const err = toDockhandError(e);
        alerts.noteAction(key, userId, `tried to map it — failed: ${err.message}`);
        await audit(userId, action, 'failed', meta.amazonSku, `${err.code}: ${err.message}`);
      }
    },
  };

  async function runAction(id: string, userId: string, alertKey: string, target: { accountId?: string; amazonOrderId?: string }): Promise<string> {
    switch (id) {
      case blocks.ACTIONS.retryOrder: {
        if (!target.amazonOrderId) throw new Error('this alert is not about one order');
        const r = await ops.retry(target.amazonOrderId, target.accountId);
        const outcome = r.stillQuarantined > 0 ? 'still quarantined' : r.resolved > 0 ? 'sent to ShipStation' : 'no longer in quarantine';
        if (r.stillQuarantined === 0) alerts.resolve(alertKey, `pressed Retry — ${outcome}`, userId);
        else alerts.noteAction(alertKey, userId, `pressed Retry — ${outcome}`);
        return describeRetry(r);
      }
      case blocks.ACTIONS.retryAll: {
        const r = await ops.retry('all', target.accountId);
        if (r.stillQuarantined === 0) alerts.resolve(alertKey, `pressed Retry all — ${describeRetry(r)}`, userId);
        else alerts.noteAction(alertKey, userId, `pressed Retry all — ${describeRetry(r)}`);
        return describeRetry(r);
      }
      case blocks.ACTIONS.retrySync: {
        if (!target.accountId) throw new Error('this alert is not about an account');
        await ops.retrySync(target.accountId);
        alerts.noteAction(alertKey, userId, 'pressed Retry now — sync ran');
        return 'sync ran';
      }
      case blocks.ACTIONS.pauseSync: {
        if (!target.accountId) throw new Error('this alert is not about an account');
        const ids = await ops.pause(target.accountId, userId);
        alerts.noteAction(alertKey, userId, `paused the sync — \`/dockhand resume ${target.accountId}\` starts it again`);
        return `paused ${ids.join(', ')}`;
      }
      default:
        throw new Error(`unknown button ${id}`);
    }
  }
}

export type Handlers = ReturnType<typeof createHandlers>;

const BUTTON_NAMES: Record<string, string> = {
  [blocks.ACTIONS.retryOrder]: 'Retry',
  [blocks.ACTIONS.retryAll]: 'Retry all',
  [blocks.ACTIONS.retrySync]: 'Retry now',
  [blocks.ACTIONS.pauseSync]: 'Pause',
};

/** List messages suffix action ids with `:<target>` (blocks.ts); the part before is the action. */
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
