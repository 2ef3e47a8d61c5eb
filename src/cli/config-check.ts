import type { Config } from '../config/config';
import { checkInventorySource } from './inventory';
import { toDockhandError } from '../domain/errors';
import { silentLogger } from '../log/logger';
import type { Store as ShipStationStore } from '../shipstation/schemas';
import { openRuntime, withSandboxConnections } from './runtime';
import { queueDepth } from '../events/sqs-consumer';
import { unknownNames } from '../rules/names';
import { formatRuleIssue } from '../rules/schema';

/**
 * `dockhand config check`: what is set (never the secret values), what is missing, and whether
 * each API answers with these credentials. Returns true when everything needed is in order.
 */
export async function checkConnections(cfg: Config, out: (line?: string) => void, missingForLive: (c: Config) => string[]): Promise<boolean> {
  let ok = true;
  out(`config file: ${cfg.configPath ?? '(none: one account from the environment)'}`);
  out(`data dir:    ${cfg.dataDir}${cfg.storeUrl ? `  (store: ${redactUrl(cfg.storeUrl)})` : ''}`);
  out(`buyer data:  encrypted with ${cfg.secretKey ? 'DOCKHAND_SECRET_KEY' : `${cfg.dataDir}/secret.key`}; purged ${cfg.retention.buyerDataDays} days after shipment`);
  out(`sync:        every ${cfg.sync.intervalSeconds}s, overlap ${cfg.sync.overlapSeconds}s, first run looks back ${cfg.lookbackDays} day(s)`);
  out('accounts:');
  for (const a of cfg.accounts) {
    out(
      `  ${a.id}  region=${a.region}  marketplaces=${a.marketplaceIds.join(',')}  mode=${a.mode}  refresh token (${a.refreshTokenEnv}): ${a.refreshToken ? 'set' : 'MISSING'}` +
        `${a.shipstation.storeId ? `  storeId=${a.shipstation.storeId}` : ''}${a.shipstation.warehouseId ? `  warehouseId=${a.shipstation.warehouseId}` : ''}`,
    );
  }
  out('secrets:');
  for (const [name, value] of [
    ['SELLING_PARTNER_APP_CLIENT_ID', cfg.amazon.clientId],
    ['SELLING_PARTNER_APP_CLIENT_SECRET', cfg.amazon.clientSecret],
    ['SHIPSTATION_API_KEY', cfg.shipstation.apiKey],
    ['SHIPSTATION_API_SECRET', cfg.shipstation.apiSecret],
  ] as const) {
    out(`  ${name.padEnd(34)} ${value ? 'set' : 'missing'}`);
  }
  if (cfg.amazon.spApiUrl || cfg.amazon.lwaUrl) out(`  SP-API routed to ${cfg.amazon.spApiUrl ?? '(default)'}, LWA to ${cfg.amazon.lwaUrl ?? '(default)'}`);
  if (cfg.shipstation.baseUrl !== 'https://ssapi.shipstation.com') out(`  ShipStation routed to ${cfg.shipstation.baseUrl}`);

  let live = cfg;
  if (cfg.useSandbox) {
    out('mode:        sandbox (no Amazon credentials set)');
    try {
      live = withSandboxConnections(cfg);
    } catch (e) {
      const err = toDockhandError(e);
      out(`  ${err.message}\n  → ${err.hint}`);
      return false;
    }
  } else {
    const missing = missingForLive(cfg);
    if (missing.length > 0) {
      out(`missing to go live: ${missing.join(', ')}`);
      return false;
    }
  }

  out('checks:');
  const rt = await openRuntime(live, silentLogger);
  try {
    for (const a of live.accounts) {
      try {
        const client = rt.amazon.get(a.id)!;
        await client.checkCredentials();
        // A getOrder for an order that can't exist proves the Orders API accepts our token
        // without spending the scarce searchOrders budget: "not found" is the expected answer.
        await client.getOrder('000-0000000-0000000').catch((e) => {
          if (toDockhandError(e).code !== 'amazon.rejected') throw e;
        });
        out(`  ok    Amazon ${a.id}: LWA token issued, Orders API v2026-01-01 answered`);
      } catch (e) {
        ok = false;
        const err = toDockhandError(e);
        out(`  FAIL  Amazon ${a.id}: ${err.message} [${err.code}]${err.hint ? `\n        → ${err.hint}` : ''}`);
      }
    }
    let stores: ShipStationStore[] = [];
    try {
      stores = await rt.shipstation.listStores();
      out(`  ok    ShipStation v1: ${stores.length} store(s), budget ${rt.shipstation.budget().remaining ?? '?'}/${rt.shipstation.budget().limit ?? 40} requests this minute`);
    } catch (e) {
      ok = false;
      const err = toDockhandError(e);
      const label = err.code === 'shipstation.plan_refused' ? 'your ShipStation plan does not include the v1 API' : err.message;
      out(`  FAIL  ShipStation: ${label} [${err.code}]${err.hint ? `\n        → ${err.hint}` : ''}`);
    }
    for (const w of nativeAmazonWarnings(live, stores)) out(`  WARN  ${w}`);
    if (live.rules.length > 0) for (const w of await rt.rules.names.current().then((l) => unknownNames(live.rules, l)).catch(() => [])) out(`  WARN  ${formatRuleIssue(w)}`);
    if (live.events && rt.sqs) {
      try {
        const depth = await queueDepth(rt.sqs, live.events.sqsQueueUrl);
        out(`  ok    SQS queue for ORDER_CHANGE: ${depth.visible} waiting, ${depth.inFlight} in flight`);
      } catch (e) {
        ok = false;
        const err = toDockhandError(e);
        out(`  FAIL  SQS queue ${live.events.sqsQueueUrl}: ${err.message}\n        → check the AWS credentials (environment, AWS_PROFILE, instance role) and the queue's access policy`);
      }
    } else {
      out('  info  no SQS queue configured: polling only (README, "Real-time events")');
    }
    if (!(await checkInventorySource(live, out))) ok = false;
  } finally {
    await rt.close();
  }
  return ok;
}

/**
 * ShipStation's own Amazon connection imports the same orders and posts tracking itself; with
 * Dockhand importing too, each order would arrive twice and tracking would be sent twice.
 */
export function nativeAmazonWarnings(cfg: Config, stores: Array<Pick<ShipStationStore, 'storeId' | 'storeName' | 'marketplaceName' | 'active'>>): string[] {
  const importing = cfg.accounts.filter((a) => a.mode === 'import');
  if (importing.length === 0) return [];
  return stores
    .filter((s) => s.active !== false && /amazon/i.test(s.marketplaceName ?? ''))
    .map(
      (s) =>
        `ShipStation store "${s.storeName}" (id ${s.storeId}) is ShipStation's own Amazon connection. If it is connected to the same seller as ` +
        `account(s) ${importing.map((a) => a.id).join(', ')}, orders would be imported twice and tracking posted twice: ` +
        'deactivate that store, or set `mode: watch` for the account so Dockhand only watches and repairs.',
    );
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
