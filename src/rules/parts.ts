import type { Config } from '../config/config';
import type { Notifier } from '../domain/notifier';
import type { Logger } from '../log/logger';
import type { ShipStationClient } from '../shipstation/client';
import { createShipStationV2Client } from '../shipstation/v2-client';
import type { Store } from '../store/store';
import type { Routing } from '../sync/sync-orders.job';
import { ShipStationNames } from './names';
import { createRateShopper, type RateShopper } from './rate-shopper';
import { createRouting } from './routing';
import type { OrderRouter } from './router';

/** The rules' parts for the composition root: names, routing for the sync, the rate shopper. */
export interface RulesParts {
  names: ShipStationNames;
  router: OrderRouter;
  /** Absent when the config has no rules: the sync maps as before. */
  routing?: Routing;
  rateShopper: RateShopper;
  /** Writes the match counts tallied since the last flush (the rules pass, and stop). */
  flushMatches(): Promise<void>;
  /**
   * Reads ShipStation's tag, warehouse and store names now, in the background, so the first
   * order after start (often the first of a spike) does not wait for three list calls.
   */
  warmNames(logger: Logger): void;
}

export function createRulesParts(deps: { config: Config; store: Store; shipstation: ShipStationClient; notifier: Notifier; logger: Logger; now?: () => Date }): RulesParts {
  const now = deps.now ?? (() => new Date());
  const names = new ShipStationNames(deps.shipstation);
  const routing = createRouting({ rules: deps.config.rules, names, store: deps.store, notifier: deps.notifier, logger: deps.logger, now });
  const v2 = deps.config.shipstationV2 ? createShipStationV2Client({ ...deps.config.shipstationV2, logger: deps.logger }) : undefined;
  const rateShopper = createRateShopper({
    store: deps.store,
    shipstation: deps.shipstation,
    ...(v2 ? { v2 } : {}),
    names,
    rules: deps.config.rules,
    config: deps.config.rateShopping,
    notifier: deps.notifier,
    logger: deps.logger,
    now,
  });
  return {
    names,
    router: routing.router,
    ...(deps.config.rules.length > 0 ? { routing } : {}),
    rateShopper,
    flushMatches: () => routing.flushMatches(),
    warmNames(logger) {
      // A failure here is only a missed head start: the first order reads the names again.
      names.current().catch((e: unknown) => logger.warn({ part: 'rules', err: (e as Error).message }, 'reading ShipStation names at start failed; read on first use'));
    },
  };
}
