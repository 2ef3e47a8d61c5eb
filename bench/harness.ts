import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSandboxServices, SANDBOX_QUEUE, type Sandbox } from '../src/cli/sandbox';
import { createNotificationsClient, ensureOrderChangeSubscription } from '../src/events/notifications-client';
import { SANDBOX_CATALOGUE } from '../src/sandbox/amazon/order-factory';
import { Store } from '../src/store/store';

/**
 * What every benchmark needs: the simulators here, Dockhand as its own process (`dockhand start`
 * on the real-credentials path, the sandbox CA trusted through NODE_EXTRA_CA_CERTS, SQS reached
 * through AWS_ENDPOINT_URL_SQS), and a watch on what arrives in ShipStation.
 */

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP port free on loopback right now, for a child process that must be told its port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function peakRssMb(pid: number): number {
  try {
    const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
    return kb / 1024;
  } catch {
    return NaN;
  }
}

export interface BenchEnv {
  sandbox: Sandbox;
  child: ChildProcess;
  /** Resolves when Dockhand has made its first searchOrders call (its first pass is under way). */
  started: Promise<number>;
  close(): Promise<void>;
}

export async function startBenchEnv(opts: { scale: number; intervalSeconds: number; overlapSeconds: number; events: boolean; env?: Record<string, string>; yaml?: string }): Promise<BenchEnv> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-bench-'));
  const sandbox = await startSandboxServices(path.join(dataDir, 'sims'), { rateScale: opts.scale });
  const info = sandbox.info;
  const store = await Store.open({ dataDir });
  for (const p of SANDBOX_CATALOGUE) await store.putSkuMapping({ amazonSku: p.sellerSku, shipstationSku: p.shipstationSku, asin: p.asin });
  await store.close();
  const configFile = path.join(dataDir, 'dockhand.yml');
  let yaml = `sync:\n  intervalSeconds: ${opts.intervalSeconds}\n  overlapSeconds: ${opts.overlapSeconds}\n`;
  if (opts.events) {
    yaml += `events:\n  sqsQueueUrl: ${info.sqsQueueUrl}\n`;
    // What `dockhand notifications setup` does; done here so the product starts subscribed.
    const client = createNotificationsClient({ region: 'na', clientId: info.clientId, clientSecret: info.clientSecret, refreshToken: info.refreshToken, spApiUrl: info.spApiUrl, lwaUrl: info.lwaUrl, ca: readFileSync(info.caPath, 'utf8') });
    await ensureOrderChangeSubscription(client, { queueArn: sandbox.sqs.queueArn(SANDBOX_QUEUE), marketplaceIds: info.marketplaceIds, name: 'dockhand-bench' });
    await client.close();
  }
  writeFileSync(configFile, yaml + (opts.yaml ?? ''));

  const nodeArgs = process.env.BENCH_CHILD_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/cli/main.ts', 'start'], {
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
      AWS_ENDPOINT_URL_SQS: info.sqsEndpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      DOCKHAND_DATA_DIR: dataDir,
      DOCKHAND_CONFIG: configFile,
      DOCKHAND_SECRET_KEY: 'bench',
      PORT: '0',
      LOG_LEVEL: 'error',
      ...opts.env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const started = (async () => {
    const deadline = Date.now() + 30_000;
    while ((sandbox.spApi.stats().requests.searchOrders ?? 0) < 1 && Date.now() < deadline) await sleep(10);
    return Date.now();
  })();
  return {
    sandbox,
    child,
    started,
    async close() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls the ShipStation simulator and notes when each watched order first appears there. */
export async function watchArrivals(sandbox: Sandbox, placedAt: Map<string, number>, timeoutMs: number, expected = placedAt.size): Promise<Map<string, number>> {
  const arrived = new Map<string, number>();
  const stopAt = Date.now() + timeoutMs;
  while (arrived.size < expected && Date.now() < stopAt) {
    const now = Date.now();
    for (const o of sandbox.shipstation.orders()) {
      if (placedAt.has(o.orderNumber) && !arrived.has(o.orderNumber)) arrived.set(o.orderNumber, now);
    }
    await sleep(25);
  }
  return arrived;
}

export function latencies(placedAt: Map<string, number>, arrived: Map<string, number>): number[] {
  return [...arrived.entries()].map(([id, at]) => (at - placedAt.get(id)!) / 1000).sort((a, b) => a - b);
}

export function throttledTotal(stats: { throttled: Record<string, number> }): number {
  return Object.values(stats.throttled).reduce((a, b) => a + b, 0);
}
