import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, request, type Server } from 'node:http';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startSandboxServices, SANDBOX_QUEUE, type Sandbox } from '../src/cli/sandbox';
import { createNotificationsClient, ensureOrderChangeSubscription } from '../src/events/notifications-client';
import { createOrderFactory, SANDBOX_CATALOGUE } from '../src/sandbox/amazon/order-factory';
import { SP_API_USAGE_PLANS } from '../src/sandbox/amazon/sp-api-simulator';
import { Store } from '../src/store/store';
import { npmStartCommand } from './node-flags';

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

export interface SimulatorOptions {
  scale: number;
  intervalSeconds: number;
  overlapSeconds: number;
  events: boolean;
  yaml?: string;
  /** DOCKHAND_STORE_URL for every Dockhand started on this set (the SKU map is put there); unset: SQLite in the data dir. */
  storeUrl?: string;
}

/** The simulators, the config file and the environment every Dockhand child started against them shares. */
export interface SimulatorSet {
  sandbox: Sandbox;
  dataDir: string;
  /** The real-credentials environment pointing at the simulators (DOCKHAND_DATA_DIR: `dataDir`). */
  childEnv: Record<string, string>;
  close(): Promise<void>;
}

/** Starts the simulators here, puts the sandbox SKU map in the store and writes the config file. */
export async function startSimulatorSet(opts: SimulatorOptions): Promise<SimulatorSet> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-bench-'));
  const sandbox = await startSandboxServices(path.join(dataDir, 'sims'), { rateScale: opts.scale });
  const info = sandbox.info;
  const store = await Store.open({ dataDir, ...(opts.storeUrl ? { storeUrl: opts.storeUrl } : {}) });
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
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
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
    ...(opts.storeUrl ? { DOCKHAND_STORE_URL: opts.storeUrl } : {}),
  };
  return {
    sandbox,
    dataDir,
    childEnv,
    async close() {
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `dockhand start` as a child process against the set, with `env` over the set's environment: the
 * command `npm start` runs, node flags included (they decide the peak RSS the benches print), with
 * BENCH_CHILD_NODE_ARGS added to try others.
 */
export function spawnDockhand(set: SimulatorSet, env: Record<string, string> = {}): ChildProcess {
  const [node, ...args] = npmStartCommand();
  if (node !== 'node') throw new Error(`package.json's start script must run node, not ${node}`);
  const extra = process.env.BENCH_CHILD_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extra, ...args], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: { ...set.childEnv, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

const children = new Set<ChildProcess>();

/** Kills every `dockhand start` still running: a bench stopped by a signal must not leave one polling ports a later bench may get. */
export function killDockhands(): void {
  for (const c of children) c.kill('SIGKILL');
}

/** Resolves when a child has ended (at once when it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** Resolves (with the time) when the simulators have seen the first searchOrders call, or after `timeoutMs`. */
export async function firstSearch(sandbox: Sandbox, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while ((sandbox.spApi.stats().requests.searchOrders ?? 0) < 1 && Date.now() < deadline) await sleep(10);
  return Date.now();
}

export async function startBenchEnv(opts: { scale: number; intervalSeconds: number; overlapSeconds: number; events: boolean; env?: Record<string, string>; yaml?: string }): Promise<BenchEnv> {
  const set = await startSimulatorSet(opts);
  const child = spawnDockhand(set, opts.env);
  return {
    sandbox: set.sandbox,
    child,
    started: firstSearch(set.sandbox),
    async close() {
      child.kill('SIGTERM');
      await exited(child);
      await set.close();
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

/**
 * A load balancer on loopback in front of several replicas, as the README deploys them (one public
 * URL for Slack and SHIP_NOTIFY): each request goes to the next backend in turn, and to the one
 * after it when a backend refuses the connection (a dead replica), so nothing is lost to a kill.
 */
export async function startBalancer(ports: number[]): Promise<{ url: string; close(): Promise<void> }> {
  let next = 0;
  const forward = (method: string, url: string, headers: Record<string, string | string[] | undefined>, body: Buffer, tried: number): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const port = ports[next++ % ports.length]!;
      const req = request({ host: '127.0.0.1', port, method, path: url, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', (e) => (tried + 1 < ports.length ? forward(method, url, headers, body, tried + 1).then(resolve, reject) : reject(e)));
      req.end(body);
    });
  const server: Server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      forward(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks), 0).then(
        (r) => res.writeHead(r.status, r.headers).end(r.body),
        () => res.writeHead(502).end(),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A new empty database on the Postgres server `adminUrl` names; `drop` removes it. */
export async function freshDatabase(adminUrl: string, prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const run = async (q: string) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  };
  await run(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`drop database if exists ${name} with (force)`) };
}

/**
 * Puts `total` new orders into the simulated Amazon at once, a third of them Prime NextDay, and
 * says when each landed and how many tokens the simulator's searchOrders bucket held when the
 * spike landed (burst minus the calls already made, refilled since): what the theoretical maximum
 * may spend.
 */
export function placeSpike(sandbox: Sandbox, opts: { total: number; seed: number; scale: number; firstCallAt: number; callsBefore: number }): { placedAt: Map<string, number>; spikeAt: number; tokens: number } {
  const factory = createOrderFactory(opts.seed);
  const placedAt = new Map<string, number>();
  const spikeAt = Date.now();
  for (let i = 0; i < opts.total; i++) {
    const { lastUpdatedTime: _l, ...order } = factory.make(i % 3 === 0 ? 'prime_next_day' : 'standard');
    sandbox.spApi.putOrder(order);
    placedAt.set(order.orderId, Date.now());
  }
  const plan = SP_API_USAGE_PLANS.searchOrders;
  const tokens = Math.min(plan.burst, plan.burst - opts.callsBefore + ((spikeAt - opts.firstCallAt) / 1000) * plan.rate * opts.scale);
  return { placedAt, spikeAt, tokens };
}
