/**
 * The port through which background jobs tell people about problems. The Slack app
 * implements it; without Slack, problems are logged (never with buyer data).
 */
export interface QuarantineNotice {
  accountId: string;
  amazonOrderId: string;
  code: string;
  reason: string;
  hint: string;
}

export interface UnmappedSkuNotice {
  accountId: string;
  amazonSku: string;
  asin?: string;
  amazonOrderId: string;
}

export interface SyncFailureNotice {
  accountId: string;
  code: string;
  message: string;
  hint: string;
}

export interface Notifier {
  orderQuarantined(n: QuarantineNotice): void;
  unmappedSku(n: UnmappedSkuNotice): void;
  syncFailed(n: SyncFailureNotice): void;
}

export const nullNotifier: Notifier = {
  orderQuarantined: () => undefined,
  unmappedSku: () => undefined,
  syncFailed: () => undefined,
};

/**
 * A Notifier that forwards to whatever is attached: the background jobs are wired before the
 * Slack app exists, and keep working (logging only) when Slack is not configured.
 */
export interface NotifierRelay extends Notifier {
  attach(target: Notifier): void;
}

export function createNotifierRelay(always: Notifier): NotifierRelay {
  let attached: Notifier | undefined;
  const both = <K extends keyof Notifier>(method: K) =>
    ((n: Parameters<Notifier[K]>[0]) => {
      (always[method] as (x: typeof n) => void)(n);
      if (attached) (attached[method] as (x: typeof n) => void)(n);
    }) as Notifier[K];
  return {
    orderQuarantined: both('orderQuarantined'),
    unmappedSku: both('unmappedSku'),
    syncFailed: both('syncFailed'),
    attach(target) {
      attached = target;
    },
  };
}
