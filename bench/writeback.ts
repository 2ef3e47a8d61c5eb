import { parseArgs } from 'node:util';
import { createOrderFactory } from '../src/sandbox/amazon/order-factory';
import { SP_API_USAGE_PLANS } from '../src/sandbox/amazon/sp-api-simulator';
import { freePort, peakRssMb, percentile, sleep, startBenchEnv, throttledTotal, watchArrivals, type BenchEnv } from './harness';

/**
 * `npm run bench -- writeback`: tracking writeback, label created in ShipStation → confirmation
 * accepted by the SP-API simulator, with every API limit (and Dockhand's polling cadence) scaled
 * by the same factor, so an hour of labels plays out in 3600/scale seconds.
 *
 * Phase 1, webhooks: `--labels` labels spread evenly over that compressed hour, each posting
 * SHIP_NOTIFY to Dockhand. Phase 2, polling: `--poll-labels` labels whose webhook is lost, found
 * by the polling pass. Phase 3, capacity: `--burst` labels at once; achieved confirmations/s
 * against the confirmShipment rate in force (and ShipStation's, which the fetches share).
 */
export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      labels: { type: 'string', default: '2000' },
      'poll-labels': { type: 'string', default: '200' },
      burst: { type: 'string', default: '600' },
      scale: { type: 'string', default: '20' },
      seed: { type: 'string', default: '11' },
      'timeout-s': { type: 'string', default: '900' },
    },
  });
  const scale = Number(values.scale);
  const labels = Number(values.labels);
  const pollLabels = Number(values['poll-labels']);
  const burst = Number(values.burst);
  const timeoutMs = Number(values['timeout-s']) * 1000;
  const port = await freePort();
  const env = await startBenchEnv({
    scale,
    intervalSeconds: 60 / scale,
    overlapSeconds: 60 / scale,
    events: false,
    env: { PORT: String(port), DOCKHAND_PUBLIC_URL: `http://127.0.0.1:${port}`, SHIPSTATION_WEBHOOK_SECRET: 'bench-webhook-secret' },
    yaml: `writeback:\n  pollSeconds: ${60 / scale}\n  reconcileMinutes: 600\n`,
  });
  const { sandbox, child } = env;
  try {
    await env.started;
    const total = labels + pollLabels + burst;
    const factory = createOrderFactory(Number(values.seed));
    const placedAt = new Map<string, number>();
    for (let i = 0; i < total; i++) {
      const { lastUpdatedTime: _l, ...order } = factory.make(i % 3 === 0 ? 'prime_next_day' : 'standard');
      sandbox.spApi.putOrder(order);
      placedAt.set(order.orderId, Date.now());
    }
    print([`writeback benchmark: every API limit x${scale} (confirmShipment ${SP_API_USAGE_PLANS.confirmShipment.rate * scale}/s, ShipStation ${40 * scale}/min); importing ${total} orders first`]);
    const imported = await watchArrivals(sandbox, placedAt, timeoutMs);
    if (imported.size < total) throw new Error(`only ${imported.size}/${total} orders reached ShipStation`);
    const deadline = Date.now() + 30_000;
    while (sandbox.shipstation.webhooks().length === 0 && Date.now() < deadline) await sleep(100);
    if (sandbox.shipstation.webhooks().length === 0) throw new Error('Dockhand did not register its SHIP_NOTIFY webhook');
    const orderIds = sandbox.shipstation.orders().filter((o) => placedAt.has(o.orderNumber)).map((o) => o.orderId);
    const next = (() => {
      let i = 0;
      return () => orderIds[i++]!;
    })();
    const throttledBefore = { amazon: throttledTotal(sandbox.spApi.stats()), shipstation: sandbox.shipstation.stats().throttled };

    // Phase 1: webhooks, evenly over the compressed hour.
    const hourMs = 3_600_000 / scale;
    const webhook = await phase(env, labels, hourMs, true, next, timeoutMs);
    // Phase 2: lost webhooks, the polling pass alone.
    const polled = await phase(env, pollLabels, (hourMs * pollLabels) / Math.max(labels, 1), false, next, timeoutMs);
    // Phase 3: a burst, to see the ceiling.
    const ceiling = await phase(env, burst, 0, true, next, timeoutMs);
    const limit = SP_API_USAGE_PLANS.confirmShipment.rate * scale;
    const burstSeconds = (ceiling.lastAt - ceiling.firstCreatedAt) / 1000;
    const achieved = ceiling.confirmed / burstSeconds;
    // What the limits allow for a burst: the bucket's burst at once, the rest at the rate.
    const theoretical = burst / Math.max(1e-9, Math.max(0, burst - SP_API_USAGE_PLANS.confirmShipment.burst) / limit);
    const confirmations = sandbox.spApi.confirmations();
    const refs = confirmations.map((c) => `${c.orderId}/${c.body.packageDetail.packageReferenceId}`);
    print([
      `  phase 1, SHIP_NOTIFY       ${webhook.confirmed}/${labels} confirmed; label → Amazon p50 ${s(webhook.lat, 50)}, p95 ${s(webhook.lat, 95)}, max ${s(webhook.lat, 100)} (goal p50 <= 5 s); Amazon 429s ${webhook.throttled}`,
      `  phase 2, polling only      ${polled.confirmed}/${pollLabels} confirmed; label → Amazon p50 ${s(polled.lat, 50)}, p95 ${s(polled.lat, 95)} (poll every ${(60 / scale).toFixed(1)} s = 60 s real); Amazon 429s ${polled.throttled}`,
      `  phase 3, burst of ${burst}     ${ceiling.confirmed}/${burst} in ${burstSeconds.toFixed(1)} s: ${achieved.toFixed(2)} confirmations/s; confirmShipment limit ${limit}/s (burst ${SP_API_USAGE_PLANS.confirmShipment.burst}) allows ${theoretical.toFixed(2)}/s → ratio ${(achieved / theoretical).toFixed(3)}; Amazon 429s ${ceiling.throttled}`,
      `  exactly once               ${confirmations.length} confirmShipment calls for ${new Set(refs).size} packages (${confirmations.length - new Set(refs).size} repeated)`,
      `  429 responses              Amazon ${throttledTotal(sandbox.spApi.stats()) - throttledBefore.amazon}, ShipStation ${sandbox.shipstation.stats().throttled - throttledBefore.shipstation}`,
      `  ShipStation GET /shipments ${sandbox.shipstation.stats().requests['GET /shipments'] ?? 0} calls for ${labels + burst} SHIP_NOTIFY and the polling passes`,
      `  peak RSS (Dockhand process) ${peakRssMb(child.pid!).toFixed(0)} MB`,
    ]);
  } finally {
    await env.close();
  }
}

