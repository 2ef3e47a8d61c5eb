import type { Config } from '../config/config';

/**
 * Returns against the sandbox, at the sandbox's pace: the returns report read every 30 s (at most),
 * approvals gathered for 5 s, and feeds spaced as createFeed's limit times the sandbox's rate scale
 * allows (120 s / 20 = 6 s), so a return requested in the sandbox is in Slack within a minute and a
 * refund approved there reaches the simulated Amazon seconds later.
 */
export function withSandboxReturns(config: Config, rateScale: number): Config {
  const r = config.returns;
  return {
    ...config,
    returns: {
      ...r,
      pollMinutes: Math.min(r.pollMinutes, 0.5),
      feed: { ...r.feed, gatherSeconds: Math.min(r.feed.gatherSeconds, 5), minIntervalSeconds: r.feed.minIntervalSeconds / rateScale },
    },
  };
}
