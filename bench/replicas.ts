import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { parseButtonValue } from '../src/domain/block-kit';
import { createOrderFactory, type OrderKind } from '../src/sandbox/amazon/order-factory';
import { startSlackSimulator, type SimMessage } from '../src/sandbox/slack/web-api-simulator';
import { Store } from '../src/store/store';
import { exited, firstSearch, freePort, freshDatabase, peakRssMb, sleep, spawnDockhand, startBalancer, startSimulatorSet } from './harness';

/**
 * `npm run bench -- replicas [--orders 2000] [--labels N] [--kill-after-ms N]`: two `dockhand
 * start` replicas on one Postgres (a fresh database on DOCKHAND_BENCH_POSTGRES_URL, else
 * DOCKHAND_TEST_POSTGRES_URL, dropped after), behind one loopback load balancer for SHIP_NOTIFY,
 * posting to one Slack simulator. A spike lands on Amazon; labels are printed in ShipStation as
 * orders arrive there (most announced by SHIP_NOTIFY, some left to polling); once the import is
 * under way the replica holding the sync lease is killed with SIGKILL, and the other must take
 * its leases over. When everything has settled: every order is in ShipStation once, every label
 * confirmed on Amazon once, and every alert and escalation posted to Slack once. Exits 1 when
 * one of those fails. `test/cli/replicas.test.ts` runs the same scenario, smaller.
 */

const ACCOUNT = 'default';
const CHANNEL = 'C0OPS00001';
const SLACK_TOKEN = 'xoxb-bench-replicas';
const SLACK_SECRET = 'bench-replicas-signing-secret';
const WEBHOOK_SECRET = 'bench-replicas-webhook-secret';
/** No new order, confirmation or Slack change for this long (and nothing left to do): settled. */
const QUIET_MS = 3_000;

export interface ReplicasOptions {
  /** DOCKHAND_STORE_URL of an empty Postgres database both replicas share. */
  storeUrl: string;
  orders: number;
  /** Labels printed, spread over the imported orders; one in five without SHIP_NOTIFY. */
  labels: number;
  /** Every API limit and Dockhand's cadence, scaled together. */
  scale: number;
  seed: number;
  /** Kill this long after the spike lands; by default once a quarter of the orders are in ShipStation. */
  killAfterMs?: number;
  timeoutMs: number;
  /** Progress lines (the bench prints them; the test stays quiet). */
  log?: (line: string) => void;
}

export interface ReplicasResult {
  orders: { placed: number; expected: number; inShipStation: number; missing: string[]; duplicated: string[] };
  labels: { printed: number; viaPollingOnly: number; confirmed: number; calls: number; repeated: string[]; missing: string[] };
  alerts: { keys: number; messages: number; byKind: Record<string, number>; duplicated: Array<{ key: string; messages: number }>; unattributed: number; pending: number; unposted: string[]; unexpected: Array<{ key: string; code: string; reason: string }> };
  kill: { atMs: number; victim: string; survivor: string; heldSyncLease: boolean; leases: string[]; ordersInShipStation: number; confirmed: number };
  /** Milliseconds after the kill: the sync lease held by the survivor, the next order arriving, and each lease of the dead replica no longer its own. */
  takeover: { syncLeaseMs?: number; nextOrderMs?: number; leases: Record<string, number | undefined> };
  settleMs: number;
  timedOut: boolean;
  rssMb: { victim: number; survivor: number };
  failures: string[];
  ok: boolean;
}

interface Replica {
  name: string;
  port: number;
  child: ChildProcess;
  rssMb: number;
}

/** Which orders the spike holds: mostly standard and Prime, with a few that must raise an alert. */
function kindAt(i: number): OrderKind {
  if (i % 200 === 50) return 'malformed';
  if (i % 200 === 150) return 'unmapped_sku';
  return i % 3 === 0 ? 'prime_next_day' : 'standard';
}

/**
 * A lead time that escalates the Prime orders (due at the end of today, UTC) and not the others
 * (due a day later): the escalation path runs on both replicas through the spike.
 */
