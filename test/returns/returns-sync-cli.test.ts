import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxServices, type Sandbox } from '../../src/cli/sandbox';
import { createOrderFactory } from '../../src/sandbox/amazon/order-factory';
import { runCli } from '../support/cli';

/**
 * `dockhand returns sync --once [--days N]`, the first backfill, against a running sandbox: it
 * reads the returns report through the Reports API and records what it holds; run again, it
 * changes nothing; `dockhand returns --json` then lists it in the shape.
 */
describe('dockhand returns sync --once', () => {
  let dataDir: string;
  let sandbox: Sandbox;
  let orderId: string;
  let sku: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-returns-cli-'));
    sandbox = await startSandboxServices(dataDir, { rateScale: 1000 });
    const { lastUpdatedTime: _t, ...o } = createOrderFactory(3).make('standard');
    const order = sandbox.spApi.putOrder(o);
    orderId = order.orderId;
    sku = order.orderItems[0]!.product!.sellerSku!;
    // One return this week, one 20 days ago: only --days 30 reaches the second.
    sandbox.spApi.returns.add({ orderId, rma: 'RMA-C1', sku, quantity: 1, reason: 'DEFECTIVE', inPolicy: true, carrier: 'UPS', trackingId: '1ZCLI1', currency: 'USD', requestedAt: new Date(Date.now() - 86_400_000).toISOString() });
    sandbox.spApi.returns.add({ orderId, rma: 'RMA-C2', sku, quantity: 1, reason: 'UNWANTED_ITEM', inPolicy: false, currency: 'USD', requestedAt: new Date(Date.now() - 20 * 86_400_000).toISOString() });
  }, 60_000);
  afterAll(async () => {
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('records the window’s returns, reads it again without change, and reaches further back with --days', { timeout: 60_000 }, async () => {
    const env = { DOCKHAND_DATA_DIR: dataDir, DOCKHAND_SECRET_KEY: 'cli-test' };
    const first = await runCli(['returns', 'sync', '--once'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('returns sync: 1 report(s) (0 with no returns), 1 new, 0 changed, 0 unchanged');
    // The week's return again, unchanged, and the older one new.
    const back = await runCli(['returns', 'sync', '--once', '--days', '30'], env);
    expect(back.stdout).toContain('1 new, 0 changed, 1 unchanged');
    const list = await runCli(['returns', '--json'], env);
    expect(list.code).toBe(0);
    const entries = JSON.parse(list.stdout) as Array<Record<string, unknown>>;
    expect(entries.map((e) => [e.rma, e.amazonOrderId, e.sku, e.status, e.inPolicy, e.refund]).sort()).toEqual([
      ['RMA-C1', orderId, sku, 'expected', true, null],
      ['RMA-C2', orderId, sku, 'expected', false, null],
    ]);
  });
});
