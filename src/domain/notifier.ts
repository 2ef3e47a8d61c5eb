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