function primeLeadMinutes(now: Date): number {
  const endOfDay = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.ceil((endOfDay - now.getTime()) / 60_000) + 60;
}

export async function runReplicasScenario(opts: ReplicasOptions): Promise<ReplicasResult> {
  const log = opts.log ?? (() => undefined);
  const { scale } = opts;
  const pollSeconds = 60 / scale;
  const slack = await startSlackSimulator({ botToken: SLACK_TOKEN, signingSecret: SLACK_SECRET });
  const set = await startSimulatorSet({
    scale,
    intervalSeconds: 60 / scale,
    overlapSeconds: 60 / scale,
    events: false,
    storeUrl: opts.storeUrl,
    yaml:
      `writeback:\n  pollSeconds: ${pollSeconds}\n  reconcileMinutes: 600\n  leadTimesMinutes: [${primeLeadMinutes(new Date())}]\n` +
      `slack:\n  channels:\n    alerts: ${CHANNEL}\n  managers: [S0MGRS0001]\n`,
  });
  const { sandbox } = set;
  const ports = [await freePort(), await freePort()];
  const balancer = await startBalancer(ports);
  const store = await Store.open({ storeUrl: opts.storeUrl });
  const db = new pg.Client({ connectionString: opts.storeUrl });
  await db.connect();
  const replicas: Replica[] = ports.map((port, i) => {
    const name = i === 0 ? 'A' : 'B';
    const dataDir = path.join(set.dataDir, `replica-${name}`);
    mkdirSync(dataDir, { recursive: true });
    const child = spawnDockhand(set, {
      PORT: String(port),
      DOCKHAND_DATA_DIR: dataDir,
      DOCKHAND_PUBLIC_URL: balancer.url,
      SHIPSTATION_WEBHOOK_SECRET: WEBHOOK_SECRET,
      SLACK_BOT_TOKEN: SLACK_TOKEN,
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      SLACK_API_URL: slack.url,
    });
    return { name, port, child, rssMb: NaN };
  });
  const sampleRss = () => {
    for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) r.rssMb = peakRssMb(r.child.pid!);
  };

  try {
    await firstSearch(sandbox);
    for (const r of replicas) await untilAnswers(r.port, 30_000);
    const hookDeadline = Date.now() + 30_000;
    while (sandbox.shipstation.webhooks().length === 0 && Date.now() < hookDeadline) await sleep(50);
    if (sandbox.shipstation.webhooks().length === 0) throw new Error('no replica registered the SHIP_NOTIFY webhook');
    await sleep(1_000);

    // The spike.
    const factory = createOrderFactory(opts.seed);
    const expected = new Set<string>();
    const malformed: string[] = [];
    const unmapped: string[] = [];
    const toLabel = new Set<string>();
    const importable: string[] = [];
    for (let i = 0; i < opts.orders; i++) {
      const kind = kindAt(i);
      const { lastUpdatedTime: _l, ...order } = factory.make(kind);
      sandbox.spApi.putOrder(order);
      if (kind === 'malformed') malformed.push(order.orderId);
      else {
        expected.add(order.orderId);
        importable.push(order.orderId);
        if (kind === 'unmapped_sku') unmapped.push(order.orderId);
      }
    }
    const spikeAt = Date.now();
    const stride = Math.max(1, Math.floor(importable.length / Math.max(1, opts.labels)));
    for (let i = 0; i < importable.length && toLabel.size < opts.labels; i += stride) toLabel.add(importable[i]!);
    log(`replicas: ${opts.orders} orders placed (${malformed.length} malformed, ${unmapped.length} with an unmapped SKU), ${toLabel.size} labels to print, limits x${scale}`);

    // Watch, print labels as orders arrive, kill, and wait for everything to settle.
    const arrived = new Set<string>();
    const printed = new Map<string, { orderId: string }>(); // packageReferenceId → Amazon order
    let viaPollingOnly = 0;
    let kill: ReplicasResult['kill'] | undefined;
    let killedAt = 0;
    let survivor: Replica | undefined;
    let victimOwnerPid = 0;
    const takeover: ReplicasResult['takeover'] = { leases: {} };
    let victimLeases: string[] = [];
    let lastChangeAt = Date.now();
    let lastSignature = '';
    let storeCheckedAt = 0;
    let storeQuiet = false;
    let settledAt: number | undefined;
    const stopAt = spikeAt + opts.timeoutMs;
    const confirmedRefs = new Set<string>();
    let confirmationsRead = 0;

    while (Date.now() < stopAt) {
      const now = Date.now();
      const before = arrived.size;
      for (const o of sandbox.shipstation.orders()) {
        if (!expected.has(o.orderNumber) || arrived.has(o.orderNumber)) continue;
        arrived.add(o.orderNumber);
        if (toLabel.has(o.orderNumber)) {
          const notify = printed.size % 5 !== 4;
          if (!notify) viaPollingOnly++;
          const label = sandbox.shipstation.createLabel(o.orderId, { carrierCode: printed.size % 2 ? 'ups_walleted' : 'stamps_com', serviceCode: printed.size % 2 ? 'ups_ground' : 'usps_priority_mail', notify });
          printed.set(String(label.shipmentId), { orderId: o.orderNumber });
        }
      }
      if (kill && takeover.nextOrderMs === undefined && arrived.size > before) takeover.nextOrderMs = now - killedAt;
      const fresh = sandbox.spApi.confirmations(confirmationsRead);
      confirmationsRead += fresh.length;
      for (const c of fresh) confirmedRefs.add(c.body.packageDetail.packageReferenceId);
      sampleRss();

      if (!kill && arrived.size > 0 && arrived.size < expected.size && (opts.killAfterMs !== undefined ? now - spikeAt >= opts.killAfterMs : arrived.size >= expected.size / 4)) {
        // The replica holding the sync lease (`host:pid:nonce`) is the one in the middle of the import.
        const holder = await store.leaseHolder(`sync:${ACCOUNT}`);
        const pid = holder ? Number(holder.split(':').at(-2)) : NaN;
        const victim = replicas.find((r) => r.child.pid === pid) ?? replicas[0]!;
        survivor = replicas.find((r) => r !== victim)!;
        victim.rssMb = peakRssMb(victim.child.pid!);
        victim.child.kill('SIGKILL');
        killedAt = Date.now();
        victimOwnerPid = victim.child.pid!;
        await exited(victim.child);
        victimLeases = (await db.query<{ name: string }>('select name from leases where owner like $1 order by name', [`%:${victimOwnerPid}:%`])).rows.map((r) => r.name);
        kill = {
          atMs: killedAt - spikeAt,
          victim: victim.name,
          survivor: survivor.name,
          heldSyncLease: victim.child.pid === pid,
          leases: victimLeases,
          ordersInShipStation: arrived.size,
          confirmed: confirmedRefs.size,
        };
        log(`replicas: killed ${victim.name} (pid ${victimOwnerPid}) ${kill.atMs} ms after the spike, ${arrived.size}/${expected.size} orders in ShipStation; its leases: ${victimLeases.join(', ') || 'none'}`);
      }

      if (kill && survivor) {
        const survivorPid = survivor.child.pid!;
        if (takeover.syncLeaseMs === undefined) {
          const holder = await store.leaseHolder(`sync:${ACCOUNT}`);
          if (holder && Number(holder.split(':').at(-2)) === survivorPid) takeover.syncLeaseMs = Date.now() - killedAt;
        }
        for (const name of victimLeases) {
          if (takeover.leases[name] !== undefined) continue;
          const holder = await store.leaseHolder(name);
          if (!holder || Number(holder.split(':').at(-2)) !== victimOwnerPid) takeover.leases[name] = Date.now() - killedAt;
        }
      }

      const messages = slack.messages(CHANNEL);
      const signature = `${arrived.size}/${confirmationsRead}/${messages.length}/${messages.reduce((n, m) => n + m.updated, 0)}`;
      if (signature !== lastSignature) {
        lastSignature = signature;
        lastChangeAt = now;
      }
      const workDone = kill !== undefined && arrived.size === expected.size && printed.size === toLabel.size && [...printed.keys()].every((ref) => confirmedRefs.has(ref));
      if (workDone && now - storeCheckedAt > 500) {
        storeCheckedAt = now;
        storeQuiet = (await store.outbox.pendingKeys(1)).length === 0;
      }
      if (workDone && storeQuiet && now - lastChangeAt >= QUIET_MS) {
        settledAt = lastChangeAt;
        break;
      }
      await sleep(50);
    }
    const timedOut = settledAt === undefined;
    sampleRss();

    // The checks.
    const numbers = sandbox.shipstation.orders().map((o) => o.orderNumber);
    const seen = new Map<string, number>();
    for (const n of numbers) seen.set(n, (seen.get(n) ?? 0) + 1);
    const keys = sandbox.shipstation.orders().map((o) => o.orderKey);
    const orders = {
      placed: opts.orders,
      expected: expected.size,
      inShipStation: [...expected].filter((id) => seen.has(id)).length,
      missing: [...expected].filter((id) => !seen.has(id)),
      duplicated: [...seen].filter(([, n]) => n > 1).map(([id]) => id).concat(keys.length - new Set(keys).size > 0 ? ['(a repeated orderKey)'] : []),
    };

    const calls = new Map<string, number>();
    for (const c of sandbox.spApi.confirmations()) {
      const ref = `${c.orderId}/${c.body.packageDetail.packageReferenceId}`;
      calls.set(ref, (calls.get(ref) ?? 0) + 1);
    }
    const wanted = [...printed].map(([ref, { orderId }]) => `${orderId}/${ref}`);
    const labels = {
      printed: printed.size,
      viaPollingOnly,
      confirmed: wanted.filter((r) => calls.has(r)).length,
      calls: [...calls.values()].reduce((a, b) => a + b, 0),
      repeated: [...calls].filter(([, n]) => n > 1).map(([r, n]) => `${r} x${n}`),
      missing: wanted.filter((r) => !calls.has(r)),
    };

    const alerts = await checkAlerts(db, slack.messages(CHANNEL), { malformed, unmapped });
    const failures: string[] = [];
    if (timedOut) failures.push(`did not settle within ${opts.timeoutMs} ms`);
    if (!kill) failures.push('no replica was killed: the import ended before the kill');
    if (orders.missing.length) failures.push(`${orders.missing.length} orders missing from ShipStation`);
    if (orders.duplicated.length) failures.push(`orders in ShipStation more than once: ${orders.duplicated.slice(0, 10).join(', ')}`);
    if (labels.missing.length) failures.push(`${labels.missing.length} labels never confirmed on Amazon`);
    if (labels.repeated.length) failures.push(`labels confirmed more than once: ${labels.repeated.slice(0, 10).join(', ')}`);
    if (alerts.duplicated.length) failures.push(`alerts posted more than once: ${alerts.duplicated.slice(0, 10).map((d) => `${d.key} x${d.messages}`).join(', ')}`);
    if (alerts.unattributed) failures.push(`${alerts.unattributed} Slack messages belong to no alert the store knows`);
    if (alerts.pending) failures.push(`${alerts.pending} alert changes still wait in the outbox`);
    if (alerts.unposted.length) failures.push(`alerts never posted: ${alerts.unposted.slice(0, 10).join(', ')}`);
    if (alerts.unexpected.length) failures.push(`orders quarantined with nothing wrong: ${alerts.unexpected.slice(0, 5).map((u) => `${u.key} (${u.code}: ${u.reason})`).join('; ')}`);
    if (!alerts.byKind.deadline) failures.push('no ship-by escalation was posted');
    if (kill && takeover.syncLeaseMs === undefined && orders.missing.length > 0) failures.push('the survivor never took the sync lease');
    return {
      orders,
      labels,
      alerts,
      kill: kill ?? { atMs: NaN, victim: '-', survivor: '-', heldSyncLease: false, leases: [], ordersInShipStation: arrived.size, confirmed: confirmedRefs.size },
      takeover,
      settleMs: (settledAt ?? Date.now()) - spikeAt,
      timedOut,
      rssMb: { victim: replicas.find((r) => r.name === kill?.victim)?.rssMb ?? NaN, survivor: survivor?.rssMb ?? NaN },
      failures,
      ok: failures.length === 0,
    };
  } finally {
    for (const r of replicas) r.child.kill('SIGTERM');
    await Promise.all(replicas.map((r) => exited(r.child)));
    await db.end().catch(() => undefined);
    await store.close();
    await balancer.close();
    await slack.close();
    await set.close();
  }
}

