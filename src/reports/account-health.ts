import { z } from 'zod';
import type { ReportsClient } from '../amazon/reports-client';
import type { Logger } from '../log/logger';
import type { HealthFigure } from './digest-message';
import type { Report } from './report';

/**
 * Amazon's own account-health figures (Reports API GET_V2_SELLER_PERFORMANCE_REPORT, JSON)
 * beside what Dockhand measured: late shipment rate (< 4 %), valid tracking rate (> 95 %) and
 * pre-fulfillment cancel rate (< 2.5 %). Read at most once a day; an account whose roles do
 * not allow the report (FATAL) simply shows no health line.
 */

const Metric = z.object({ rate: z.number(), targetValue: z.number().optional(), targetCondition: z.string().optional(), status: z.string().optional() }).passthrough();
export const SellerPerformanceReport = z
  .object({
    performanceMetrics: z.array(
      z
        .object({
          marketplaceId: z.string().optional(),
          lateShipmentRate: Metric.optional(),
          validTrackingRate: Metric.optional(),
          preFulfillmentCancellationRate: Metric.optional(),
        })
        .passthrough(),
    ),
  })
  .passthrough();
export type SellerPerformanceReport = z.infer<typeof SellerPerformanceReport>;

/** Amazon's published targets, used when the report does not state its own. */
const TARGETS = {
  lateShipmentRate: { name: 'Late shipment rate', below: 0.04 },
  validTrackingRate: { name: 'Valid tracking rate', above: 0.95 },
  preFulfillmentCancellationRate: { name: 'Pre-fulfillment cancel rate', below: 0.025 },
} as const;

/** Close to target: within a fifth of the way to the limit (a rate < 4 % is close from 3.2 %). Pure. */
export function isNearTarget(rate: number, target: { below?: number; above?: number }): boolean {
  if (target.below !== undefined) return rate >= target.below * 0.8;
  if (target.above !== undefined) return rate <= target.above + (1 - target.above) * 0.2;
  return false;
}

/** Amazon's figures for one marketplace, with Dockhand's where it measures the same thing (from `ours`). Pure. */
export function healthFigures(doc: SellerPerformanceReport, marketplaceId: string | undefined, ours?: Pick<Report, 'onTime' | 'orders'>): HealthFigure[] {
  const m = doc.performanceMetrics.find((p) => !marketplaceId || p.marketplaceId === marketplaceId) ?? doc.performanceMetrics[0];
  if (!m) return [];
  const dockhand = {
    lateShipmentRate: ours && ours.onTime.due > 0 ? ours.onTime.late / ours.onTime.due : ours ? null : undefined,
    preFulfillmentCancellationRate: ours && ours.orders.received > 0 ? ours.orders.cancelled / ours.orders.received : ours ? null : undefined,
    validTrackingRate: undefined,
  };
  return (Object.keys(TARGETS) as Array<keyof typeof TARGETS>).flatMap((key) => {
    const metric = m[key];
    if (!metric) return [];
    const fallback = TARGETS[key];
    const target =
      metric.targetValue !== undefined && metric.targetCondition === 'LESS_THAN' ? { below: metric.targetValue }
      : metric.targetValue !== undefined && metric.targetCondition === 'GREATER_THAN' ? { above: metric.targetValue }
      : 'below' in fallback ? { below: fallback.below } : { above: fallback.above };
    const ourValue = dockhand[key];
    return [{ name: fallback.name, amazon: metric.rate, ...(ourValue !== undefined ? { dockhand: ourValue } : {}), target, nearTarget: isNearTarget(metric.rate, target) }];
  });
}

/** Where the last report read is kept (the store's `account_health`), so a restart or another replica does not ask Amazon again that day. */
export interface HealthReportCache {
  lastHealthReport(key: string): Promise<{ at: number; doc: string } | undefined>;
  saveHealthReport(key: string, at: number, doc: string): Promise<void>;
}

/**
 * Reads the report at most once per `maxAgeMs` (a day), keeping the last good one in the store.
 * A failure is not retried for a day either (in this process: a report the roles forbid stays forbidden).
 */
export function accountHealthSource(opts: { client: ReportsClient; cache: HealthReportCache; marketplaceIds: string[]; logger: Logger; now?: () => number; maxAgeMs?: number; pollMs?: number }) {
  let failedAt = Number.NEGATIVE_INFINITY;
  const now = opts.now ?? Date.now;
  const maxAge = opts.maxAgeMs ?? 86_400_000;
  const key = `seller-performance:${[...opts.marketplaceIds].sort().join(',')}`;
  const parse = (doc: string) => SellerPerformanceReport.parse(JSON.parse(doc));
  return async (ours?: Pick<Report, 'onTime' | 'orders'>): Promise<HealthFigure[] | undefined> => {
    const kept = await opts.cache.lastHealthReport(key);
    let last = kept && { at: kept.at, doc: parse(kept.doc) };
    if ((!last || now() - last.at > maxAge) && now() - failedAt > maxAge) {
      try {
        const bytes = await opts.client.fetchReport({ reportType: 'GET_V2_SELLER_PERFORMANCE_REPORT', marketplaceIds: opts.marketplaceIds }, { pollMs: opts.pollMs ?? 15_000 });
        const text = bytes.toString('utf8');
        last = { at: now(), doc: parse(text) };
        await opts.cache.saveHealthReport(key, last.at, JSON.stringify(last.doc));
      } catch (e) {
        failedAt = now();
        opts.logger.warn({ err: (e as Error).message }, 'seller performance report not read');
      }
    }
    return last ? healthFigures(last.doc, opts.marketplaceIds[0], ours) : undefined;
  };
}
