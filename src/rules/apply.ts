import type { Order } from '../domain/order';
import { toShipStationDate } from '../shipstation/dates';
import type { CreateOrderInput } from '../shipstation/schemas';
import { serviceLevelText } from '../sync/map-order';
import { holdDurationMs, type RuleActions, type RuleFacts } from './evaluate';

/**
 * Pure glue between an order, its mapped createorder body and the rules: the facts the
 * conditions read, and the body with the matching rules' actions applied. No I/O, no clock.
 */

/** One product table row: per ShipStation SKU (after the SKU map). */
export interface Product {
  sku: string;
  weightOz?: number;
  lengthIn?: number;
  widthIn?: number;
  heightIn?: number;
  category?: string;
}

/** Amazon's fulfillmentServiceLevel (NEXT_DAY) in the words the rules use (NextDay); FreeEconomy counts as Standard. */
export function serviceLevelWord(level: string | undefined): string | undefined {
  const text = serviceLevelText(level);
  return text === 'FreeEconomy' ? 'Standard' : text;
}

/** The facts of an order whose lines went out as `payload.items`, with the product table's rows for their SKUs. */
export function factsOf(order: Order, payload: Pick<CreateOrderInput, 'items'>, products: ReadonlyMap<string, Product>): RuleFacts {
  const lines = payload.items ?? [];
  const skus: string[] = [];
  const categories: string[] = [];
  const unknownWeightSkus: string[] = [];
  let weight = 0;
  let units = 0;
  for (const line of lines) {
    units += line.quantity;
    const sku = line.sku ?? '';
    skus.push(sku);
    const p = products.get(sku);
    if (p?.category && !categories.includes(p.category)) categories.push(p.category);
    if (p?.weightOz === undefined) {
      if (!unknownWeightSkus.includes(sku)) unknownWeightSkus.push(sku);
    } else weight += p.weightOz * line.quantity;
  }
  const shipBy = order.shipBy.latest ? Date.parse(order.shipBy.latest) : NaN;
  const value = order.amountPaid ?? lines.reduce((s, l) => s + (l.unitPrice ?? 0) * l.quantity, 0);
  return {
    accountId: order.accountId,
    marketplaceId: order.marketplaceId,
    ...(order.shipTo.countryCode ? { country: order.shipTo.countryCode } : {}),
    ...(order.shipTo.stateOrRegion ? { state: order.shipTo.stateOrRegion } : {}),
    ...(order.shipTo.postalCode ? { postalCode: order.shipTo.postalCode } : {}),
    prime: order.isPrime,
    business: order.isBusiness,
    ...(order.serviceLevel ? { serviceLevel: serviceLevelWord(order.serviceLevel)! } : {}),
    ...(Number.isFinite(shipBy) ? { shipByLatestMs: shipBy } : {}),
    orderValue: value,
    itemCount: units,
    skus,
    categories,
    ...(lines.length > 0 && unknownWeightSkus.length === 0 ? { weightOz: Math.round(weight * 100) / 100 } : {}),
    unknownWeightSkus,
  };
}

/** Package dimensions when the order is a single unit with known dimensions; otherwise unknown. */
export function dimensionsOf(payload: Pick<CreateOrderInput, 'items'>, products: ReadonlyMap<string, Product>): { length: number; width: number; height: number } | undefined {
  const lines = payload.items ?? [];
  if (lines.length !== 1 || lines[0]!.quantity !== 1) return undefined;
  const p = products.get(lines[0]!.sku ?? '');
  if (p?.lengthIn === undefined || p.widthIn === undefined || p.heightIn === undefined) return undefined;
  return { length: p.lengthIn, width: p.widthIn, height: p.heightIn };
}

/** Names the rules use, as ShipStation's ids; a name missing here is left off the order. */
export interface ResolvedIds {
  tagIds: number[];
  warehouseId?: number;
  storeId?: number;
}

/**
 * The createorder body with the rules' actions on it: tags, warehouse, store, custom fields,
 * service, weight (from the product table) and a hold. The hold runs from the purchase time, so
 * the body (and its hash) is the same on every pass and an unchanged order is never re-sent.
 */
export function applyActions(
  payload: CreateOrderInput,
  actions: RuleActions,
  ids: ResolvedIds,
  order: Pick<Order, 'createdTime'>,
  facts: Pick<RuleFacts, 'weightOz'>,
  dims?: { length: number; width: number; height: number },
): CreateOrderInput {
  const out: CreateOrderInput = { ...payload, advancedOptions: { ...payload.advancedOptions } };
  const adv = out.advancedOptions!;
  if (ids.tagIds.length > 0) out.tagIds = [...new Set(ids.tagIds)];
  if (ids.warehouseId !== undefined) adv.warehouseId = ids.warehouseId;
  if (ids.storeId !== undefined) adv.storeId = ids.storeId;
  if (actions.customField1 !== undefined) adv.customField1 = actions.customField1;
  if (actions.customField2 !== undefined) adv.customField2 = actions.customField2;
  if (actions.customField3 !== undefined) adv.customField3 = actions.customField3;
  if (actions.service) {
    out.carrierCode = actions.service.carrierCode;
    out.serviceCode = actions.service.serviceCode;
    if (actions.service.packageCode) out.packageCode = actions.service.packageCode;
  }
  if (facts.weightOz !== undefined && facts.weightOz > 0) out.weight = { value: facts.weightOz, units: 'ounces' };
  if (dims) out.dimensions = { units: 'inches', ...dims };
  if (actions.holdUntil && out.orderStatus === 'awaiting_shipment') {
    const until = Date.parse(order.createdTime) + holdDurationMs(actions.holdUntil);
    if (Number.isFinite(until)) {
      out.orderStatus = 'on_hold';
      out.holdUntilDate = toShipStationDate(new Date(until).toISOString());
    }
  }
  return out;
}
