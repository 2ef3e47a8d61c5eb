import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandboxServices, type Sandbox } from '../../src/cli/sandbox';
import { applySandbox } from '../../src/cli/runtime';
import { loadConfig, type Config } from '../../src/config/config';
import { createShipStationClient } from '../../src/shipstation/client';
import { shipstationOrderUrl } from '../../src/domain/block-kit';
import { markPriority } from '../../src/writeback/order-actions';

/**
 * The sandbox's ShipStation holds the tags its seller's config names, so Mark priority works
 * there; and "Open in ShipStation" leads to the simulator's page for the order.
 */
describe('the sandbox ShipStation and Dockhand buttons', () => {
  let dataDir: string;
  let sandbox: Sandbox;
  let config: Config;

  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-priority-'));
    const own = loadConfig({ DOCKHAND_DATA_DIR: dataDir }, dataDir);
    sandbox = await startSandboxServices(dataDir, { rateScale: 1000, shipstationTags: [own.writeback.priorityTag] });
    config = applySandbox(own, sandbox.info);
  });
  afterEach(async () => {
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Mark priority as the Slack button runs it: the configured tag, through Dockhand's ShipStation client. */
  function markAsPriority(shipstationOrderId: number) {
    const shipstation = createShipStationClient({ baseUrl: config.shipstation.baseUrl, apiKey: config.shipstation.apiKey!, apiSecret: config.shipstation.apiSecret!, maxRetries: 0 });
    return markPriority(shipstation, config.writeback.priorityTag, shipstationOrderId);
  }

  function placeOrder(orderNumber: string) {
    const sim = sandbox.shipstation;
    return createShipStationClient({ baseUrl: sim.url, apiKey: config.shipstation.apiKey!, apiSecret: config.shipstation.apiSecret! }).createOrders([
      { orderNumber, orderKey: `dockhand:default:${orderNumber}`, orderDate: '2026-03-02T10:00:00Z', orderStatus: 'awaiting_shipment', billTo: { name: null }, shipTo: { name: 'Ada', street1: '1 Main St', city: 'Reno', state: 'NV', postalCode: '89501', country: 'US' }, items: [{ lineItemKey: 'L1', sku: 'MUG-BLUE', name: 'Blue mug', quantity: 2, unitPrice: 9.5 }] } as never,
    ]);
  }

  it.each<[string, string | undefined, string | undefined]>([
    ["ShipStation's API: its web app", undefined, 'https://ship.shipstation.com'],
    ['another API (a proxy, a double): no web app, so no Open in ShipStation', 'https://shipstation-proxy.example', undefined],
  ])('config: %s', (_name, apiUrl, appUrl) => {
    const c = loadConfig({ DOCKHAND_DATA_DIR: dataDir, ...(apiUrl ? { SHIPSTATION_API_URL: apiUrl } : {}) }, dataDir);
    expect(c.shipstation.appUrl).toBe(appUrl);
  });

  it('tags the order with the configured priority tag (default "Priority")', async () => {
    const [created] = (await placeOrder('112-0000000-0000001')).results;
    const result = await markAsPriority(created!.orderId!);
    expect(result).toEqual({ ok: true, message: 'Tagged "Priority" in ShipStation.' });
    const priority = (await createShipStationClient({ baseUrl: config.shipstation.baseUrl, apiKey: config.shipstation.apiKey!, apiSecret: config.shipstation.apiSecret! }).listTags()).find((t) => t.name === 'Priority')!;
    expect(sandbox.shipstation.getByOrderNumber('112-0000000-0000001')[0]!.tagIds).toEqual([priority.tagId]);
  });

  it("opens the simulator's read-only page for the order, showing number, status, items, tags and warehouse but no buyer", async () => {
    const [created] = (await placeOrder('112-0000000-0000002')).results;
    await markAsPriority(created!.orderId!);
    expect(config.shipstation.appUrl).toBe(`${sandbox.info.shipstationUrl}/app`);
    const url = shipstationOrderUrl('112-0000000-0000002', config.shipstation.appUrl)!;
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    for (const p of ['Order #112-0000000-0000002', 'Awaiting Shipment', 'MUG-BLUE', 'Blue mug', 'Priority', 'Sandbox Warehouse']) expect(html).toContain(p);
    for (const p of ['Ada', '1 Main St', '89501']) expect(html).not.toContain(p);
    const none = await (await fetch(shipstationOrderUrl('999-0000000-0000000', config.shipstation.appUrl)!)).text();
    expect(none).toContain('No orders match');
  });
});