/**
 * Each Slack message is the alert the store posted under its ts, or (a message the store lost
 * track of: a second post) the alert its buttons name. Every alert the spike must raise (one per
 * malformed order, one per unmapped SKU) is posted, in its own message or in a burst's.
 */
async function checkAlerts(db: pg.Client, messages: SimMessage[], raised: { malformed: string[]; unmapped: string[] }): Promise<ReplicasResult['alerts']> {
  const rows = (await db.query<{ key: string; kind: string; doc: string }>('select key, kind, doc from alert_messages')).rows;
  const byTs = new Map<string, string>();
  const byKind: Record<string, number> = {};
  const subjects = new Set<string>();
  const malformed = new Set(raised.malformed);
  const unexpected: ReplicasResult['alerts']['unexpected'] = [];
  let hasBurst = false;
  for (const r of rows) {
    const doc = JSON.parse(r.doc) as { ts?: string; channel?: string; facts?: Record<string, string> };
    if (!doc.ts) continue;
    byTs.set(`${doc.channel}/${doc.ts}`, r.key);
    byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
    const facts = doc.facts ?? {};
    // The orders an alert names: its order, the latest orders of an unmapped SKU, a burst's first few.
    const ids = [facts.amazonOrderId, ...`${facts.recentOrders ?? ''},${facts.orderIds ?? ''}`.split(/[\s,]+/)].filter((id): id is string => !!id);
    for (const id of ids) subjects.add(`${r.kind}/${id}`);
    if (r.kind === 'quarantine_burst') hasBurst = true;
    // Only a malformed order may be quarantined: any other was sent, so a quarantine of it is a false alarm.
    if (r.kind === 'quarantined_order' && facts.amazonOrderId && !malformed.has(facts.amazonOrderId)) {
      unexpected.push({ key: r.key, code: facts.code ?? '?', reason: facts.reason ?? '' });
    }
  }
  const perKey = new Map<string, number>();
  let unattributed = 0;
  for (const m of messages) {
    const key = byTs.get(`${m.channel}/${m.ts}`) ?? buttonKey(m);
    if (!key) unattributed++;
    else perKey.set(key, (perKey.get(key) ?? 0) + 1);
  }
  const pending = Number((await db.query<{ n: string }>('select count(*) as n from alert_outbox')).rows[0]?.n ?? 0);
  const unposted = [
    ...raised.malformed.filter((id) => !hasBurst && !subjects.has(`quarantined_order/${id}`)).map((id) => `quarantined_order ${id}`),
    ...raised.unmapped.filter((id) => !subjects.has(`unmapped_sku/${id}`)).map((id) => `unmapped_sku ${id}`),
  ];
  return {
    keys: byTs.size,
    messages: messages.length,
    byKind,
    duplicated: [...perKey].filter(([, n]) => n > 1).map(([key, n]) => ({ key, messages: n })),
    unattributed,
    pending,
    unposted,
    unexpected,
  };
}

