/**
 * The sandbox runs Amazon's and ShipStation's limits (and Dockhand's cadence) 20 times faster
 * by default, so a newcomer sees orders flow within seconds; `--rate-scale 1` shows the real pace
 * (one searchOrders call per 3 minutes once the burst of 20 is spent). Kept apart from
 * sandbox.ts so the CLI can show it as an option default without loading the simulators.
 */
export const SANDBOX_DEFAULT_RATE_SCALE = 20;

/**
 * The sandbox seller's warehouses (Ship From): the default one in Austin, and two the default
 * rules route to. Kept here, beside the rules that name them, without loading the simulators.
 */
export const SANDBOX_WAREHOUSES = [
  { warehouseId: 200001, warehouseName: 'Sandbox Warehouse', isDefault: true },
  { warehouseId: 200002, warehouseName: 'Atlanta', origin: { city: 'Atlanta', state: 'GA', postalCode: '30303' } },
  { warehouseId: 200003, warehouseName: 'Reno', origin: { city: 'Reno', state: 'NV', postalCode: '89501' } },
];

/**
 * The rules `npm start` runs when there is no config file: Prime NextDay/SameDay orders jump the
 * queue from Atlanta, tagged and escalated in Slack; West Coast orders ship from Reno with the
 * cheapest service that arrives by Amazon's latest delivery date.
 */
export const SANDBOX_RULES: readonly unknown[] = [
  { name: 'prime-fast', when: { prime: true, serviceLevel: ['NextDay', 'SameDay'] }, then: { tags: ['Prime'], warehouse: 'Atlanta', escalate: true }, stop: true },
  { name: 'west-coast', when: { country: ['US'], state: ['CA', 'NV', 'OR', 'WA'] }, then: { warehouse: 'Reno', rateShop: { policy: 'cheapest_on_time', carriers: ['ups', 'fedex', 'stamps_com'], createLabel: false } } },
];

/** Transit days of the simulated carriers' services, for on-time choices without v2 estimates. */
export const SANDBOX_TRANSIT_DAYS: Readonly<Record<string, number>> = {
  usps_first_class_mail: 3,
  usps_priority_mail: 2,
  usps_priority_mail_express: 1,
  ups_ground: 4,
  ups_2nd_day_air: 2,
  ups_next_day_air: 1,
  fedex_ground: 4,
  fedex_2day: 2,
  fedex_standard_overnight: 1,
};
