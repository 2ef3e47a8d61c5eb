import Bottleneck from 'bottleneck';
import { z } from 'zod';
import { DockhandError } from '../domain/errors';

/**
 * ShipStation API v2 inventory levels (shipstation-v2-openapi.yaml, getInventoryLevels):
 * `GET /v2/inventory?group_by=warehouse`, following `links.next`, with the `api-key` header
 * (SHIPSTATION_V2_API_KEY). Paced on its own bucket of 200 requests a minute, apart from the v1
 * client's 40. A 401 or 403 means the account has no inventory add-on.
 */

export const InventoryLevel = z.object({
  sku: z.string(),
  on_hand: z.number().int(),
  allocated: z.number().int().optional(),
  available: z.number().int().optional(),
  inventory_warehouse_id: z.string().optional(),
  inventory_location_id: z.string().optional(),
});
export type InventoryLevel = z.infer<typeof InventoryLevel>;

const Page = z.object({
  inventory: z.array(InventoryLevel),
  total: z.number().int().optional(),
  page: z.number().int().optional(),
  pages: z.number().int().optional(),
  links: z.object({ next: z.object({ href: z.string().optional() }).partial().optional() }).partial().optional(),
});

export interface V2InventoryClient {
  /** Every SKU's level per warehouse. */
  listInventory(): Promise<InventoryLevel[]>;
  close(): Promise<void>;
}

export const NO_INVENTORY_ADDON_HINT = 'ShipStation answered 401/403 to /v2/inventory: the API key is wrong, or the account has not bought the inventory add-on. Check SHIPSTATION_V2_API_KEY, or set inventory.source to csv or webhook.';

export function createV2InventoryClient(opts: { baseUrl: string; apiKey: string; requestsPerMinute?: number; fetch?: typeof fetch }): V2InventoryClient {
  const perMinute = opts.requestsPerMinute ?? 200;
  const limiter = new Bottleneck({ reservoir: perMinute, reservoirRefreshAmount: perMinute, reservoirRefreshInterval: 60_000, maxConcurrent: 4 });
  const doFetch = opts.fetch ?? fetch;
  const base = opts.baseUrl.replace(/\/+$/, '');

  const get = async (url: string): Promise<z.infer<typeof Page>> => {
    let res: Response;
    try {
      res = await limiter.schedule(() => doFetch(url, { headers: { 'api-key': opts.apiKey, accept: 'application/json' }, signal: AbortSignal.timeout(30_000) }));
    } catch (e) {
      throw new DockhandError('shipstation.unreachable', `ShipStation v2 inventory unreachable: ${(e as Error).message}`, { hint: 'Dockhand tries again on the next pass.', cause: e, transient: true });
    }
    const text = await res.text();
    if (res.status === 401 || res.status === 403) throw new DockhandError('shipstation.auth_rejected', `ShipStation refused GET /v2/inventory (${res.status})`, { hint: NO_INVENTORY_ADDON_HINT, status: res.status });
    if (res.status === 429) throw new DockhandError('shipstation.rate_limited', 'ShipStation v2 throttled the inventory listing', { hint: 'Dockhand tries again on the next pass.', status: 429, transient: true });
    if (res.status >= 500) throw new DockhandError('shipstation.unreachable', `ShipStation v2 failed GET /v2/inventory (${res.status})`, { hint: 'Dockhand tries again on the next pass.', status: res.status, transient: true });
    if (res.status !== 200) throw new DockhandError('shipstation.rejected', `ShipStation v2 rejected GET /v2/inventory (${res.status}): ${text.slice(0, 200)}`, { hint: 'Check SHIPSTATION_V2_API_URL.', status: res.status });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new DockhandError('shipstation.unparseable', 'ShipStation v2 answered /v2/inventory with a body that is not JSON', { hint: 'Dockhand tries again on the next pass.', cause: e, transient: true });
    }
    const parsed = Page.safeParse(json);
    if (!parsed.success) throw new DockhandError('shipstation.unparseable', `ShipStation v2 /v2/inventory: unexpected shape (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`, { hint: 'ShipStation may have changed its v2 API.' });
    return parsed.data;
  };

  return {
    async listInventory() {
      const out: InventoryLevel[] = [];
      let url: string | undefined = `${base}/v2/inventory?group_by=warehouse&limit=500`;
      const seen = new Set<string>();
      while (url && !seen.has(url)) {
        seen.add(url);
        const page = await get(url);
        out.push(...page.inventory);
        const next = page.links?.next?.href;
        // links are absolute, or relative to the API's origin.
        url = next ? new URL(next, `${base}/`).toString() : undefined;
      }
      return out;
    },
    async close() {
      await limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
    },
  };
}
