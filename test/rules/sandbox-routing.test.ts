import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySandbox, openRuntime, withSandboxRules, type Runtime } from '../../src/cli/runtime';
import { SANDBOX_SLACK, startSandboxServices, withSandboxSlack, type Sandbox } from '../../src/cli/sandbox';
import { SANDBOX_TRANSIT_DAYS } from '../../src/cli/sandbox-defaults';
import { loadConfig } from '../../src/config/config';
import { silentLogger } from '../../src/log/logger';
import { createOrderFactory, SANDBOX_CATALOGUE } from '../../src/sandbox/amazon/order-factory';
import { quote } from '../../src/sandbox/shipstation/rates';
import { startSlackSimulator, type SlackSimulator } from '../../src/sandbox/slack/web-api-simulator';
import { startProductWithSlack } from '../support/slack-face';

/**
 * The default sandbox rules against the sandbox: a Prime NextDay order arrives tagged and in
 * Atlanta and is escalated in the Slack sandbox; a manager re-routes it from there and ShipStation
 * shows the new warehouse, a warehouse user is refused; a West Coast order carries the cheapest
 * service that arrives by Amazon's latest delivery date.
 */
const MAYA = 'U0MAYA0001';
const SAM = 'U0SAM00002';
const CHANNEL = SANDBOX_SLACK.channel;
const DAY = 86_400_000;

let dataDir: string;
let sandbox: Sandbox;
let slack: SlackSimulator;
let rt: Runtime;
let running: { stop(): Promise<void> } | undefined;
let primeId: string;
let shopId: string;
let latestDelivery: number;

/* eslint-disable @typescript-eslint/no-explicit-any */
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-rules-sandbox-'));
  sandbox = await startSandboxServices(dataDir, { rateScale: 1000 });
  slack = await startSlackSimulator({ botToken: SANDBOX_SLACK.botToken, signingSecret: 'rules-secret' });
  const own = loadConfig({ DOCKHAND_DATA_DIR: dataDir, DOCKHAND_SECRET_KEY: 'test', PORT: '0' }, dataDir);
  const config = withSandboxRules(applySandbox(withSandboxSlack(own, { url: slack.url, signingSecret: 'rules-secret' }), sandbox.info));
  const factory = createOrderFactory(5);
  const prime = factory.make('prime_next_day') as any;
  primeId = prime.orderId;
  sandbox.spApi.putOrder(prime);
  const shop = factory.make('standard') as any;
  shopId = shop.orderId;
  latestDelivery = Date.now() + 2 * DAY + 6 * 3_600_000;
  shop.recipient.deliveryAddress = { ...shop.recipient.deliveryAddress, city: 'San Francisco', stateOrRegion: 'CA', postalCode: '94105', countryCode: 'US', addressType: 'RESIDENTIAL' };
  shop.fulfillment.deliverByWindow = { ...shop.fulfillment.deliverByWindow, latestDateTime: new Date(latestDelivery).toISOString() };
  sandbox.spApi.putOrder(shop);
  rt = await openRuntime(config, silentLogger);
  for (const p of SANDBOX_CATALOGUE) await rt.store.putSkuMapping({ amazonSku: p.sellerSku, shipstationSku: p.shipstationSku, asin: p.asin });
  await rt.store.rules.putProducts(SANDBOX_CATALOGUE.map((p) => ({ sku: p.shipstationSku, weightOz: p.weightOz })), Date.now());
  running = await startProductWithSlack(rt, slack);
}, 60_000);

