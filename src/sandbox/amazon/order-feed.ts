import { mulberry32, type OrderFactory } from './order-factory';
import type { SpApiSimulator } from './sp-api-simulator';

export interface OrderFeedOptions {
  /** Average arrival rate; orders are placed on a fixed interval of 60000 / ordersPerMinute ms. */
  ordersPerMinute: number;
  /** A burst of `count` orders `at` ms after start (default: immediately), e.g. Prime Day. */
  spike?: { at?: number; count: number };
  /** Chance per tick that an open order is cancelled by the buyer. Default 0.03. */
  cancelChance?: number;
  /** Chance per tick that a buyer changes an open order's street address. Default 0.02. */
  addressChangeChance?: number;
  /** Seed for the feed's own choices (which order to cancel…). Default 1. */
  seed?: number;
}

export interface OrderFeed {
  stop(): void;
  /** Orders placed so far (spike included). */
  placed(): number;
}

type OrderSink = Pick<SpApiSimulator, 'putOrder' | 'updateOrder' | 'cancelOrder' | 'getOrder'>;

const OPEN_STATUSES = new Set(['PENDING', 'UNSHIPPED']);

/**
 * Keeps placing factory orders into the simulator, and now and then cancels one or changes
 * a buyer's address, so a running sandbox looks like a live seller account. Timers are
 * unref'd: the feed alone never keeps the process alive.
 */
export function startOrderFeed(sim: OrderSink, factory: OrderFactory, opts: OrderFeedOptions): OrderFeed {
  if (!(opts.ordersPerMinute > 0)) throw new RangeError('ordersPerMinute must be > 0');
  const random = mulberry32(opts.seed ?? 1);
  const cancelChance = opts.cancelChance ?? 0.03;
  const addressChangeChance = opts.addressChangeChance ?? 0.02;
  const open: string[] = [];
  let placed = 0;

  const place = (): void => {
    const [order] = factory.mix(1);
    if (!order) return;
    // Let the simulator stamp lastUpdatedTime with its own clock, so a poller's cursor
    // (taken from that same clock) can never skip a freshly placed order.
    const { lastUpdatedTime: _ignored, ...rest } = order;
    sim.putOrder(rest);
    placed += 1;
    if (OPEN_STATUSES.has(order.fulfillment?.fulfillmentStatus ?? '') && order.fulfillment?.fulfilledBy === 'MERCHANT') {
      open.push(order.orderId);
    }
  };

  const takeOpen = (): string | undefined => {
    while (open.length > 0) {
      const index = Math.floor(random() * open.length);
      const orderId = open[index] as string;
      const current = sim.getOrder(orderId);
      if (current && OPEN_STATUSES.has(current.fulfillment?.fulfillmentStatus ?? '')) return orderId;
      open.splice(index, 1); // shipped or cancelled since: no longer a candidate
    }
    return undefined;
  };

  const tick = (): void => {
    place();
    if (random() < cancelChance) {
      const orderId = takeOpen();
      if (orderId) {
        sim.cancelOrder(orderId);
        open.splice(open.indexOf(orderId), 1);
      }
    }
    if (random() < addressChangeChance) {
      const orderId = takeOpen();
      if (orderId) {
        const houseNumber = 100 + Math.floor(random() * 9800);
        sim.updateOrder(orderId, (order) => {
          const address = order.recipient?.deliveryAddress;
          if (address?.addressLine1) address.addressLine1 = `${houseNumber} Corrected Ave`;
        });
      }
    }
  };

  const timers: NodeJS.Timeout[] = [];
  const interval = setInterval(tick, 60_000 / opts.ordersPerMinute);
  interval.unref();
  timers.push(interval);
  if (opts.spike) {
    const { count } = opts.spike;
    const burst = setTimeout(() => {
      for (let i = 0; i < count; i++) place();
    }, opts.spike.at ?? 0);
    burst.unref();
    timers.push(burst);
  }

  return {
    stop() {
      for (const timer of timers) clearTimeout(timer);
    },
    placed: () => placed,
  };
}
