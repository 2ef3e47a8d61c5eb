/**
 * The sandbox runs Amazon's and ShipStation's limits (and Dockhand's cadence) 20 times faster
 * by default, so a newcomer sees orders flow within seconds; `--rate-scale 1` shows the real pace
 * (one searchOrders call per 3 minutes once the burst of 20 is spent). Kept apart from
 * sandbox.ts so the CLI can show it as an option default without loading the simulators.
 */
export const SANDBOX_DEFAULT_RATE_SCALE = 20;
