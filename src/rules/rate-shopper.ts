import { toDockhandError } from '../domain/errors';
import type { Notifier } from '../domain/notifier';
import type { Logger } from '../log/logger';
import type { ShipStationClient } from '../shipstation/client';
import type { CreateOrderInput, ShipStationOrder } from '../shipstation/schemas';
import type { OrderRecord } from '../store/records';
import type { ShipStationV2Client, V2Address } from '../shipstation/v2-client';
import type { RateChoice } from '../store/rule-tables';
import type { Store } from '../store/store';
import { mergeForUpdate } from '../sync/map-order';
import { asInput } from './shipstation-copy';
import { chooseRate, rateCacheKey, type Quote } from './choose-rate';
import { escalationUpdate } from './escalation-alert';
import { findWarehouse, type ShipStationNames } from './names';
import type { RateShoppingConfig, Rule } from './schema';

/**
 * Rate shopping for the orders whose rule asks for it, after they are in ShipStation: the import
 * never waits for rates. Each waiting order (store.rules' queue, written before the order was sent)
 * is quoted (v1 getrates once per allowed carrier, or v2 /v2/rates for all of them in one call),
 * the choice goes onto the order with createorders (batched), and the chosen rate, runner-up and
 * saving are kept for the reports. Rates are cached per (ship-from postal code, destination prefix,
 * weight bracket, dimensions, carrier, residential) for `cacheMinutes`, so a burst of similar
 * orders does not spend ShipStation's 40 calls a minute. A failure (429, 5xx, no service meets the
 * promise) leaves the order without a service and says why; it never blocks other orders.
 *
 * ShipStation v1 allows 40 calls a minute for everything, and the import comes first: a pass stops
 * quoting while fewer than `reserve` calls are left in the window, and says when the window
 * resets so the next pass starts then (`nextPassInMs`) and uses what the import left. The orders
 * of a pass are read back in pages of {@link LIST_PAGE} (GET /orders by modify date) rather than
 * one GET /orders/{id} each: the read is what keeps staff's changes (mergeForUpdate), and one
 * page costs what one order's read did. With SHIPSTATION_V2_API_KEY the quotes go to v2, whose
 * key has its own 200 calls a minute, so v1 carries only the read and the batched update.
 */

export interface RateShopperDeps {
  store: Store;
  shipstation: Pick<ShipStationClient, 'getOrder' | 'listOrders' | 'createOrders' | 'getRates' | 'createLabelForOrder' | 'budget'>;
  v2?: ShipStationV2Client;
  names: ShipStationNames;
  rules: Rule[];
  config: RateShoppingConfig;
  notifier: Notifier;
  logger: Logger;
  now: () => Date;
}

export interface DrainResult {
  chosen: number;
  failed: number;
  /** Left waiting: a passing failure, the budget kept for imports, or not in ShipStation yet. */
  waiting: number;
  /** The pass stopped for the import's share of the v1 window; it resets then (epoch ms). */
  budgetResetAt?: number;
  /** The pass stopped because an import pass was running: imports go first. */
  yielded?: boolean;
}

/** How soon a pass that gave way to an import looks again. */
export const YIELD_RETRY_MS = 250;

export interface RateShopperStats {
  cacheHits: number;
  cacheMisses: number;
  /** ShipStation calls rate shopping made (quotes, reads, updates, labels). */
  calls: number;
}

const MAX_ATTEMPTS = 3;
/** GET /orders pageSize maximum (v1 spec). */
export const LIST_PAGE = 500;
/** ShipStation's clock may run behind ours: the modify-date read reaches this far before our send. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * How a pass reads back its orders (pure): one GET /orders page costs what one GET /orders/{id}
 * does, so pages are read while they can still save calls, at most one per `perPage` orders
 * wanted, and only when more than one order is wanted. What a page misses is read one by one.
 */
export function pagesWorthReading(wanted: number, perPage = 100): number {
  return wanted < 2 ? 0 : Math.ceil(wanted / perPage);
}

const toOunces = (w: { value: number; units: string } | null | undefined): number | undefined => {
  if (!w || !(w.value > 0)) return undefined;
  const u = w.units.toLowerCase();
  return u.startsWith('pound') ? w.value * 16 : u.startsWith('gram') ? w.value / 28.3495 : w.value;
};

