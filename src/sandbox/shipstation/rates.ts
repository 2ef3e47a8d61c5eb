/**
 * The simulated carriers' price list, shared by the v1 getrates route and the v2 /v2/rates
 * simulator so both quote the same services. Deterministic: price and transit time follow the
 * weight and a zone taken from the first digits of the two postal codes, as US carriers' zones
 * roughly do. Written from the specs' examples; shares nothing with src/.
 */

export interface SimService {
  carrierCode: string;
  serviceCode: string;
  serviceName: string;
  base: number;
  perLb: number;
  perZone: number;
  /** Transit days: fixed for air services, by zone for ground. */
  days: number | 'ground';
  maxOz?: number;
}

export const SIM_SERVICES: readonly SimService[] = [
  { carrierCode: 'stamps_com', serviceCode: 'usps_first_class_mail', serviceName: 'USPS First Class Mail', base: 3.9, perLb: 0, perZone: 0.25, days: 'ground', maxOz: 15.99 },
  { carrierCode: 'stamps_com', serviceCode: 'usps_priority_mail', serviceName: 'USPS Priority Mail', base: 7.4, perLb: 0.9, perZone: 0.45, days: 2 },
  { carrierCode: 'stamps_com', serviceCode: 'usps_priority_mail_express', serviceName: 'USPS Priority Mail Express', base: 26.35, perLb: 1.6, perZone: 1.1, days: 1 },
  { carrierCode: 'ups', serviceCode: 'ups_ground', serviceName: 'UPS® Ground', base: 9.1, perLb: 0.7, perZone: 0.55, days: 'ground' },
  { carrierCode: 'ups', serviceCode: 'ups_2nd_day_air', serviceName: 'UPS 2nd Day Air®', base: 17.8, perLb: 1.4, perZone: 1.2, days: 2 },
  { carrierCode: 'ups', serviceCode: 'ups_next_day_air', serviceName: 'UPS Next Day Air®', base: 31.2, perLb: 2.3, perZone: 2.1, days: 1 },
  { carrierCode: 'fedex', serviceCode: 'fedex_ground', serviceName: 'FedEx Ground®', base: 9.35, perLb: 0.65, perZone: 0.5, days: 'ground' },
  { carrierCode: 'fedex', serviceCode: 'fedex_2day', serviceName: 'FedEx 2Day®', base: 16.9, perLb: 1.5, perZone: 1.15, days: 2 },
  { carrierCode: 'fedex', serviceCode: 'fedex_standard_overnight', serviceName: 'FedEx Standard Overnight®', base: 29.7, perLb: 2.4, perZone: 2.2, days: 1 },
];

export const SIM_CARRIERS = [...new Set(SIM_SERVICES.map((s) => s.carrierCode))];

const round2 = (n: number) => Math.round(n * 100) / 100;

export function zoneOf(fromPostal: string, toPostal: string, sameCountry: boolean): number {
  if (!sameCountry) return 9;
  const a = Number(/\d/.exec(fromPostal)?.[0] ?? 5);
  const b = Number(/\d/.exec(toPostal)?.[0] ?? 5);
  return 2 + Math.min(6, Math.abs(a - b));
}

export interface SimQuote {
  service: SimService;
  shipmentCost: number;
  otherCost: number;
  zone: number;
  transitDays: number;
}

/** Quotes of one carrier for a package of `weightOz` between two postal codes. */
export function quote(carrierCode: string, weightOz: number, fromPostal: string, toPostal: string, sameCountry: boolean, residential: boolean): SimQuote[] {
  const zone = zoneOf(fromPostal, toPostal, sameCountry);
  const lb = Math.max(1, Math.ceil(weightOz / 16));
  return SIM_SERVICES.filter((s) => s.carrierCode === carrierCode && (s.maxOz === undefined || weightOz <= s.maxOz)).map((s) => {
    const shipmentCost = round2(s.base + s.perLb * (lb - 1) + s.perZone * (zone - 2));
    // Fuel surcharge, and the residential surcharge the parcel carriers add.
    const otherCost = round2(shipmentCost * 0.05 + (residential && s.carrierCode !== 'stamps_com' ? 1.5 : 0));
    const transitDays = s.days === 'ground' ? Math.min(6, 1 + Math.ceil(zone / 2)) : s.days;
    return { service: s, shipmentCost, otherCost, zone, transitDays };
  });
}
