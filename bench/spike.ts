import { parseArgs } from 'node:util';
import { createOrderFactory } from '../src/sandbox/amazon/order-factory';
import { SP_API_USAGE_PLANS } from '../src/sandbox/amazon/sp-api-simulator';
import { latencies, peakRssMb, percentile, placeSpike, sleep, startBenchEnv, throttledTotal, watchArrivals } from './harness';

/**
 * `npm run bench -- spike`: 5,000 orders land on Amazon at once, every API limit scaled by the
 * same factor, polling only. Theoretical maximum: the searchOrders pages (100 orders each)
 * beyond the tokens in its bucket when the spike lands, at the scaled refill rate, against
 * ShipStation's createorders calls (100 orders each) beyond its window; whichever takes longer.
 *
 * `npm run bench -- spike --events`: ORDER_CHANGE through SQS. Phase 1, Amazon's default
 * limits: orders arrive one by one below the getOrder limit; latency placed → in ShipStation.
 * Phase 2, limits scaled: a backlog far beyond getOrder's burst, polling idle, so the event
 * path alone carries it; achieved orders/s against the getOrder rate in force.
 */

const SHIPSTATION_LIMIT_PER_WINDOW = 40;
const SHIPSTATION_WINDOW_S = 60;
const PAGE = 100;

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

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      events: { type: 'boolean', default: false },
      orders: { type: 'string' },
      scale: { type: 'string' },
      seed: { type: 'string', default: '7' },
      'timeout-s': { type: 'string', default: '600' },
    },
  });
  const seed = Number(values.seed);
  const timeoutMs = Number(values['timeout-s']) * 1000;
  if (values.events) {
    await eventsLatency(seed, timeoutMs);
    await eventsBacklog(Number(values.orders ?? 600), Number(values.scale ?? 20), seed, timeoutMs);
  } else {
    await pollingSpike(Number(values.orders ?? 5000), Number(values.scale ?? 100), seed, timeoutMs);
  }
}

async function pollingSpike(total: number, scale: number, seed: number, timeoutMs: number): Promise<void> {
  // Dockhand's own cadence scaled with the limits, as a real deployment's relates to them.
  const env = await startBenchEnv({ scale, intervalSeconds: 60 / scale, overlapSeconds: 60 / scale, events: false });
  const { sandbox, child } = env;
  try {
    const firstCallAt = await env.started;
    await sleep(1_000);
    const callsBefore = sandbox.spApi.stats().requests.searchOrders ?? 0;
    const throttledBefore = throttledTotal(sandbox.spApi.stats());
    const ssThrottledBefore = sandbox.shipstation.stats().throttled;

    const { placedAt, spikeAt, tokens } = placeSpike(sandbox, { total, seed, scale, firstCallAt, callsBefore });

    const arrived = await watchArrivals(sandbox, placedAt, timeoutMs);
    const elapsedS = (Math.max(...arrived.values()) - spikeAt) / 1000;
    const lat = latencies(placedAt, arrived);
    const theory = theoreticalSeconds(total, scale, tokens);
    const achievedPerMin = (arrived.size / elapsedS) * 60;
    const theoreticalPerMin = (total / Math.max(theory.seconds, 1e-9)) * 60;
    const numbers = sandbox.shipstation.orders().map((o) => o.orderNumber).filter((n) => placedAt.has(n));
    print([
      `spike benchmark (polling): ${total} orders at once, every API limit x${scale}`,
      `  arrived in ShipStation      ${arrived.size}/${total}${arrived.size < total ? ' (TIMED OUT)' : ''}, duplicates ${numbers.length - new Set(numbers).size}`,
      `  elapsed                     ${elapsedS.toFixed(1)} s`,
      `  achieved                    ${achievedPerMin.toFixed(0)} orders/min`,
      `  theoretical maximum         ${theoreticalPerMin.toFixed(0)} orders/min (${theory.binding} binds: ${theory.seconds.toFixed(1)} s at searchOrders ${(SP_API_USAGE_PLANS.searchOrders.rate * scale).toFixed(3)}/s with ${Math.floor(tokens)} tokens left, ShipStation ${SHIPSTATION_LIMIT_PER_WINDOW}/${(SHIPSTATION_WINDOW_S / scale).toFixed(2)} s)`,
      `  ratio                       ${(achievedPerMin / theoreticalPerMin).toFixed(3)} (goal >= 0.9)`,
      `  429 responses               Amazon ${throttledTotal(sandbox.spApi.stats()) - throttledBefore}, ShipStation ${sandbox.shipstation.stats().throttled - ssThrottledBefore}`,
      `  latency appear → ShipStation p50 ${percentile(lat, 50).toFixed(1)} s, p95 ${percentile(lat, 95).toFixed(1)} s`,
      `  peak RSS (Dockhand process) ${peakRssMb(child.pid!).toFixed(0)} MB`,
      `  API calls                   searchOrders ${(sandbox.spApi.stats().requests.searchOrders ?? 0) - callsBefore}, ShipStation createorders ${sandbox.shipstation.stats().createOrdersCalls}`,
    ]);
  } finally {
    await env.close();
  }
}

