/**
 * ShipStation carrier and service codes → what Amazon's confirmShipment wants.
 *
 * Amazon's `PackageDetail.carrierCode` must be one of Amazon's carrier codes; anything else is
 * sent as `Other` plus a `carrierName` (ordersV0.json PackageDetail: "Required when
 * `carrierCode` is \"Other\""). Amazon's list is the `CarrierCode` enumeration of its feed
 * schema amzn-base.xsd, which the SP-API changelog points to as the "Acceptable CarrierCode
 * values" (https://developer-docs.amazon.com/sp-api/changelog/carriercode-value-required-in-shipment-confirmations-for-br-mx-ca-sg-au-in-jp-marketplaces).
 * The enumeration's own spelling is kept, even where it surprises: `Lasership`,
 * `YamatoTransport`, `SagawaExpress`, `PUROLATOR`, `DHL eCommerce`.
 */

/** The Amazon carrier codes Dockhand sends (a subset of amzn-base.xsd `CarrierCode`), plus `Other`. */
export const AMAZON_CARRIER_CODES = [
  'USPS',
  'UPS',
  'UPSMI',
  'UPS Mail Innovations',
  'FedEx',
  'FedEx SmartPost',
  'Fedex Freight',
  'DHL',
  'DHL eCommerce',
  'OnTrac',
  'Lasership',
  'Amazon Shipping',
  'Canada Post',
  'PUROLATOR',
  'Royal Mail',
  'Parcelforce',
  'Yodel',
  'Australia Post',
  'Japan Post',
  'YamatoTransport',
  'SagawaExpress',
  'Deutsche Post',
  'DPD',
  'Hermes',
  'GLS',
  'Estafeta',
  'Asendia',
  'Newgistics',
  'First Mile',
  'Sendle',
  'Landmark Global',
  'RR Donnelley',
  'ICC Worldwide',
  'La Poste',
  'Post NL',
  'TNT',
  'Aramex',
  'Correos',
  'China Post',
  'Yun Express',
  'SF Express',
  '4PX',
  'Other',
] as const;
export type AmazonCarrierCode = (typeof AMAZON_CARRIER_CODES)[number];

export interface AmazonCarrier {
  carrierCode: string;
  /** Set only when carrierCode is `Other`: Amazon then requires it. */
  carrierName?: string;
}

/**
 * ShipStation v1 carrier codes (`GET /carriers` → `code`, and `carrierCode` on shipments).
 * `undefined` means "not an Amazon carrier": it goes out as `Other` with the name given here.
 */
