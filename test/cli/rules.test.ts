import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRules, testRules, unwrapOrder } from '../../src/cli/rules';
import { applySandbox, openRuntime, type Runtime } from '../../src/cli/runtime';
import { startSandboxServices, type Sandbox } from '../../src/cli/sandbox';
import { loadConfig } from '../../src/config/config';
import { silentLogger } from '../../src/log/logger';
import { createOrderFactory, SANDBOX_CATALOGUE } from '../../src/sandbox/amazon/order-factory';

const RULES = `rules:
  - name: fast
    when: { prime: true, serviceLevel: [NextDay] }
    then: { tags: [Prime], warehouse: Sandbox Warehouse, escalate: true }
    stop: true
  - name: heavy
    when: { weightOz: { min: 32 } }
    then: { tags: [Needs Review] }
`;

let dataDir: string;
let sandbox: Sandbox;
let rt: Runtime;
const saved = { ...process.env };

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-rules-cli-'));
  sandbox = await startSandboxServices(dataDir, { rateScale: 1000 });
  writeFileSync(path.join(dataDir, 'dockhand.yml'), RULES);
  Object.assign(process.env, { DOCKHAND_DATA_DIR: dataDir, DOCKHAND_CONFIG: path.join(dataDir, 'dockhand.yml'), DOCKHAND_SECRET_KEY: 'test' });
  rt = await openRuntime(applySandbox(loadConfig(process.env, dataDir), sandbox.info), silentLogger);
  for (const p of SANDBOX_CATALOGUE) await rt.store.putSkuMapping({ amazonSku: p.sellerSku, shipstationSku: p.shipstationSku, asin: p.asin });
}, 30_000);
afterAll(async () => {
  await rt?.close();
  await sandbox?.close();
  process.env = saved;
  rmSync(dataDir, { recursive: true, force: true });
});

describe('dockhand rules test', () => {
  it('prints every rule with the first condition that failed, and the body that would be sent, in the --json shape', async () => {
    const order = createOrderFactory(3).make('prime_next_day');
    const file = path.join(dataDir, 'order.json');
    writeFileSync(file, JSON.stringify({ order }));
    const r = await testRules(rt, file);
    const json = JSON.parse(JSON.stringify({ rules: r.rules, order: r.order }));
    expect(Object.keys(json)).toEqual(['rules', 'order']);
    expect(json.rules).toEqual([
      { name: 'fast', matched: true, why: null },
      { name: 'heavy', matched: false, why: 'not evaluated: rule "fast" matched with stop: true' },
    ]);
    expect(json.order).toMatchObject({ orderNumber: order.orderId, tagIds: [300001], advancedOptions: { warehouseId: 200001 } });
    expect(r.notes.join('\n')).toMatch(/weight unknown/);
    // A dry run: nothing reached ShipStation.
    expect(sandbox.shipstation.getByOrderNumber(order.orderId)).toEqual([]);
  });

  it('says why when the weight is unknown, and reads a bare order too', async () => {
    const order = createOrderFactory(4).make('standard');
    const file = path.join(dataDir, 'bare.json');
    writeFileSync(file, JSON.stringify(order));
    const r = await testRules(rt, file);
    expect(r.rules[1]).toMatchObject({ name: 'heavy', matched: false, why: expect.stringMatching(/^weightOz: weight unknown: no weight in the product table for SS-/) });
  });

  it('unwraps getOrder answers', () => {
    expect(unwrapOrder({ order: { orderId: 'x' } })).toEqual({ orderId: 'x' });
    expect(unwrapOrder({ orderId: 'x' })).toEqual({ orderId: 'x' });
  });
});

describe('dockhand rules check', () => {
  it('passes rules whose names ShipStation has', async () => {
    const lines: string[] = [];
    expect(await checkRules((l) => lines.push(l ?? ''))).toBe(true);
    expect(lines.at(-1)).toBe('2 rule(s) OK: fast, heavy');
  });

  it('fails naming the rule and the name ShipStation does not have', async () => {
    writeFileSync(path.join(dataDir, 'dockhand.yml'), RULES.replace('warehouse: Sandbox Warehouse', 'warehouse: Denver').replace('[Needs Review]', '[Gold]'));
    const lines: string[] = [];
    expect(await checkRules((l) => lines.push(l ?? ''))).toBe(false);
    expect(lines).toEqual([
      'ERROR rule "fast": then.warehouse: ShipStation has no warehouse "Denver" (it has: Sandbox Warehouse (200001), Atlanta (200002), Reno (200003))',
      'ERROR rule "heavy": then.tags: ShipStation has no tag "Gold" (it has: Prime, Needs Review, Gift); create it in ShipStation: the API cannot',
    ]);
  });

  it('lists every invalid rule, not only the first', async () => {
    writeFileSync(path.join(dataDir, 'dockhand.yml'), 'rules:\n  - name: a\n    when: { serviceLevel: [Overnight] }\n    then: {}\n  - name: b\n    then: { holdUntil: soon }\n');
    const lines: string[] = [];
    expect(await checkRules((l) => lines.push(l ?? ''))).toBe(false);
    expect(lines.slice(0, 2)).toEqual([
      'ERROR rule "a": when.serviceLevel[0]: one of Standard, Expedited, SecondDay, NextDay, SameDay, Priority, Scheduled',
      'ERROR rule "b": then.holdUntil: a duration in days or hours such as 2d or 12h',
    ]);
    writeFileSync(path.join(dataDir, 'dockhand.yml'), RULES);
  });
});
