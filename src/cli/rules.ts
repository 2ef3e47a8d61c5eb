import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { parseDocument } from 'yaml';
import { parseAmazonOrders } from '../amazon/to-order';
import { loadConfig, readEnv, type AccountConfig, type Config } from '../config/config';
import { DockhandError, toDockhandError } from '../domain/errors';
import type { Order } from '../domain/order';
import { createLogger } from '../log/logger';
import { unknownNames } from '../rules/names';
import { parseProductCsv } from '../rules/product-csv';
import { formatRuleIssue, parseRateShopping, parseRules, type RuleIssue } from '../rules/schema';
import type { ProductRow } from '../store/rule-tables';
import { Store } from '../store/store';
import { mapOrder } from '../sync/sync-orders.job';
import { openRuntime, withSandboxConnections, type Runtime } from './runtime';

/**
 * `dockhand rules check`, `dockhand rules test`, `dockhand products import|sync`. Wiring only:
 * the decisions are src/rules'.
 */

const out = (line = ''): void => void process.stdout.write(line + '\n');

async function withRuntime<T>(fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const cfg = withSandboxConnections(loadConfig(readEnv()));
  const rt = await openRuntime(cfg, createLogger({ level: process.env.LOG_LEVEL ?? 'warn' }));
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

/** The `rules:` and `rateShopping:` sections as written, with every problem (loadConfig stops at the first). */
export function readRuleSections(env = readEnv(), cwd = process.cwd()): { file?: string; issues: RuleIssue[]; count: number } {
  const explicit = env.DOCKHAND_CONFIG?.trim();
  const file = path.resolve(cwd, explicit || 'dockhand.yml');
  if (!existsSync(file)) return { issues: [], count: 0 };
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors.length > 0) return { file, issues: [{ rule: '(file)', field: '', expected: `not valid YAML: ${doc.errors[0]!.message}` }], count: 0 };
  const js = (doc.toJS() ?? {}) as { rules?: unknown; rateShopping?: unknown };
  const rules = parseRules(js.rules);
  return { file, issues: [...rules.issues, ...parseRateShopping(js.rateShopping).issues], count: rules.rules.length + rules.issues.length };
}

/** `rules check`: true when every rule is valid and every name it uses exists in ShipStation. */
export async function checkRules(print: (line?: string) => void = out): Promise<boolean> {
  const sections = readRuleSections();
  for (const i of sections.issues) print(`ERROR ${formatRuleIssue(i)}`);
  if (sections.issues.length > 0) {
    print(`${sections.issues.length} problem(s) in ${sections.file}`);
    return false;
  }
  const cfg = loadConfig(readEnv());
  if (cfg.rules.length === 0) {
    print(`no rules in ${cfg.configPath ?? 'the configuration (no config file)'}: orders go out as mapped`);
    return true;
  }
  try {
    const problems = await withRuntime(async (rt) => unknownNames(rt.config.rules, await rt.rules.names.current()));
    for (const p of problems) print(`ERROR ${formatRuleIssue(p)}`);
    if (problems.length > 0) return false;
  } catch (e) {
    const err = toDockhandError(e);
    print(`ERROR the tag, warehouse and store names could not be checked: ${err.message}${err.hint ? `\n  → ${err.hint}` : ''}`);
    return false;
  }
  print(`${cfg.rules.length} rule(s) OK: ${cfg.rules.map((r) => r.name).join(', ')}`);
  return true;
}

/** An Orders API v2026-01-01 order, bare or wrapped as getOrder returns it (`{"order": …}`). */
export function unwrapOrder(json: unknown): unknown {
  if (json !== null && typeof json === 'object' && 'order' in json && typeof (json as { order: unknown }).order === 'object') return (json as { order: unknown }).order;
  return json;
}

function accountFor(cfg: Config, raw: unknown, only?: string): AccountConfig {
  if (only) {
    const a = cfg.accounts.find((x) => x.id === only);
    if (!a) throw new DockhandError('config.invalid', `no account "${only}" in the configuration`, { hint: `Known accounts: ${cfg.accounts.map((x) => x.id).join(', ')}` });
    return a;
  }
  const mp = (raw as { salesChannel?: { marketplaceId?: unknown } } | undefined)?.salesChannel?.marketplaceId;
  return cfg.accounts.find((a) => typeof mp === 'string' && a.marketplaceIds.includes(mp)) ?? cfg.accounts[0]!;
}

async function orderToTest(rt: Runtime, target: string, only?: string): Promise<{ order: Order; account: AccountConfig }> {
  if (existsSync(target) || target.endsWith('.json')) {
    let raw: unknown;
    try {
      raw = unwrapOrder(JSON.parse(readFileSync(target, 'utf8')));
    } catch (e) {
      throw new DockhandError('order.malformed', `${target}: not a JSON order (${(e as Error).message})`, { hint: 'Give an Orders API v2026-01-01 order, bare or as getOrder returns it ({"order": …}).' });
    }
    const account = accountFor(rt.config, raw, only);
    const { orders, rejected } = parseAmazonOrders([raw], { accountId: account.id, marketplaceIds: account.marketplaceIds });
    if (!orders[0]) throw rejected[0]?.error ?? new DockhandError('order.malformed', `${target}: no order in it`);
    return { order: orders[0], account };
  }
  let last: unknown;
  for (const account of only ? [accountFor(rt.config, undefined, only)] : rt.config.accounts) {
    try {
      return { order: await rt.contextFor(account).amazon.fetchOrder(target), account };
    } catch (e) {
      last = e;
    }
  }
  throw last ?? new DockhandError('config.invalid', 'no account to read the order from');
}