const SHIPSTATION_CARRIERS: Record<string, { amazon: AmazonCarrierCode; name?: string }> = {
  // shipstation-v1-openapi ListCarriers example: "Stamps.com" / stamps_com, "Endicia" / endicia.
  stamps_com: { amazon: 'USPS' },
  endicia: { amazon: 'USPS' },
  // shipstation-v1-openapi ListPackages example: express_1 sells USPS flat-rate packages.
  express_1: { amazon: 'USPS' },
  // ShipStation/ShipEngine carrier list (docs.shipstation.com .../carriers/connect): usps, "USPS from ShipStation".
  usps: { amazon: 'USPS' },
  // shipstation-v1-openapi ListCarriers example: "UPS" / ups; "UPS by ShipStation" is ups_walleted.
  ups: { amazon: 'UPS' },
  ups_walleted: { amazon: 'UPS' },
  // shipstation-v1-openapi ListCarriers example: "FedEx" / fedex; fedex_walleted is "FedEx One Balance"; fedex_uk on ShipEngine's list.
  fedex: { amazon: 'FedEx' },
  fedex_walleted: { amazon: 'FedEx' },
  fedex_uk: { amazon: 'FedEx' },
  // docs.shipstation.com .../carriers/dhlexpress-from-shipstation: dhl_express_worldwide (US),
  // dhl_express_walleted (CA); own accounts are dhl_express, dhl_express_uk/_canada/_australia.
  // Amazon's generic `DHL` is sent rather than `DHL Express`, a later addition to Amazon's list, so
  // free text "DHL Express" and the dhl_express codes agree.
  dhl_express: { amazon: 'DHL' },
  dhl_express_worldwide: { amazon: 'DHL' },
  dhl_express_walleted: { amazon: 'DHL' },
  dhl_express_uk: { amazon: 'DHL' },
  dhl_express_canada: { amazon: 'DHL' },
  dhl_express_australia: { amazon: 'DHL' },
  // ShipEngine carrier list: dhl_ecommerce; dhl_global_mail is the same service under its old name.
  dhl_ecommerce: { amazon: 'DHL eCommerce' },
  dhl_global_mail: { amazon: 'DHL eCommerce' },
  // ShipEngine carrier list spells it on_trac; ShipStation v1 uses ontrac.
  ontrac: { amazon: 'OnTrac' },
  on_trac: { amazon: 'OnTrac' },
  lasership: { amazon: 'Lasership' },
  // ShipEngine carrier list: amazon_buy_shipping, amazon_shipping_uk; ShipStation US: amazon_shipping_us.
  amazon_buy_shipping: { amazon: 'Amazon Shipping' },
  amazon_shipping_us: { amazon: 'Amazon Shipping' },
  amazon_shipping_uk: { amazon: 'Amazon Shipping' },
  amazon_shipping: { amazon: 'Amazon Shipping' },
  canada_post: { amazon: 'Canada Post' },
  // ShipStation v1 uses purolator_ca; ShipEngine lists purolator_canada.
  purolator_ca: { amazon: 'PUROLATOR' },
  purolator_canada: { amazon: 'PUROLATOR' },
  royal_mail: { amazon: 'Royal Mail' },
  parcelforce: { amazon: 'Parcelforce' },
  australia_post: { amazon: 'Australia Post' },
  dpd: { amazon: 'DPD' },
  dpd_uk: { amazon: 'DPD' },
  asendia: { amazon: 'Asendia' },
  newgistics: { amazon: 'Newgistics' },
  firstmile: { amazon: 'First Mile' },
  first_mile: { amazon: 'First Mile' },
  sendle: { amazon: 'Sendle' },
  rr_donnelley: { amazon: 'RR Donnelley' },
  landmark_global: { amazon: 'Landmark Global' },
  // ShipEngine's apc is APC Postal Logistics (a US consolidator). Amazon's `APC` is APC Overnight,
  // a different UK company, so sending `APC` would hand the buyer the wrong tracking page.
  apc: { amazon: 'Other', name: 'APC Postal Logistics' },
  // On ShipEngine's list, absent from Amazon's.
  globegistics: { amazon: 'Other', name: 'Globegistics' },
  imex: { amazon: 'Other', name: 'IMEX' },
  access_worldwide: { amazon: 'Other', name: 'Access Worldwide' },
  seko: { amazon: 'Other', name: 'SEKO Logistics' },
  seko_ltl: { amazon: 'Other', name: 'SEKO Logistics' },
  globalpost: { amazon: 'Other', name: 'GlobalPost' },
};

/**
 * Free text staff type on a fulfillment ("USPS", "Fedex Ground", "DHL eCommerce"). Tested
 * against the text lower-cased with punctuation turned into single spaces; first match wins,
 * so the narrower brands come before the broad ones.
 */
const FREE_TEXT: Array<[RegExp, AmazonCarrierCode]> = [
  [/^(usps|u s p s|us postal|united states postal|stamps com|stamps|endicia|express 1)\b/, 'USPS'],
  [/^(ups mail innovations|upsmi)\b/, 'UPS Mail Innovations'],
  [/^(ups|united parcel)\b/, 'UPS'],
  [/^fed ?ex (smart ?post|ground economy)\b/, 'FedEx SmartPost'],
  [/^fed ?ex freight\b/, 'Fedex Freight'],
  [/^(fed ?ex|federal express)\b/, 'FedEx'],
  [/^dhl (e ?commerce|global mail|ecs)\b/, 'DHL eCommerce'],
  [/^dhl\b/, 'DHL'],
  [/^on ?trac\b/, 'OnTrac'],
  [/^laser ?ship\b/, 'Lasership'],
  [/^amazon (shipping|buy shipping)\b/, 'Amazon Shipping'],
  [/^canada post\b/, 'Canada Post'],
  [/^purolator\b/, 'PUROLATOR'],
  [/^royal mail\b/, 'Royal Mail'],
  [/^parcel ?force\b/, 'Parcelforce'],
  [/^(australia post|aus ?post)\b/, 'Australia Post'],
  [/^japan post\b/, 'Japan Post'],
  [/^(yamato|kuroneko)\b/, 'YamatoTransport'],
  [/^sagawa\b/, 'SagawaExpress'],
  [/^deutsche post\b/, 'Deutsche Post'],
  [/^dpd\b/, 'DPD'],
  [/^hermes\b/, 'Hermes'],
  [/^gls\b/, 'GLS'],
  [/^estafeta\b/, 'Estafeta'],
  [/^asendia\b/, 'Asendia'],
  [/^first ?mile\b/, 'First Mile'],
  [/^sendle\b/, 'Sendle'],
];

