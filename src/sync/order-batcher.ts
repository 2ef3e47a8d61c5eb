import type { Order } from '../domain/order';

/**
 * Gathers orders that arrive one by one (ORDER_CHANGE events) into batches, so that they reach
 * ShipStation in bulk createorders calls (up to 100 orders each) instead of spending one of
 * ShipStation's 40 requests a minute per order. A batch goes when it is full or `maxWaitMs`
 * after its first order, whichever comes first.
 */
export interface OrderBatcher {
  /** Resolves once the batch holding this order has been processed (its effect is durable). */
  submit(order: Order): Promise<void>;
  /** Sends what is waiting now and resolves when everything submitted so far is processed. */
  flush(): Promise<void>;
}

export function createOrderBatcher(process: (orders: Order[]) => Promise<void>, opts: { maxBatch?: number; maxWaitMs?: number } = {}): OrderBatcher {
  const maxBatch = opts.maxBatch ?? 100;
  const maxWaitMs = opts.maxWaitMs ?? 250;
  let waiting: Array<{ order: Order; resolve: () => void; reject: (e: unknown) => void }> = [];
  let timer: NodeJS.Timeout | undefined;
  // Batches run one after another, so two versions of one order are never sent concurrently.
  let chain: Promise<void> = Promise.resolve();

  const send = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = waiting;
    waiting = [];
    if (batch.length === 0) return chain;
    chain = chain.then(async () => {
      try {
        await process(batch.map((b) => b.order));
        batch.forEach((b) => b.resolve());
      } catch (e) {
        batch.forEach((b) => b.reject(e));
      }
    });
    return chain;
  };

  return {
    submit(order) {
      return new Promise<void>((resolve, reject) => {
        // A newer version of an order already waiting replaces it; both callers are answered.
        const same = waiting.findIndex((w) => w.order.accountId === order.accountId && w.order.amazonOrderId === order.amazonOrderId);
        if (same >= 0) {
          const prev = waiting[same]!;
          if (prev.order.lastUpdatedTime > order.lastUpdatedTime) order = prev.order;
          waiting[same] = {
            order,
            resolve: () => (prev.resolve(), resolve()),
            reject: (e) => (prev.reject(e), reject(e)),
          };
        } else waiting.push({ order, resolve, reject });
        if (waiting.length >= maxBatch) void send();
        else if (!timer) timer = setTimeout(() => void send(), maxWaitMs);
      });
    },
    flush: () => send(),
  };
}