/** Phase 1: Amazon's default limits, orders one by one below the getOrder rate. */
async function eventsLatency(seed: number, timeoutMs: number): Promise<void> {
  const count = 60;
  const ratePerS = 0.4; // below getOrder's default 0.5/s
  const env = await startBenchEnv({ scale: 1, intervalSeconds: 60, overlapSeconds: 60, events: true });
  const { sandbox, child } = env;
  try {
    await env.started;
    await sleep(2_000);
    const searchBefore = sandbox.spApi.stats().requests.searchOrders ?? 0;
    const factory = createOrderFactory(seed);
    const placedAt = new Map<string, number>();
    const arrivals = watchArrivals(sandbox, placedAt, timeoutMs, count);
    for (let i = 0; i < count; i++) {
      const { lastUpdatedTime: _l, ...order } = factory.make(i % 3 === 0 ? 'prime_next_day' : 'standard');
      placedAt.set(order.orderId, Date.now());
      sandbox.spApi.putOrder(order);
      await sleep(1000 / ratePerS);
    }
    const arrived = await arrivals;
    const lat = latencies(placedAt, arrived);
    print([
      `events benchmark, phase 1: ${count} orders at ${ratePerS}/s under Amazon's default limits (getOrder 0.5/s, burst 30)`,
      `  arrived in ShipStation      ${arrived.size}/${count}`,
      `  latency placed → ShipStation p50 ${percentile(lat, 50).toFixed(2)} s, p95 ${percentile(lat, 95).toFixed(2)} s, max ${lat.at(-1)?.toFixed(2)} s (goal p50 <= 5 s, p95 <= 30 s)`,
      `  searchOrders calls meanwhile ${(sandbox.spApi.stats().requests.searchOrders ?? 0) - searchBefore} (polling slowed while events flow)`,
      `  429 responses               Amazon ${throttledTotal(sandbox.spApi.stats())}, ShipStation ${sandbox.shipstation.stats().throttled}`,
      `  peak RSS (Dockhand process) ${peakRssMb(child.pid!).toFixed(0)} MB`,
    ]);
  } finally {
    await env.close();
  }
}

/** Phase 2: a backlog beyond getOrder's burst, polling idle, limits scaled. */
async function eventsBacklog(total: number, scale: number, seed: number, timeoutMs: number): Promise<void> {
  // Polling passes an hour apart: after the first one, only events move orders.
  const env = await startBenchEnv({ scale, intervalSeconds: 3600, overlapSeconds: 60, events: true });
  const { sandbox, child } = env;
  try {
    await env.started;
    await sleep(1_000);
    const getBefore = sandbox.spApi.stats().requests.getOrder ?? 0;
    const searchBefore = sandbox.spApi.stats().requests.searchOrders ?? 0;
    const factory = createOrderFactory(seed + 1);
    const placedAt = new Map<string, number>();
    const spikeAt = Date.now();
    for (let i = 0; i < total; i++) {
      const { lastUpdatedTime: _l, ...order } = factory.make('standard');
      sandbox.spApi.putOrder(order);
      placedAt.set(order.orderId, Date.now());
    }
    const arrived = await watchArrivals(sandbox, placedAt, timeoutMs);
    const elapsedS = (Math.max(...arrived.values()) - spikeAt) / 1000;
    const plan = SP_API_USAGE_PLANS.getOrder;
    const rate = plan.rate * scale;
    // The burst is spent at once; the rest at the refill rate.
    const theorySeconds = Math.max(0, total - plan.burst) / rate;
    const achievedRate = (arrived.size - plan.burst) / elapsedS;
    const lat = latencies(placedAt, arrived);
    print([
      `events benchmark, phase 2: ${total} orders at once, every API limit x${scale}, polling idle`,
      `  arrived in ShipStation      ${arrived.size}/${total}${arrived.size < total ? ' (TIMED OUT)' : ''}`,
      `  elapsed                     ${elapsedS.toFixed(1)} s (the getOrder limit allows ${theorySeconds.toFixed(1)} s: burst ${plan.burst}, then ${rate.toFixed(1)}/s)`,
      `  achieved beyond the burst   ${achievedRate.toFixed(2)} orders/s = ${(achievedRate / rate).toFixed(3)} of the getOrder limit (goal >= 0.9)`,
      `  latency placed → ShipStation p50 ${percentile(lat, 50).toFixed(1)} s, p95 ${percentile(lat, 95).toFixed(1)} s`,
      `  API calls                   getOrder ${(sandbox.spApi.stats().requests.getOrder ?? 0) - getBefore}, searchOrders ${(sandbox.spApi.stats().requests.searchOrders ?? 0) - searchBefore}, ShipStation createorders ${sandbox.shipstation.stats().createOrdersCalls}`,
      `  429 responses               Amazon ${throttledTotal(sandbox.spApi.stats())}, ShipStation ${sandbox.shipstation.stats().throttled}`,
      `  peak RSS (Dockhand process) ${peakRssMb(child.pid!).toFixed(0)} MB`,
    ]);
  } finally {
    await env.close();
  }
}

function print(lines: string[]): void {
  process.stdout.write(lines.join('\n') + '\n');
}