/** `dhl eCommerce` → `dhlecommerce`: how Amazon codes are compared with what staff typed. */
const compact = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

const AMAZON_BY_COMPACT = new Map<string, AmazonCarrierCode>(
  AMAZON_CARRIER_CODES.filter((c) => c !== 'Other').map((c) => [compact(c), c]),
);

/** `access_worldwide` → `Access Worldwide`; text that already has capitals is kept as typed. */
function humanize(code: string): string {
  const words = code.trim().replace(/[_\s]+/g, ' ').trim();
  if (/[A-Z]/.test(words)) return words;
  return words.replace(/\b[a-z]/g, (c) => c.toUpperCase());
}

/**
 * Maps a ShipStation carrier code (or what staff typed on a fulfillment) to Amazon's
 * `carrierCode`, matching case-insensitively. Anything Amazon does not list becomes
 * `{ carrierCode: 'Other', carrierName }`, the name being `opts.carrierName` when given,
 * else the code turned into words.
 */
export function amazonCarrierFor(
  shipstationCarrierCode: string,
  opts: { carrierName?: string } = {},
): AmazonCarrier {
  const raw = shipstationCarrierCode.trim();
  const givenName = opts.carrierName?.trim() || undefined;
  const other = (fallback: string): AmazonCarrier => ({
    carrierCode: 'Other',
    carrierName: givenName ?? fallback,
  });
  if (raw === '') return other('Unknown carrier');

  const known = SHIPSTATION_CARRIERS[raw.toLowerCase().replace(/[\s-]+/g, '_')];
  if (known) return known.amazon === 'Other' ? other(known.name ?? humanize(raw)) : { carrierCode: known.amazon };

  const exact = AMAZON_BY_COMPACT.get(compact(raw));
  if (exact) return { carrierCode: exact };

  const words = raw.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
  for (const [pattern, code] of FREE_TEXT) {
    if (pattern.test(words)) return { carrierCode: code };
  }
  return other(humanize(raw));
}

/** Words in ShipStation service codes that do not simply take a capital letter. */
const SERVICE_WORDS: Record<string, string> = {
  usps: 'USPS',
  ups: 'UPS',
  fedex: 'FedEx',
  dhl: 'DHL',
  dpd: 'DPD',
  gls: 'GLS',
  ontrac: 'OnTrac',
  // FedEx's own product names: "FedEx 2Day", "FedEx 2Day A.M.".
  '2day': '2Day',
  am: 'A.M.',
  surepost: 'SurePost',
  smartpost: 'SmartPost',
  lb: 'lb',
  oz: 'oz',
  or: 'or',
  and: 'and',
  to: 'to',
  of: 'of',
  intl: 'International',
};

/**
 * Turns a ShipStation service code into a readable shipping method for Amazon's
 * `shippingMethod` (`usps_priority_mail` → `USPS Priority Mail`, `fedex_2day` → `FedEx 2Day`).
 * Text that is not a code (staff typed "Priority Mail") is returned trimmed. Undefined when absent.
 */
export function shippingMethodFor(serviceCode?: string): string | undefined {
  const raw = serviceCode?.trim();
  if (!raw) return undefined;
  // Only snake_case codes are rewritten; anything else is what a person typed.
  if (!/^[a-z0-9_]+$/.test(raw)) return raw;
  return raw
    .toLowerCase()
    .split('_')
    .filter((w) => w !== '')
    .map((w, i) => {
      const special = SERVICE_WORDS[w];
      // "or"/"to" stay lower-case inside a name, never as its first word.
      if (special !== undefined) return i === 0 && /^[a-z]/.test(special) ? special[0]!.toUpperCase() + special.slice(1) : special;
      return w[0]!.toUpperCase() + w.slice(1);
    })
    .join(' ');
}
