import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createOrderFactory, SANDBOX_CATALOGUE } from '../src/sandbox/amazon/order-factory';
import { SP_API_USAGE_PLANS } from '../src/sandbox/amazon/sp-api-simulator';
import { Store } from '../src/store/store';
import { startSandboxServices } from '../src/cli/sandbox';

/**
 * Spike: 5,000 orders land on Amazon at once, every API limit scaled by the same factor.
 * Dockhand runs as its own process (`dockhand start`, real credentials path, the sandbox CA
 * trusted through NODE_EXTRA_CA_CERTS); the simulators run here and watch what arrives.
 *
 * Theoretical maximum: the pages searchOrders must serve (100 orders each) beyond the tokens in
 * its bucket when the spike lands, at the scaled refill rate, against ShipStation's createorders
 * calls (100 orders each) beyond its window; whichever takes longer binds.
 */

const SHIPSTATION_LIMIT_PER_WINDOW = 40;
const SHIPSTATION_WINDOW_S = 60;
const PAGE = 100;

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Seconds the limits in force need at the least to move `orders` orders, and which API binds. */
export function theoreticalSeconds(orders: number, scale: number, searchTokens: number): { seconds: number; binding: string } {
  const pages = Math.ceil(orders / PAGE);
  const plan = SP_API_USAGE_PLANS.searchOrders;
  const amazon = Math.max(0, pages - Math.floor(searchTokens)) / (plan.rate * scale);
  const calls = Math.ceil(orders / PAGE);
  const windows = Math.floor(Math.max(0, calls - 1) / SHIPSTATION_LIMIT_PER_WINDOW);
  const shipstation = (windows * SHIPSTATION_WINDOW_S) / scale;
  return amazon >= shipstation ? { seconds: amazon, binding: 'searchOrders' } : { seconds: shipstation, binding: 'ShipStation createorders' };
}

function peakRssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return kb / 1024;
  } catch {
    return NaN;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      orders: { type: 'string', default: '5000' },
      scale: { type: 'string', default: '100' },
      seed: { type: 'string', default: '7' },
      'timeout-s': { type: 'string', default: '600' },
    },
  });
  const total = Number(values.orders);
  const scale = Number(values.scale);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-bench-'));
  const sandbox = await startSandboxServices(path.join(dataDir, 'sims'), { rateScale: scale });
  const store = await Store.open({ dataDir });
  for (const p of SANDBOX_CATALOGUE) await store.putSkuMapping({ amazonSku: p.sellerSku, shipstationSku: p.shipstationSku, asin: p.asin });
  await store.close();
  const configFile = path.join(dataDir, 'dockhand.yml');
  // Dockhand's own cadence scaled with the limits, as a real deployment's would relate to them.
  writeFileSync(configFile, `sync:\n  intervalSeconds: ${60 / scale}\n  overlapSeconds: ${60 / scale}\n`);

  const info = sandbox.info;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start'], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: {
      PATH: process.env.PATH,
      SELLING_PARTNER_APP_CLIENT_ID: info.clientId,
      SELLING_PARTNER_APP_CLIENT_SECRET: info.clientSecret,
      AMAZON_REFRESH_TOKEN: info.refreshToken,
      AMAZON_MARKETPLACE_IDS: info.marketplaceIds.join(','),
      AMAZON_SP_API_URL: info.spApiUrl,
      AMAZON_LWA_URL: info.lwaUrl,
      NODE_EXTRA_CA_CERTS: info.caPath,
      SHIPSTATION_API_KEY: info.shipstationApiKey,
      SHIPSTATION_API_SECRET: info.shipstationApiSecret,
      SHIPSTATION_API_URL: info.shipstationUrl,
      DOCKHAND_DATA_DIR: dataDir,
      DOCKHAND_CONFIG: configFile,
      DOCKHAND_SECRET_KEY: 'bench',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });

  try {
    // Let Dockhand finish its first (empty) pass, so the spike meets a running product.
    const deadline = Date.now() + 30_000;
    while ((sandbox.spApi.stats().requests.searchOrders ?? 0) < 1 && Date.now() < deadline) await sleep(10);
    const firstCallAt = Date.now();
    await sleep(1_000);
    const callsBefore = sandbox.spApi.stats().requests.searchOrders ?? 0;
    const throttledBefore = Object.values(sandbox.spApi.stats().throttled).reduce((a, b) => a + b, 0);
    const ssThrottledBefore = sandbox.shipstation.stats().throttled;

    const factory = createOrderFactory(Number(values.seed));
    const placedAt = new Map<string, number>();
    const spikeAt = Date.now();
    for (let i = 0; i < total; i++) {
      const kind = i % 3 === 0 ? 'prime_next_day' : 'standard';
      const { lastUpdatedTime: _l, ...order } = factory.make(kind);
      sandbox.spApi.putOrder(order);
      placedAt.set(order.orderId, Date.now());
    }
    // Tokens in the simulator's searchOrders bucket when the spike landed (burst minus the calls
    // already made, refilled since): what the theoretical maximum may spend.
    const plan = SP_API_USAGE_PLANS.searchOrders;
    const tokens = Math.min(plan.burst, plan.burst - callsBefore + ((spikeAt - firstCallAt) / 1000) * plan.rate * scale);

    const arrived = new Map<string, number>();
    const stopAt = Date.now() + Number(values['timeout-s']) * 1000;
    while (arrived.size < total && Date.now() < stopAt) {
      const now = Date.now();
      for (const o of sandbox.shipstation.orders()) {
        if (placedAt.has(o.orderNumber) && !arrived.has(o.orderNumber)) arrived.set(o.orderNumber, now);
      }
      await sleep(50);
    }
    const finishedAt = Math.max(...arrived.values());
    const elapsedS = (finishedAt - spikeAt) / 1000;
    const latencies = [...arrived.entries()].map(([id, at]) => (at - placedAt.get(id)!) / 1000).sort((a, b) => a - b);
    const theory = theoreticalSeconds(total, scale, tokens);
    const achievedPerMin = (arrived.size / elapsedS) * 60;
    const theoreticalPerMin = (total / Math.max(theory.seconds, 1e-9)) * 60;
    const amazon429 = Object.values(sandbox.spApi.stats().throttled).reduce((a, b) => a + b, 0) - throttledBefore;
    const shipstation429 = sandbox.shipstation.stats().throttled - ssThrottledBefore;
    const duplicates = total - new Set(sandbox.shipstation.orders().map((o) => o.orderNumber).filter((n) => placedAt.has(n))).size - (total - arrived.size);
    const rss = peakRssMb(child.pid!);

    const lines = [
      `spike benchmark: ${total} orders at once, every API limit x${scale}`,
      `  arrived in ShipStation      ${arrived.size}/${total}${arrived.size < total ? ' (TIMED OUT)' : ''}, duplicates ${Math.max(0, duplicates)}`,
      `  elapsed                     ${elapsedS.toFixed(1)} s`,
      `  achieved                    ${achievedPerMin.toFixed(0)} orders/min`,
      `  theoretical maximum         ${theoreticalPerMin.toFixed(0)} orders/min (${theory.binding} binds: ${theory.seconds.toFixed(1)} s at searchOrders ${(plan.rate * scale).toFixed(3)}/s with ${Math.floor(tokens)} tokens left, ShipStation ${SHIPSTATION_LIMIT_PER_WINDOW}/${(SHIPSTATION_WINDOW_S / scale).toFixed(2)} s)`,
      `  ratio                       ${(achievedPerMin / theoreticalPerMin).toFixed(3)} (goal >= 0.9)`,
      `  429 responses               Amazon ${amazon429}, ShipStation ${shipstation429}`,
      `  latency appear → ShipStation p50 ${percentile(latencies, 50).toFixed(1)} s, p95 ${percentile(latencies, 95).toFixed(1)} s`,
      `  peak RSS (Dockhand process) ${rss.toFixed(0)} MB`,
      `  API calls                   searchOrders ${(sandbox.spApi.stats().requests.searchOrders ?? 0) - callsBefore}, ShipStation createorders ${sandbox.shipstation.stats().createOrdersCalls}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
