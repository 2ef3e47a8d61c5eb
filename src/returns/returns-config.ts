import { z } from 'zod';

/**
 * `returns:` in dockhand.yml. config.ts holds one line for it; the defaults are the issue's
 * (poll hourly over the last 3 days, escalate after 3 days delivered and not received).
 */
export const ReturnsFileConfig = z
  .object({
    /** Minutes between polls of the returns report, per account and marketplace. */
    pollMinutes: z.number().positive().default(60),
    /** Each poll reads this many days back (Amazon allows up to 60): overlapping windows miss nothing. */
    windowDays: z.number().positive().max(60).default(3),
    /** A return delivered this many days ago and not marked Received is escalated. */
    receiveDays: z.number().positive().default(3),
    /** The ShipStation tag put on the original order when no return label can be made. */
    tag: z.string().min(1).default('Return expected'),
    /**
     * The seller's restocking fee, percent of the item price (0: none). Amazon caps it (20% for a
     * buyer's change of mind, 50% for items the buyer damaged) and forbids it when the return is
     * the seller's fault: see src/returns/refund.ts.
     */
    restockingFeePercent: z.number().min(0).max(50).default(0),
    /** Seconds between two looks at a returns report Amazon is still making (getReport allows 2 per second). */
    reportPollSeconds: z.number().positive().max(300).default(30),
    /** Refund the item's shipping and shipping tax with it. */
    refundShipping: z.boolean().default(true),
    feed: z
      .object({
        /** Messages (orders) per adjustment feed at most. */
        maxMessages: z.number().int().min(1).max(10_000).default(1000),
        /** Approvals gather this long before a feed is made, so a burst goes in one feed. */
        gatherSeconds: z.number().nonnegative().default(20),
        /** Seconds between two feeds of one account: createFeed allows 0.0083 per second (one per 2 minutes), burst 15. */
        minIntervalSeconds: z.number().nonnegative().default(120),
      })
      .strict()
      .default({ maxMessages: 1000, gatherSeconds: 20, minIntervalSeconds: 120 }),
  })
  .strict();
export type ReturnsConfig = z.infer<typeof ReturnsFileConfig>;

/** The defaults, when the file has no `returns:`. */
export const DEFAULT_RETURNS_CONFIG: ReturnsConfig = ReturnsFileConfig.parse({});