interface PhaseResult {
  throttled: number;
  confirmed: number;
  lat: number[];
  firstCreatedAt: number;
  lastAt: number;
}

/** Prints `count` labels over `spreadMs` and waits until Amazon holds each one. */
async function phase(env: BenchEnv, count: number, spreadMs: number, notify: boolean, nextOrder: () => number, timeoutMs: number): Promise<PhaseResult> {
  const { sandbox } = env;
  const createdAt = new Map<string, number>();
  const seenBefore = sandbox.spApi.confirmations().length;
  const throttledBefore = throttledTotal(sandbox.spApi.stats());
  const started = Date.now();
  for (let i = 0; i < count; i++) {
    const due = started + (spreadMs * i) / count;
    if (due > Date.now()) await sleep(due - Date.now());
    const label = sandbox.shipstation.createLabel(nextOrder(), { carrierCode: i % 2 ? 'ups_walleted' : 'stamps_com', serviceCode: i % 2 ? 'ups_ground' : 'usps_priority_mail', notify });
    createdAt.set(String(label.shipmentId), Date.now());
  }
  const confirmedAt = new Map<string, number>();
  const stopAt = Date.now() + timeoutMs;
  // Reads only the confirmations added since the last look: the simulators share this process.
  let read = seenBefore;
  while (confirmedAt.size < count && Date.now() < stopAt) {
    const fresh = sandbox.spApi.confirmations(read);
    read += fresh.length;
    for (const c of fresh) {
      const ref = c.body.packageDetail.packageReferenceId;
      if (createdAt.has(ref) && !confirmedAt.has(ref)) confirmedAt.set(ref, c.at);
    }
    await sleep(50);
  }
  const lat = [...confirmedAt].map(([ref, at]) => (at - createdAt.get(ref)!) / 1000).sort((a, b) => a - b);
  return { confirmed: confirmedAt.size, lat, firstCreatedAt: started, lastAt: Math.max(started, ...confirmedAt.values()), throttled: throttledTotal(sandbox.spApi.stats()) - throttledBefore };
}

const s = (sorted: number[], p: number) => `${percentile(sorted, p).toFixed(2)} s`;

function print(lines: string[]): void {
  process.stdout.write(lines.join('\n') + '\n');
}