function buttonKey(m: SimMessage): string | undefined {
  for (const block of m.blocks as Array<{ elements?: Array<{ value?: string }> }>) {
    for (const el of block.elements ?? []) {
      const key = parseButtonValue(el.value)?.key;
      if (key) return key;
    }
  }
  return undefined;
}

async function untilAnswers(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/healthz`);
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`the replica on port ${port} never answered: ${(e as Error).message}`);
      await sleep(100);
    }
  }
}

export function report(r: ReplicasResult, scale: number): string[] {
  const ms = (n: number | undefined) => (n === undefined ? 'never' : `${n} ms`);
  return [
    `replicas benchmark: two replicas on one Postgres, every API limit x${scale}`,
    `  orders                      ${r.orders.placed} placed, ${r.orders.inShipStation}/${r.orders.expected} importable in ShipStation, ${r.orders.duplicated.length} duplicated, ${r.orders.missing.length} missing`,
    `  labels                      ${r.labels.printed} printed (${r.labels.viaPollingOnly} without SHIP_NOTIFY), ${r.labels.confirmed} confirmed; ${r.labels.calls} confirmShipment calls, ${r.labels.repeated.length} labels confirmed more than once, ${r.labels.missing.length} never`,
    `  alerts                      ${r.alerts.keys} posted (${Object.entries(r.alerts.byKind).map(([k, n]) => `${k} ${n}`).join(', ')}), ${r.alerts.messages} Slack messages; ${r.alerts.duplicated.length} posted twice, ${r.alerts.unattributed} unattributed, ${r.alerts.pending} still pending, ${r.alerts.unposted.length} never posted, ${r.alerts.unexpected.length} false alarms`,
    `  kill                        SIGKILL to ${r.kill.victim} at ${r.kill.atMs} ms after the spike (${r.kill.heldSyncLease ? 'it held the sync lease' : 'it did not hold the sync lease'}), ${r.kill.ordersInShipStation} orders in ShipStation and ${r.kill.confirmed} labels confirmed by then; its leases: ${r.kill.leases.join(', ') || 'none'}`,
    `  takeover by ${r.kill.survivor}               sync lease after ${ms(r.takeover.syncLeaseMs)}, next order in ShipStation after ${ms(r.takeover.nextOrderMs)}; the dead replica's leases freed: ${Object.entries(r.takeover.leases).map(([k, v]) => `${k} ${ms(v)}`).join(', ') || '-'}${r.kill.leases.filter((l) => r.takeover.leases[l] === undefined).length ? ` (${r.kill.leases.filter((l) => r.takeover.leases[l] === undefined).length} left to expire)` : ''}`,
    `  settled                     ${(r.settleMs / 1000).toFixed(1)} s after the spike${r.timedOut ? ' (TIMED OUT)' : ''}`,
    `  peak RSS                    killed replica ${r.rssMb.victim.toFixed(0)} MB (at the kill), survivor ${r.rssMb.survivor.toFixed(0)} MB`,
    `  exactly once                ${r.ok ? 'yes' : `NO: ${r.failures.join('; ')}`}`,
  ];
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      orders: { type: 'string', default: '2000' },
      labels: { type: 'string' },
      scale: { type: 'string', default: '100' },
      seed: { type: 'string', default: '17' },
      'kill-after-ms': { type: 'string' },
      'timeout-s': { type: 'string', default: '600' },
    },
  });
  const admin = process.env.DOCKHAND_BENCH_POSTGRES_URL || process.env.DOCKHAND_TEST_POSTGRES_URL;
  if (!admin) throw new Error('set DOCKHAND_BENCH_POSTGRES_URL (or DOCKHAND_TEST_POSTGRES_URL) to a Postgres server the bench may create a database on');
  const orders = Number(values.orders);
  const scale = Number(values.scale);
  const database = await freshDatabase(admin, 'dockhand_replicas');
  try {
    const result = await runReplicasScenario({
      storeUrl: database.url,
      orders,
      labels: Number(values.labels ?? Math.round(orders / 4)),
      scale,
      seed: Number(values.seed),
      ...(values['kill-after-ms'] !== undefined ? { killAfterMs: Number(values['kill-after-ms']) } : {}),
      timeoutMs: Number(values['timeout-s']) * 1000,
      log: (line) => process.stdout.write(`${line}\n`),
    });
    process.stdout.write(report(result, scale).join('\n') + '\n');
    if (!result.ok) process.exitCode = 1;
  } finally {
    await database.drop();
  }
}
