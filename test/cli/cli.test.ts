import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../src/cli/main';
import { startSandboxServices, type Sandbox } from '../../src/cli/sandbox';
import { createOrderFactory } from '../../src/sandbox/amazon/order-factory';
import { runCli } from '../support/cli';

/** The CLI as a user runs it: a separate process, talking to the sandbox this test runs. */
describe('dockhand CLI against the sandbox', { timeout: 30_000 }, () => {
  let dataDir: string;
  let sandbox: Sandbox;
  let env: Record<string, string>;
  const factory = createOrderFactory(99);
  let malformedId = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-cli-'));
    sandbox = await startSandboxServices(dataDir, { rateScale: 1000 });
    for (const kind of ['standard', 'prime_next_day', 'unmapped_sku', 'afn', 'cancelled', 'pending', 'malformed'] as const) {
      const { lastUpdatedTime: _t, ...o } = factory.make(kind);
      sandbox.spApi.putOrder(o);
      if (kind === 'malformed') malformedId = o.orderId;
    }
    env = { DOCKHAND_DATA_DIR: dataDir, DOCKHAND_SECRET_KEY: 'cli-test' };
  });
  afterAll(async () => {
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('exits 2 with a summary when an order is quarantined, then 0 when a second run has nothing new', async () => {
    const first = await runCli(['sync', '--once'], env);
    expect(first.code).toBe(2);
    // What a person sees and what is logged carries order ids and codes, never buyer data.
    for (const o of sandbox.spApi.orders()) {
      for (const secret of [o.recipient?.deliveryAddress?.name, o.recipient?.deliveryAddress?.addressLine1, o.recipient?.deliveryAddress?.phone, o.buyer?.buyerEmail]) {
        if (secret) expect(first.stdout + first.stderr).not.toContain(secret);
      }
    }
    expect(first.stdout).toMatch(/sync default: \d+ seen in 1 page\(s\): 3 created, 0 updated, 0 cancelled, 0 unchanged, 1 held \(pending\), 0 skipped, 1 quarantined; 1 in quarantine/);
    expect(sandbox.shipstation.orders()).toHaveLength(3);

    const second = await runCli(['sync', '--once'], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/0 created, 0 updated/);
    expect(sandbox.shipstation.orders()).toHaveLength(3);

    const list = await runCli(['quarantine'], env);
    expect(list.stdout).toContain(malformedId);
    expect(list.stdout).toMatch(/order\.malformed/);
  });

  it('writeback --once confirms a new label and exits 0, and exits 2 when Amazon refuses one', async () => {
    const [first, second] = sandbox.shipstation.orders();
    const label = sandbox.shipstation.createLabel(first!.orderId, { carrierCode: 'fedex', serviceCode: 'fedex_ground' });
    const ok = await runCli(['writeback', '--once'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/writeback: 1 label\(s\) seen, 1 confirmed/);
    expect(sandbox.spApi.getOrder(first!.orderNumber)?.packages?.map((p) => p.trackingNumber)).toEqual([label.trackingNumber]);

    sandbox.shipstation.createLabel(second!.orderId);
    sandbox.spApi.failNext(1, 400);
    const refused = await runCli(['writeback', '--once'], env);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(/1 quarantined/);
    expect(refused.stdout).toMatch(/1 confirmation\(s\) in quarantine/);
  });

  it('exports the unmapped SKU and imports a mapping for it', async () => {
    const unmapped = await runCli(['sku', 'unmapped'], env);
    const sku = /^(UNMAPPED-\S+)/m.exec(unmapped.stdout)?.[1];
    expect(sku).toBeTruthy();
    const csv = path.join(dataDir, 'map.csv');
    writeFileSync(csv, `amazon_sku,shipstation_sku\n${sku},SS-NEW-1\n`);
    expect((await runCli(['sku', 'import', csv], env)).stdout).toMatch(/imported 1 mapping/);
    expect((await runCli(['sku', 'export'], env)).stdout).toContain(`${sku},SS-NEW-1,`);
    const after = await runCli(['sku', 'unmapped'], env);
    expect(after.stdout).not.toContain(sku);
    expect(after.stdout).toContain('DH-'); // the catalogue SKUs this test never mapped are still listed
  });

  it('answers late, order and reconcile as Slack does, in plain text', async () => {
    const order = await runCli(['order', malformedId], env);
    expect(order.code).toBe(0);
    expect(order.stdout).toMatch(new RegExp(`^order ${malformedId}  \\[default\\]`));
    expect(order.stdout).toMatch(/quarantine\s+order\.malformed/);
    expect(order.stdout).not.toMatch(/[{}]/); // no Block Kit

    const unknown = await runCli(['order', '999-0000000-0000000'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/Dockhand has not seen order 999-0000000-0000000/);

    const late = await runCli(['late'], env);
    expect(late.code).toBe(0);
    expect(late.stdout).toMatch(/at risk/);

    const reconcile = await runCli(['reconcile'], env);
    expect(reconcile.code).toBe(0);
    expect(reconcile.stdout).toMatch(/checked \d+ order\(s\) and \d+ label\(s\) in default/);

    const nope = await runCli(['reconcile', 'nope'], env);
    expect(nope.code).toBe(1);
    expect(nope.stderr).toMatch(/no account "nope"/);
  });

  it('audits a retry from the terminal, with who ran it and what came of it', async () => {
    const r = await runCli(['retry', malformedId], env);
    expect(r.code).toBe(2);
    const audit = await runCli(['audit', '-n', '5'], env);
    expect(audit.stdout).toMatch(new RegExp(`cli:\\S+\\s+retry ${malformedId}  → failed \\(1 retried, 0 went through, 1 still quarantined\\)`));
    const timeline = await runCli(['order', malformedId], env);
    expect(timeline.stdout).toMatch(/cli:\S+ retry → failed/);
  });

  it('names the line of a bad SKU file and exits 1', async () => {
    const csv = path.join(dataDir, 'bad.csv');
    writeFileSync(csv, 'amazon_sku,shipstation_sku\nA-1,\n');
    const r = await runCli(['sku', 'import', csv], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.csv line 2: shipstation_sku is empty for A-1 \[sku\.invalid_csv\]/);
  });

  it('exits 1 with a clear message when Amazon rejects the credentials', async () => {
    const r = await runCli(['sync', '--once'], {
      DOCKHAND_DATA_DIR: path.join(dataDir, 'live'),
      SELLING_PARTNER_APP_CLIENT_ID: 'amzn1.application-oa2-client.wrong',
      SELLING_PARTNER_APP_CLIENT_SECRET: 'wrong',
      AMAZON_REFRESH_TOKEN: 'Atzr|wrong',
      AMAZON_SP_API_URL: sandbox.info.spApiUrl,
      AMAZON_LWA_URL: sandbox.info.lwaUrl,
      NODE_EXTRA_CA_CERTS: sandbox.info.caPath,
      SHIPSTATION_API_KEY: sandbox.info.shipstationApiKey,
      SHIPSTATION_API_SECRET: sandbox.info.shipstationApiSecret,
      SHIPSTATION_API_URL: sandbox.info.shipstationUrl,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/amazon\.auth_rejected/);
    expect(r.stderr).toMatch(/SELLING_PARTNER_APP_CLIENT_ID/);
    expect(r.stderr).not.toMatch(/Atzr\|wrong/);
  });

  it('explains what to do when neither credentials nor a sandbox are there', async () => {
    const r = await runCli(['sync', '--once'], { DOCKHAND_DATA_DIR: path.join(dataDir, 'empty') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no Amazon credentials are set and no sandbox is running/);
    expect(r.stderr).toMatch(/npm start/);
  });

  it('has --help on each command', async () => {
    const r = await runCli(['sync', '--help'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--once/);
    // The rest in this process: a spawn costs seconds, and commander builds each help the same way.
    const commands = buildCli().commands;
    for (const c of commands) expect(c.helpInformation(), c.name()).toMatch(new RegExp(`^Usage: dockhand ${c.name()} `));
    expect(commands.map((c) => c.name())).toEqual(expect.arrayContaining(['late', 'reconcile', 'order']));
    expect(commands.find((c) => c.name() === 'order')!.helpInformation()).toMatch(/Usage: dockhand order \[options\] <AmazonOrderId>/);
    expect(commands.find((c) => c.name() === 'reconcile')!.helpInformation()).toMatch(/Usage: dockhand reconcile \[options\] \[account\]/);
  });
});
