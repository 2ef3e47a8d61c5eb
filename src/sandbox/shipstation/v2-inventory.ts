import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FixedRateWindow } from './rate-window';

/**
 * ShipStation API v2 inventory for the simulator (shipstation-v2-openapi.yaml, getInventoryLevels):
 * `GET /v2/inventory` with the `api-key` header, `sku`, `inventory_warehouse_id`, `group_by`
 * (warehouse or location) and `limit`, paged with `page` and `links.next`. 200 requests a minute.
 * An account without the inventory add-on answers 403. The sandbox warehouse draws stock down as
 * it prints labels (and puts it back when one is voided).
 */

export const V2_INVENTORY_PATH = '/v2/inventory';
const RATE_LIMIT = 200;
const PARAMS = new Set(['sku', 'inventory_warehouse_id', 'inventory_location_id', 'group_by', 'limit', 'page']);

export interface V2InventoryOptions {
  apiKey: string;
  clock?: () => number;
  rateScale?: number;
  /** The account has not bought the inventory add-on: every call is 403. */
  withoutAddon?: boolean;
}

export interface V2Level {
  sku: string;
  warehouseId: string;
  locationId: string;
  onHand: number;
  allocated: number;
}

export interface V2Inventory {
  set(sku: string, onHand: number, warehouseId?: string): void;
  /** Takes `quantity` off a SKU's stock, from the first warehouse that has it, never below 0. */
  drawDown(sku: string, quantity: number): void;
  levels(): V2Level[];
  requests(): number;
  /** Answers a request under /v2/inventory; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
}

export const DEFAULT_WAREHOUSE_ID = 'se-1001';

export function createV2Inventory(opts: V2InventoryOptions): V2Inventory {
  const clock = opts.clock ?? Date.now;
  const window = new FixedRateWindow(RATE_LIMIT, 60_000 / (opts.rateScale ?? 1), clock);
  const levels = new Map<string, V2Level>();
  let requests = 0;
  const keyOf = (sku: string, wh: string) => `${sku}\u0000${wh}`;
  const error = (res: ServerResponse, status: number, type: string, code: string, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ request_id: randomUUID(), errors: [{ error_source: 'shipstation', error_type: type, error_code: code, message }] }));
  };

  return {
    set(sku, onHand, warehouseId = DEFAULT_WAREHOUSE_ID) {
      levels.set(keyOf(sku, warehouseId), { sku, warehouseId, locationId: `${warehouseId}-A1`, onHand, allocated: levels.get(keyOf(sku, warehouseId))?.allocated ?? 0 });
    },
    drawDown(sku, quantity) {
      let left = quantity;
      for (const l of levels.values()) {
        if (l.sku !== sku || left === 0) continue;
        const take = quantity < 0 ? left : Math.min(l.onHand, left);
        l.onHand -= take;
        left -= take;
      }
    },
    levels: () => [...levels.values()].map((l) => ({ ...l })),
    requests: () => requests,
    handle(req, res, url) {
      if (url.pathname.replace(/\/+$/, '') !== V2_INVENTORY_PATH) return false;
      requests++;
      const key = req.headers['api-key'];
      if (typeof key !== 'string' || key !== opts.apiKey) return error(res, 401, 'security', 'unauthorized', 'The API key is invalid. Please make sure your API key is correct.'), true;
      if (opts.withoutAddon) return error(res, 403, 'security', 'unauthorized', 'Inventory is not enabled for this account.'), true;
      const decision = window.take(opts.apiKey);
      if (!decision.allowed) return error(res, 429, 'system', 'rate_limit_exceeded', 'You have exceeded the rate limit.'), true;
      if (req.method !== 'GET') return error(res, 405, 'validation', 'invalid_field_value', 'Only GET is supported here.'), true;
      const q = url.searchParams;
      for (const name of q.keys()) if (!PARAMS.has(name)) return error(res, 400, 'validation', 'invalid_field_value', `Unknown query parameter ${name}.`), true;
      const groupBy = q.get('group_by');
      if (groupBy !== null && groupBy !== 'warehouse' && groupBy !== 'location') return error(res, 400, 'validation', 'invalid_field_value', 'group_by must be warehouse or location.'), true;
      const limit = Number(q.get('limit') ?? '100');
      const page = Number(q.get('page') ?? '1');
      if (!Number.isInteger(limit) || limit < 1 || limit > 500 || !Number.isInteger(page) || page < 1) return error(res, 400, 'validation', 'invalid_field_value', 'limit is 1 to 500 and page 1 or more.'), true;
      const sku = q.get('sku');
      const wh = q.get('inventory_warehouse_id');
      // Without group_by, one line per SKU over all warehouses.
      const grouped = new Map<string, V2Level>();
      for (const l of levels.values()) {
        if ((sku && l.sku !== sku) || (wh && l.warehouseId !== wh)) continue;
        const k = groupBy ? keyOf(l.sku, l.warehouseId) : l.sku;
        const g = grouped.get(k);
        if (g) {
          g.onHand += l.onHand;
          g.allocated += l.allocated;
        } else grouped.set(k, { ...l });
      }
      const all = [...grouped.values()].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : a.warehouseId < b.warehouseId ? -1 : 1));
      const pages = Math.ceil(all.length / limit);
      const link = (p: number) => {
        const u = new URLSearchParams(q);
        u.set('page', String(p));
        return { href: `${V2_INVENTORY_PATH}?${u.toString()}` };
      };
      const body = {
        inventory: all.slice((page - 1) * limit, page * limit).map((l) => ({
          sku: l.sku,
          on_hand: l.onHand,
          allocated: l.allocated,
          available: l.onHand - l.allocated,
          ...(groupBy ? { inventory_warehouse_id: l.warehouseId } : {}),
          ...(groupBy === 'location' ? { inventory_location_id: l.locationId } : {}),
        })),
        total: all.length,
        page,
        pages,
        links: { first: link(1), last: link(Math.max(1, pages)), prev: page > 1 ? link(page - 1) : {}, next: page < pages ? link(page + 1) : {} },
      };
      res.writeHead(200, { 'content-type': 'application/json', 'X-Rate-Limit-Limit': String(RATE_LIMIT), 'X-Rate-Limit-Remaining': String(decision.remaining) }).end(JSON.stringify(body));
      return true;
    },
  };
}