afterAll(async () => {
  await running?.stop();
  await rt?.close();
  await slack?.close();
  await sandbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const inShipStation = (id: string) => sandbox.shipstation.getByOrderNumber(id)[0];
const escalation = () => slack.messages(CHANNEL).find((m) => (m.text ?? '').includes(primeId) && (m.text ?? '').includes('escalated'));
const buttonsOf = (m: any): any[] => (m.blocks ?? []).filter((b: any) => b.type === 'actions').flatMap((b: any) => b.elements);

describe('the default sandbox rules', () => {
  it('sends a Prime NextDay order tagged Prime to Atlanta and escalates it', { timeout: 45_000 }, async () => {
    await expect.poll(() => inShipStation(primeId), { timeout: 20_000 }).toBeTruthy();
    const order = inShipStation(primeId)!;
    expect(order.tagIds).toEqual([300001]);
    expect(order.advancedOptions.warehouseId).toBe(200002);
    await expect.poll(escalation, { timeout: 20_000 }).toBeTruthy();
    const msg = escalation()!;
    expect(JSON.stringify(msg.blocks)).toContain('Atlanta');
    expect(buttonsOf(msg).map((b) => b.text.text)).toEqual(['Re-route', 'Mark priority', 'Open in ShipStation']);
  });

  it('refuses a warehouse user, by button and by command, and changes nothing', async () => {
    await expect.poll(escalation, { timeout: 20_000 }).toBeTruthy();
    const msg = escalation()!;
    await slack.clickButton({ user: SAM, channel: CHANNEL, ts: msg.ts, actionId: 'reroute_order' });
    await expect.poll(() => JSON.stringify(slack.views(SAM).at(-1)?.view ?? ''), { timeout: 5_000 }).toContain('Only managers may re-route orders');
    await slack.sendCommand({ user: SAM, channel: CHANNEL, text: `route ${primeId} Reno` });
    await expect.poll(() => slack.ephemerals(SAM).map((m) => m.text).join('\n'), { timeout: 5_000 }).toContain('Only managers may re-route orders');
    expect(inShipStation(primeId)!.advancedOptions.warehouseId).toBe(200002);
  });

  it('lets a manager re-route it from the message; ShipStation shows the new warehouse and the message says so', async () => {
    await expect.poll(escalation, { timeout: 20_000 }).toBeTruthy();
    const msg = escalation()!;
    await slack.clickButton({ user: MAYA, channel: CHANNEL, ts: msg.ts, actionId: 'reroute_order' });
    await expect.poll(() => slack.views(MAYA).find((v) => (v.view as any).callback_id === 'reroute_order'), { timeout: 5_000 }).toBeTruthy();
    const view = slack.views(MAYA).find((v) => (v.view as any).callback_id === 'reroute_order')!;
    const options = (view.view as any).blocks[1].element.options.map((o: any) => o.text.text);
    expect(options).toEqual(['Sandbox Warehouse', 'Atlanta', 'Reno']);
    await slack.submitView({ user: MAYA, viewId: view.id, values: { warehouse: '200003' } });
    await expect.poll(() => inShipStation(primeId)!.advancedOptions.warehouseId, { timeout: 10_000 }).toBe(200003);
    // Still tagged: only the warehouse changed.
    expect(inShipStation(primeId)!.tagIds).toEqual([300001]);
    await expect.poll(() => JSON.stringify(escalation()?.blocks ?? ''), { timeout: 10_000 }).toContain('re-routed to Reno');
    const audit = await rt.store.recentAudit(20);
    expect(audit.find((a) => a.action === 'view:reroute_order')).toMatchObject({ actor: MAYA, outcome: 'ok', target: primeId });
    expect(audit.find((a) => a.actor === SAM && a.outcome === 'refused')).toBeTruthy();
  });

  it('lists the rules in force with how many orders each matched today', async () => {
    await slack.sendCommand({ user: SAM, channel: CHANNEL, text: 'rules' });
    await expect.poll(() => slack.ephemerals(SAM).map((m) => m.text).join('\n'), { timeout: 5_000 }).toMatch(/`prime-fast` — 1 today[\s\S]*`west-coast` — 1 today/);
  });

  it('puts the cheapest service that arrives in time on a West Coast order, shipped from Reno', async () => {
    await expect.poll(() => inShipStation(shopId)?.serviceCode, { timeout: 30_000 }).toBeTruthy();
    const order = inShipStation(shopId)!;
    expect(order.advancedOptions.warehouseId).toBe(200003);
    // What the simulated carriers quote from Reno to 94105 for this weight, and which arrive in time.
    const oz = order.weight!.value;
    const daysLeft = (latestDelivery - Date.now()) / DAY;
    const onTime = ['ups', 'fedex', 'stamps_com']
      .flatMap((c) => quote(c, oz, '89501', '94105', true, true))
      .filter((q) => (SANDBOX_TRANSIT_DAYS[q.service.serviceCode] ?? 99) <= daysLeft)
      .sort((a, b) => a.shipmentCost + a.otherCost - (b.shipmentCost + b.otherCost));
    expect(order.serviceCode).toBe(onTime[0]!.service.serviceCode);
    expect(order.carrierCode).toBe(onTime[0]!.service.carrierCode);
    // The choice is recorded once ShipStation has taken the update, so it may trail the order by a moment.
    await expect.poll(async () => (await rt.store.rules.rateChoiceOf(`default:${shopId}`))?.state, { timeout: 5_000 }).toBe('chosen');
    const choice = await rt.store.rules.rateChoiceOf(`default:${shopId}`);
    expect(choice).toMatchObject({ state: 'chosen', rule: 'west-coast' });
    expect(choice!.runnerUp?.serviceCode).toBe(onTime[1]!.service.serviceCode);
  }, 40_000);
});
