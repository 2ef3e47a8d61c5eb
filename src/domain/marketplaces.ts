/**
 * Amazon marketplaces by SP-API region, from Amazon's "Marketplace IDs" table
 * (https://developer-docs.amazon.com/sp-api/docs/marketplace-ids).
 */
export type Region = 'na' | 'eu' | 'fe';

export interface Marketplace {
  id: string;
  country: string;
  region: Region;
  currency: string;
}

const TABLE: Array<[string, string, Region, string]> = [
  ['A2EUQ1WTGCTBG2', 'CA', 'na', 'CAD'],
  ['ATVPDKIKX0DER', 'US', 'na', 'USD'],
  ['A1AM78C64UM0Y8', 'MX', 'na', 'MXN'],
  ['A2Q3Y263D00KWC', 'BR', 'na', 'BRL'],
  ['A28R8C7NBKEWEA', 'IE', 'eu', 'EUR'],
  ['A1RKKUPIHCS9HS', 'ES', 'eu', 'EUR'],
  ['A1F83G8C2ARO7P', 'GB', 'eu', 'GBP'],
  ['A13V1IB3VIYZZH', 'FR', 'eu', 'EUR'],
  ['AMEN7PMS3EDWL', 'BE', 'eu', 'EUR'],
  ['A1805IZSGTT6HS', 'NL', 'eu', 'EUR'],
  ['A1PA6795UKMFR9', 'DE', 'eu', 'EUR'],
  ['APJ6JRA9NG5V4', 'IT', 'eu', 'EUR'],
  ['A2NODRKZP88ZB9', 'SE', 'eu', 'SEK'],
  ['AE08WJ6YKNBMC', 'ZA', 'eu', 'ZAR'],
  ['A1C3SOZRARQ6R3', 'PL', 'eu', 'PLN'],
  ['ARBP9OOSHTCHU', 'EG', 'eu', 'EGP'],
  ['A33AVAJ2PDY3EV', 'TR', 'eu', 'TRY'],
  ['A17E79C6D8DWNP', 'SA', 'eu', 'SAR'],
  ['A2VIGQ35RCS4UG', 'AE', 'eu', 'AED'],
  ['A21TJRUUN4KGV', 'IN', 'eu', 'INR'],
  ['A19VAU5U5O7RUS', 'SG', 'fe', 'SGD'],
  ['A39IBJ37TRP1C6', 'AU', 'fe', 'AUD'],
  ['A1VC38T7YXB528', 'JP', 'fe', 'JPY'],
];

export const MARKETPLACES: ReadonlyMap<string, Marketplace> = new Map(
  TABLE.map(([id, country, region, currency]) => [id, { id, country, region, currency }]),
);

export function marketplaceById(id: string): Marketplace | undefined {
  return MARKETPLACES.get(id);
}

/**
 * The time zone a seller in this marketplace most likely works in, for ship dates sent to Amazon
 * when the account sets no `timeZone`. Seller Central shows US, CA and MX deadlines in Pacific time.
 */
const TIME_ZONES: Record<string, string> = {
  US: 'America/Los_Angeles', CA: 'America/Los_Angeles', MX: 'America/Los_Angeles', BR: 'America/Sao_Paulo',
  IE: 'Europe/Dublin', GB: 'Europe/London', ES: 'Europe/Madrid', FR: 'Europe/Paris', BE: 'Europe/Brussels',
  NL: 'Europe/Amsterdam', DE: 'Europe/Berlin', IT: 'Europe/Rome', SE: 'Europe/Stockholm', PL: 'Europe/Warsaw',
  ZA: 'Africa/Johannesburg', EG: 'Africa/Cairo', TR: 'Europe/Istanbul', SA: 'Asia/Riyadh', AE: 'Asia/Dubai',
  IN: 'Asia/Kolkata', SG: 'Asia/Singapore', AU: 'Australia/Sydney', JP: 'Asia/Tokyo',
};

export function defaultTimeZone(marketplaceId: string): string {
  return TIME_ZONES[marketplaceById(marketplaceId)?.country ?? ''] ?? 'UTC';
}