export interface RulesTestResult {
  rules: Array<{ name: string; matched: boolean; why: string | null }>;
  order: unknown;
  notes: string[];
}

/** `rules test`: what every rule says about one order and the createorder body that would go out. Reads only. */
export async function testRules(rt: Runtime, target: string, only?: string): Promise<RulesTestResult> {
  const { order, account } = await orderToTest(rt, target, only);
  // No routing here: the bare mapping first, then the rules explain themselves on it.
  const mapped = await mapOrder(order, { ...rt.contextFor(account), routing: undefined });
  const { verdicts, routed } = await rt.rules.router.explain(order, mapped.payload, Date.now());
  const notes: string[] = [];
  for (const m of routed.missing) notes.push(`${m.kind} "${m.name}" does not exist in ShipStation: left off the order (create it, or fix the rule)`);
  const shop = routed.actions.rateShop;
  if (shop) {
    notes.push(`rate shopping (${shop.policy} over ${shop.carriers.join(', ')}) runs once the order is in ShipStation; the service is set then`);
    if (shop.policy === 'cheapest_on_time' && !rt.config.shipstationV2) notes.push('no v2 delivery estimates (SHIPSTATION_V2_API_KEY is not set): on-time is judged with rateShopping.transitDays');
    if (shop.createLabel && order.isPrime) notes.push('Seller Fulfilled Prime: the label is not bought automatically (Amazon expects Buy Shipping)');
  }
  if (routed.facts.weightOz === undefined) notes.push(`weight unknown (no product table weight for ${routed.facts.unknownWeightSkus.join(', ') || 'any line'}): weight conditions do not match`);
  return { rules: verdicts.map((v) => ({ name: v.name, matched: v.matched, why: v.why ?? null })), order: routed.payload, notes };
}

function productRowsFrom(products: Awaited<ReturnType<Runtime['shipstation']['listProducts']>>['products']): ProductRow[] {
  const pos = (n: number | null | undefined) => (typeof n === 'number' && n > 0 ? n : undefined);
  return products.map((p) => {
    const row: ProductRow = { sku: p.sku };
    const w = pos(p.weightOz);
    if (w !== undefined) row.weightOz = w;
    const [l, wd, h] = [pos(p.length), pos(p.width), pos(p.height)];
    if (l !== undefined) row.lengthIn = l;
    if (wd !== undefined) row.widthIn = wd;
    if (h !== undefined) row.heightIn = h;
    if (p.productCategory?.name) row.category = p.productCategory.name;
    return row;
  }).filter((r) => r.sku !== '');
}

export function registerRulesCommands(program: Command): void {
  const rules = program.command('rules').description('the rules file: routing, Prime escalation and rate shopping');
  rules
    .command('check')
    .description('validate the rules and the ShipStation tag, warehouse and store names they use (exit 1 on any error)')
    .action(async () => {
      process.exitCode = (await checkRules()) ? 0 : 1;
    });
  rules
    .command('test <target>')
    .description('dry run for one order (AmazonOrderId or order.json): every rule, matched or the first condition that failed, and the ShipStation order that would be sent; changes nothing')
    .option('--json', 'print {"rules":[{"name","matched","why"}],"order":{…}}')
    .option('--account <id>', 'the account the order belongs to')
    .action(async (target: string, opts: { json?: boolean; account?: string }) => {
      const r = await withRuntime((rt) => testRules(rt, target, opts.account));
      if (opts.json) return out(JSON.stringify({ rules: r.rules, order: r.order }, null, 2));
      for (const v of r.rules) out(`${v.matched ? '  ✓' : '  ✗'} ${v.name}${v.why ? ` — ${v.why}` : ''}`);
      if (r.rules.length === 0) out('  (no rules configured)');
      for (const n of r.notes) out(`  note: ${n}`);
      out('ShipStation createorder body:');
      out(JSON.stringify(r.order, null, 2));
    });

  const products = program.command('products').description('the product table: weight, dimensions and category per ShipStation SKU');
  products
    .command('import <csv>')
    .description('add or replace products from a CSV with columns sku,weight_oz,length_in,width_in,height_in,category (bad lines are reported by number; nothing is imported then)')
    .action(async (file: string) => {
      const rows = parseProductCsv(readFileSync(file, 'utf8'), file);
      const cfg = loadConfig(readEnv());
      const store = await Store.open({ dataDir: cfg.dataDir, ...(cfg.storeUrl ? { storeUrl: cfg.storeUrl } : {}) });
      try {
        await store.rules.putProducts(rows, Date.now());
      } finally {
        await store.close();
      }
      out(`imported ${rows.length} product(s) from ${file}`);
    });
  products
    .command('sync')
    .description("read the products from ShipStation (GET /products) into the product table")
    .action(async () => {
      const n = await withRuntime(async (rt) => {
        const { products: list } = await rt.shipstation.listProducts({ allPages: true });
        const rows = productRowsFrom(list);
        await rt.store.rules.putProducts(rows, Date.now());
        return rows.length;
      });
      out(`synced ${n} product(s) from ShipStation`);
    });
}