export function createRateShopper(deps: RateShopperDeps) {
  const cache = new Map<string, { at: number; quotes: Quote[] }>();
  const stats: RateShopperStats = { cacheHits: 0, cacheMisses: 0, calls: 0 };
  let v2Carriers: Map<string, string> | undefined;
  const ttlMs = deps.config.cacheMinutes * 60_000;
  const log = deps.logger.child({ part: 'rate-shopper' });

  function cached(key: string): Quote[] | undefined {
    const hit = cache.get(key);
    if (!hit) return undefined;
    if (deps.now().getTime() - hit.at > ttlMs) {
      cache.delete(key);
      return undefined;
    }
    return hit.quotes;
  }

  /** Quotes for every allowed carrier; each carrier's from the cache when it can be. */
  async function quotesFor(carriers: string[], key: (carrier: string) => string, v1: (carrier: string) => Promise<Quote[]>, v2: ((carriers: string[]) => Promise<Map<string, Quote[]>>) | undefined): Promise<Quote[]> {
    const out: Quote[] = [];
    const missing: string[] = [];
    for (const c of carriers) {
      const hit = cached(key(c));
      if (hit) {
        stats.cacheHits++;
        out.push(...hit);
      } else {
        stats.cacheMisses++;
        missing.push(c);
      }
    }
    if (missing.length === 0) return out;
    const at = deps.now().getTime();
    if (v2) {
      const byCarrier = await v2(missing);
      for (const c of missing) {
        const qs = byCarrier.get(c) ?? [];
        cache.set(key(c), { at, quotes: qs });
        out.push(...qs);
      }
      return out;
    }
    for (const c of missing) {
      const qs = await v1(c);
      cache.set(key(c), { at, quotes: qs });
      out.push(...qs);
    }
    return out;
  }

  async function carrierIds(): Promise<Map<string, string>> {
    if (!v2Carriers) {
      stats.calls++;
      const list = await deps.v2!.listCarriers();
      v2Carriers = new Map(list.filter((c) => c.carrier_code).map((c) => [c.carrier_code!, c.carrier_id]));
    }
    return v2Carriers;
  }

  /**
   * ShipStation's current copies of `ids`, read in pages of orders modified since `sinceMs` (our
   * orders were created or changed since then, so each is on them unless ShipStation's clock is far
   * off); ids the pages do not hold are left for a GET each. Stops when the budget is short.
   */
  async function readBack(ids: Set<number>, sinceMs: number, reserve: number): Promise<Map<number, ShipStationOrder>> {
    const found = new Map<number, ShipStationOrder>();
    const pages = pagesWorthReading(ids.size);
    for (let page = 1; page <= pages && found.size < ids.size; page++) {
      if (budgetShort(reserve)) break;
      stats.calls++;
      const res = await deps.shipstation.listOrders({ modifyDateStart: new Date(sinceMs - CLOCK_SKEW_MS).toISOString(), sortBy: 'ModifyDate', sortDir: 'ASC', page, pageSize: LIST_PAGE });
      for (const o of res.orders) if (ids.has(o.orderId)) found.set(o.orderId, o);
      if (page >= res.pages) break;
    }
    return found;
  }

  /** Whether fewer than `reserve` calls are left in a window that has not reset yet (0: never short). */
  function budgetShort(reserve: number): boolean {
    // The budget is as the last answer left it; once its window has reset it says nothing.
    const { remaining: left, resetAt } = deps.shipstation.budget();
    return reserve > 0 && left !== undefined && left < reserve && (resetAt === undefined || resetAt > Date.now());
  }

  async function shop(c: RateChoice, record: OrderRecord | undefined, readBefore: ShipStationOrder | undefined): Promise<{ choice: RateChoice; body?: CreateOrderInput; label?: { orderId: number; carrierCode: string; serviceCode: string; packageCode?: string } } | 'wait'> {
    const rule = deps.rules.find((r) => r.name === c.rule)?.then.rateShop;
    const now = deps.now();
    const fail = (why: string): { choice: RateChoice } => ({ choice: { ...c, state: 'failed', decidedAt: now.toISOString(), why } });
    if (!rule) return fail(`rule "${c.rule}" no longer asks for rate shopping`);
    if (record?.shipstationOrderId === undefined) return record?.state === 'in_flight' || !record ? 'wait' : fail(`the order is ${record.state}, not in ShipStation`);
    let current = readBefore;
    if (!current) {
      stats.calls++;
      current = await deps.shipstation.getOrder(record.shipstationOrderId);
    }
    if (current.orderStatus === 'shipped' || current.orderStatus === 'cancelled') return fail(`the order is ${current.orderStatus} in ShipStation`);
    if (current.serviceCode) return fail(`ShipStation already has a service (${current.carrierCode ?? '?'} ${current.serviceCode}); staff's choice stays`);
    const weightOz = toOunces(current.weight);
    if (weightOz === undefined) return fail('weight unknown: add the SKUs to the product table (dockhand products import)');
    const warehouse = findWarehouse(await deps.names.warehouses(), current.advancedOptions?.warehouseId ?? -1) ?? (await deps.names.warehouses()).find((w) => w.isDefault);
    const from = warehouse?.originAddress;
    const to = current.shipTo;
    if (!from?.postalCode) return fail('the warehouse has no origin postal code in ShipStation');
    if (!to?.postalCode || !to.country) return fail('the order has no ship-to postal code or country');
    const residential = to.residential !== false;
    const dims = current.dimensions ? { length: current.dimensions.length, width: current.dimensions.width, height: current.dimensions.height } : undefined;
    const key = (carrier: string) => rateCacheKey({ fromPostal: from.postalCode!, toPostal: to.postalCode!, country: to.country!, weightOz, ...(dims ? { dims } : {}), carrier, residential });
    const v1 = async (carrier: string): Promise<Quote[]> => {
      stats.calls++;
      const rates = await deps.shipstation.getRates({
        carrierCode: carrier,
        fromPostalCode: from.postalCode!,
        toState: to.state ?? null,
        toCountry: to.country!,
        toPostalCode: to.postalCode!,
        toCity: to.city ?? null,
        weight: { value: Math.round(weightOz * 100) / 100, units: 'ounces' },
        ...(dims ? { dimensions: { units: 'inches', ...dims } } : {}),
        confirmation: 'none',
        residential,
      });
      return rates.map((r) => ({ carrierCode: carrier, serviceCode: r.serviceCode, cost: Math.round((r.shipmentCost + r.otherCost) * 100) / 100 }));
    };
    const v2 = deps.v2
      ? async (carriers: string[]): Promise<Map<string, Quote[]>> => {
          const ids = await carrierIds();
          const wanted = carriers.map((c) => ids.get(c)).filter((x): x is string => !!x);
          const out = new Map<string, Quote[]>();
          if (wanted.length === 0) return out;
          const address = (a: NonNullable<ShipStationOrder['shipTo']>, isResidential?: boolean): V2Address => ({
            name: a.name ?? 'Recipient',
            phone: a.phone ?? '',
            address_line1: a.street1 ?? '',
            city_locality: a.city ?? '',
            state_province: a.state ?? '',
            postal_code: a.postalCode ?? '',
            country_code: a.country ?? '',
            ...(isResidential === undefined ? {} : { address_residential_indicator: isResidential ? 'yes' : 'no' }),
          });
          stats.calls++;
          const res = await deps.v2!.calculateRates({
            rate_options: { carrier_ids: wanted },
            shipment: {
              ship_to: address(to, residential),
              ship_from: address(from),
              packages: [{ weight: { value: Math.round(weightOz * 100) / 100, unit: 'ounce' }, ...(dims ? { dimensions: { unit: 'inch', ...dims } } : {}) }],
            },
          });
          const codeOf = new Map([...ids].map(([code, id]) => [id, code]));
          for (const r of res.rate_response.rates ?? []) {
            const carrier = r.carrier_code ?? (r.carrier_id ? codeOf.get(r.carrier_id) : undefined);
            if (!carrier || !r.service_code) continue;
            const q: Quote = {
              carrierCode: carrier,
              serviceCode: r.service_code,
              ...(r.package_type ? { packageCode: r.package_type } : {}),
              cost: Math.round((r.shipping_amount.amount + (r.other_amount?.amount ?? 0)) * 100) / 100,
              ...(r.estimated_delivery_date && Number.isFinite(Date.parse(r.estimated_delivery_date)) ? { deliveryAtMs: Date.parse(r.estimated_delivery_date) } : {}),
              ...(typeof r.delivery_days === 'number' ? { deliveryDays: r.delivery_days } : {}),
            };
            out.set(carrier, [...(out.get(carrier) ?? []), q]);
          }
          return out;
        }
      : undefined;
    const quotes = await quotesFor(rule.carriers, key, v1, v2);
    const decision = chooseRate(quotes, rule.policy, { shipAtMs: now.getTime(), ...(c.latestDeliveryAt ? { latestDeliveryMs: Date.parse(c.latestDeliveryAt) } : {}) }, deps.config.transitDays);
    if (!decision.chosen) return fail(decision.why ?? 'no rate chosen');
    const chosen = decision.chosen;
    const body: CreateOrderInput = {
      ...mergeForUpdate(current, asInput(current)),
      carrierCode: chosen.carrierCode,
      serviceCode: chosen.serviceCode,
      packageCode: chosen.packageCode ?? current.packageCode ?? 'package',
    };
    const choice: RateChoice = {
      ...c,
      state: 'chosen',
      decidedAt: now.toISOString(),
      chosen: {
        carrierCode: chosen.carrierCode,
        serviceCode: chosen.serviceCode,
        ...(chosen.packageCode ? { packageCode: chosen.packageCode } : {}),
        cost: chosen.cost,
        ...(chosen.arrivalMs !== undefined ? { deliveryDays: Math.round(((chosen.arrivalMs - now.getTime()) / 86_400_000) * 10) / 10 } : {}),
        estimated: chosen.estimated,
      },
      ...(decision.runnerUp ? { runnerUp: { carrierCode: decision.runnerUp.carrierCode, serviceCode: decision.runnerUp.serviceCode, cost: decision.runnerUp.cost } } : {}),
      ...(decision.saving !== undefined ? { saving: decision.saving } : {}),
      ...(decision.why ? { why: decision.why } : {}),
    };
    // Amazon expects Buy Shipping labels for Seller Fulfilled Prime orders: never auto-labelled here.
    const label = rule.createLabel && !c.prime ? { orderId: current.orderId, carrierCode: chosen.carrierCode, serviceCode: chosen.serviceCode, ...(chosen.packageCode ? { packageCode: chosen.packageCode } : {}) } : undefined;
    return { choice, body, ...(label ? { label } : {}) };
  }

  function noteOf(c: RateChoice): string {
    if (c.state === 'failed') return `rate shopping: no service set (${c.why ?? 'failed'})`;
    const ch = c.chosen!;
    const saving = c.saving !== undefined && c.runnerUp ? `, $${c.saving.toFixed(2)} less than ${c.runnerUp.serviceCode}` : '';
    return `rate shopping chose ${ch.carrierCode} ${ch.serviceCode} ($${ch.cost.toFixed(2)}${saving})${ch.estimated === 'table' ? ', arrival from the transit-days table' : ''}${c.prime && deps.rules.find((r) => r.name === c.rule)?.then.rateShop?.createLabel ? '; Seller Fulfilled Prime: buy the label with Amazon Buy Shipping' : ''}`;
  }

  async function tellEscalation(c: RateChoice): Promise<void> {
    if (!deps.rules.find((r) => r.name === c.rule)?.then.escalate && !c.escalated) return;
    await deps.notifier.raise(escalationUpdate({ accountId: c.accountId, amazonOrderId: c.amazonOrderId }, { note: noteOf(c) }));
  }

  /**
   * One pass over the waiting orders. `reserve`: stop while fewer ShipStation calls than this are
   * left in the window, so imports keep their budget (0 for `sync --once`, which finishes them).
   */
  async function drainOnce(reserve: number, limit = 200, importing: () => boolean = () => false): Promise<DrainResult> {
    const result: DrainResult = { chosen: 0, failed: 0, waiting: 0 };
    if (importing()) return { ...result, yielded: true };
    const pending = await deps.store.rules.pendingRateShops(limit);
    const updates: Array<{ choice: RateChoice; body: CreateOrderInput; label?: { orderId: number; carrierCode: string; serviceCode: string; packageCode?: string } }> = [];
    const records = new Map<string, OrderRecord | undefined>();
    for (const c of pending) records.set(c.orderKey, await deps.store.orders.get(c.orderKey));
    const ids = new Set([...records.values()].map((r) => r?.shipstationOrderId).filter((id): id is number => id !== undefined));
    // Requested before it was sent: every waiting order was created in ShipStation after its request.
    const since = Math.min(...pending.map((c) => Date.parse(c.requestedAt)).filter(Number.isFinite));
    let read = new Map<number, ShipStationOrder>();
    try {
      if (ids.size > 0 && Number.isFinite(since)) read = await readBack(ids, since, reserve);
    } catch (e) {
      // The orders are then read one by one, as they would be without the pages.
      log.warn({ code: toDockhandError(e).code }, 'reading the waiting orders back failed; reading them one by one');
    }
    for (const [i, c] of pending.entries()) {
      if (importing()) {
        // The import has strict priority, for the process's time as for ShipStation's calls: what is
        // quoted so far is sent below, the rest waits for the import pass to end.
        result.waiting += pending.length - i;
        result.yielded = true;
        break;
      }
      if (budgetShort(reserve)) {
        // The import keeps its share; the rest waits for the window to reset.
        result.waiting += pending.length - i;
        result.budgetResetAt = deps.shipstation.budget().resetAt;
        break;
      }
      const record = records.get(c.orderKey);
      try {
        const r = await shop(c, record, record?.shipstationOrderId !== undefined ? read.get(record.shipstationOrderId) : undefined);
        if (r === 'wait') {
          result.waiting++;
          continue;
        }
        if (r.body) updates.push({ choice: r.choice, body: r.body, ...(r.label ? { label: r.label } : {}) });
        else {
          await deps.store.rules.recordRateChoice(r.choice);
          await tellEscalation(r.choice);
          result.failed++;
        }
      } catch (e) {
        const err = toDockhandError(e);
        const attempts = (c.attempts ?? 0) + 1;
        if (err.transient && attempts < MAX_ATTEMPTS) {
          await deps.store.rules.recordRateChoice({ ...c, attempts, why: `${err.code}: ${err.message}` });
          result.waiting++;
        } else {
          const failed: RateChoice = { ...c, attempts, state: 'failed', decidedAt: deps.now().toISOString(), why: `rates could not be had: ${err.message}` };
          await deps.store.rules.recordRateChoice(failed);
          await tellEscalation(failed);
          result.failed++;
        }
        log.warn({ amazonOrderId: c.amazonOrderId, code: err.code }, 'rate shopping failed for an order');
      }
    }
    for (let i = 0; i < updates.length; i += 100) {
      const batch = updates.slice(i, i + 100);
      try {
        stats.calls++;
        const res = await deps.shipstation.createOrders(batch.map((u) => u.body));
        for (const [j, u] of batch.entries()) {
          const ok = res.results[j]?.success === true;
          const choice: RateChoice = ok ? u.choice : { ...u.choice, state: 'failed', why: `ShipStation refused the service: ${res.results[j]?.errorMessage ?? 'no answer'}` };
          if (ok && u.label) {
            try {
              stats.calls++;
              await deps.shipstation.createLabelForOrder({ ...u.label, shipDate: deps.now().toISOString().slice(0, 10), testLabel: false });
              choice.labelled = true;
            } catch (e) {
              choice.why = `label not bought: ${toDockhandError(e).message}`;
            }
          }
          await deps.store.rules.recordRateChoice(choice);
          await tellEscalation(choice);
          if (ok) result.chosen++;
          else result.failed++;
        }
      } catch (e) {
        // The whole batch waits for the next pass (its quotes are cached): nothing else is held up.
        log.warn({ code: toDockhandError(e).code, orders: batch.length }, 'rate-shopping update failed; retried next pass');
        result.waiting += batch.length;
      }
    }
    return result;
  }

  return {
    drainOnce,
    /**
     * When the rules pass should run next after `last`: at once after the v1 window resets when the
     * last pass stopped for the import's share (so rate shopping uses what the import leaves),
     * otherwise after `idleMs`.
     */
    nextPassInMs(last: DrainResult | undefined, idleMs: number): number {
      if (last?.yielded) return Math.min(idleMs, YIELD_RETRY_MS);
      if (last?.budgetResetAt === undefined) return idleMs;
      return Math.min(idleMs, Math.max(50, last.budgetResetAt - Date.now() + 50));
    },
    /** Drains until nothing is left that can be done now (`sync --once`). */
    async drainAll(maxPasses = 50): Promise<DrainResult> {
      const total: DrainResult = { chosen: 0, failed: 0, waiting: 0 };
      for (let i = 0; i < maxPasses; i++) {
        const r = await drainOnce(0);
        total.chosen += r.chosen;
        total.failed += r.failed;
        total.waiting = r.waiting;
        if (r.chosen + r.failed === 0) break;
      }
      return total;
    },
    stats: (): RateShopperStats => ({ ...stats }),
  };
}

export type RateShopper = ReturnType<typeof createRateShopper>;
