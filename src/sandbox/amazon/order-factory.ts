import type {
  WireCustomerAddress,
  WireItemProceedsBreakdown,
  WireMoney,
  WireOrder,
  WireOrderItem,
  WireProceedsBreakdown,
} from './wire-order';

/** One product the sandbox seller lists on Amazon, with its ShipStation counterpart. */
export interface SandboxProduct {
  sellerSku: string;
  asin: string;
  title: string;
  /** US list price, decimal string. */
  unitPrice: string;
  /** The SKU the same product has in the sandbox ShipStation account. */
  shipstationSku: string;
  weightOz: number;
}

/** The sandbox seller's catalogue. Every factory order except `unmapped_sku`/`malformed` lines uses these SKUs. */
export const SANDBOX_CATALOGUE: readonly SandboxProduct[] = [
  { sellerSku: 'DH-MUG-12OZ-BLK', asin: 'B0C7K2M4QX', title: 'Harbor Ceramic Coffee Mug, 12 oz, Matte Black', unitPrice: '14.99', shipstationSku: 'SS-MUG-12-BLK', weightOz: 16 },
  { sellerSku: 'DH-MUG-12OZ-WHT', asin: 'B0C7K3N8RT', title: 'Harbor Ceramic Coffee Mug, 12 oz, Gloss White', unitPrice: '14.99', shipstationSku: 'SS-MUG-12-WHT', weightOz: 16 },
  { sellerSku: 'DH-TUMBLER-20-SS', asin: 'B0BZ4Q7L2P', title: 'Dockside Insulated Tumbler 20 oz, Stainless Steel', unitPrice: '24.50', shipstationSku: 'SS-TMB-20-SS', weightOz: 12 },
  { sellerSku: 'DH-BOTTLE-32-BLU', asin: 'B0BZ5R9M3K', title: 'Dockside Water Bottle 32 oz with Straw Lid, Harbor Blue', unitPrice: '29.95', shipstationSku: 'SS-BTL-32-BLU', weightOz: 18 },
  { sellerSku: 'DH-COASTER-4PK', asin: 'B0D1F6H2JW', title: 'Slate Coaster Set of 4 with Cork Backing', unitPrice: '19.99', shipstationSku: 'SS-CST-4PK', weightOz: 22 },
  { sellerSku: 'DH-TOWEL-TEA-3PK', asin: 'B0D2G7J4KV', title: 'Waffle Weave Tea Towels, 3 Pack, Natural Linen', unitPrice: '17.25', shipstationSku: 'SS-TWL-3PK', weightOz: 9 },
  { sellerSku: 'DH-CANDLE-CEDAR-8', asin: 'B0CQ8S2T5N', title: 'Cedar & Sea Salt Soy Candle, 8 oz Tin', unitPrice: '12.00', shipstationSku: 'SS-CDL-CDR-8', weightOz: 10 },
  { sellerSku: 'DH-BOARD-WALNUT-L', asin: 'B0CR9T3U6M', title: 'Walnut End-Grain Cutting Board, Large 18 x 12 in', unitPrice: '89.00', shipstationSku: 'SS-BRD-WAL-L', weightOz: 96 },
  { sellerSku: 'DH-KNIFE-CHEF-8', asin: 'B0CS1V4W7L', title: "8-inch Chef's Knife, German Steel, Pakkawood Handle", unitPrice: '64.99', shipstationSku: 'SS-KNF-CHF-8', weightOz: 14 },
  { sellerSku: 'DH-APRON-CANVAS-OLV', asin: 'B0CT2W5X8J', title: 'Waxed Canvas Apron with Leather Straps, Olive', unitPrice: '42.00', shipstationSku: 'SS-APR-CNV-OLV', weightOz: 20 },
  { sellerSku: 'DH-GRINDER-BURR', asin: 'B0CV3X6Y9H', title: 'Manual Burr Coffee Grinder, Adjustable Ceramic Burr', unitPrice: '38.75', shipstationSku: 'SS-GRD-BURR', weightOz: 24 },
  { sellerSku: 'DH-FILTER-100', asin: 'B0CW4Y7Z1G', title: 'Unbleached Cone Coffee Filters, Size 4, 100 Count', unitPrice: '6.49', shipstationSku: 'SS-FLT-100', weightOz: 5 },
];

/** Amazon SKU → ShipStation SKU for the whole {@link SANDBOX_CATALOGUE}. */
export function sandboxSkuMap(): Record<string, string> {
  return Object.fromEntries(SANDBOX_CATALOGUE.map((p) => [p.sellerSku, p.shipstationSku]));
}

export const ORDER_KINDS = [
  'standard',
  'prime_next_day',
  'business_multi_line',
  'international',
  'gift',
  'pending',
  'cancelled',
  'unmapped_sku',
  'afn',
  'malformed',
  'unknown_marketplace',
] as const;
export type OrderKind = (typeof ORDER_KINDS)[number];

/** How a `malformed` order is broken. */
export type Malformation = 'item_without_sku_or_asin' | 'recipient_without_country';

/**
 * A `malformed` order names its defect in an `orderAliases` entry with this prefix, so the
 * marker survives the HTTP round trip without adding fields the spec doesn't have.
 */
export const MALFORMED_ALIAS_PREFIX = 'SANDBOX-MALFORMED:';

/** Reads the defect a `malformed` factory order carries, if any. */
export function malformationOf(order: Pick<WireOrder, 'orderAliases'>): Malformation | undefined {
  const alias = order.orderAliases?.find((a) => a.aliasId.startsWith(MALFORMED_ALIAS_PREFIX));
  return alias ? (alias.aliasId.slice(MALFORMED_ALIAS_PREFIX.length) as Malformation) : undefined;
}

/** The made-up marketplace used by `unknown_marketplace` orders. */
export const UNKNOWN_MARKETPLACE_ID = 'AZZSANDBOX0001';

export const US_MARKETPLACE_ID = 'ATVPDKIKX0DER';

interface Marketplace {
  id: string;
  name: string;
  currency: string;
  /** Units of this currency per USD, to price the US catalogue abroad. */
  fx: number;
  emailDomain: string;
  orderPrefixes: readonly string[];
}

const MARKETPLACES: Record<string, Marketplace> = {
  ATVPDKIKX0DER: { id: 'ATVPDKIKX0DER', name: 'Amazon.com', currency: 'USD', fx: 1, emailDomain: 'marketplace.amazon.com', orderPrefixes: ['111', '112', '113', '114'] },
  A2EUQ1WTGCTBG2: { id: 'A2EUQ1WTGCTBG2', name: 'Amazon.ca', currency: 'CAD', fx: 1.37, emailDomain: 'marketplace.amazon.ca', orderPrefixes: ['701', '702'] },
  A1PA6795UKMFR9: { id: 'A1PA6795UKMFR9', name: 'Amazon.de', currency: 'EUR', fx: 0.92, emailDomain: 'marketplace.amazon.de', orderPrefixes: ['302', '303', '304', '305', '306'] },
  A1F83G8C2ARO7P: { id: 'A1F83G8C2ARO7P', name: 'Amazon.co.uk', currency: 'GBP', fx: 0.79, emailDomain: 'marketplace.amazon.co.uk', orderPrefixes: ['202', '203', '204', '205', '206'] },
};

export interface OrderFactoryOptions {
  /** Marketplace for domestic orders. Default ATVPDKIKX0DER (Amazon.com). */
  marketplaceId?: string;
  /** Order timestamps are taken from this clock (ms). Default Date.now. */
  now?: () => number;
}

export interface OrderFactory {
  /** One wire order of the given kind; every dataset (buyer, recipient, proceeds…) is filled in. */
  make(kind: OrderKind): WireOrder;
  /** `n` orders in a realistic blend of kinds (mostly standard and Prime). */
  mix(n: number): WireOrder[];
  /** The kind of every order made so far, by orderId. */
  kindOf(orderId: string): OrderKind | undefined;
}

// Weights per 1000 orders for mix(): a small US FBM seller's week.
const MIX_WEIGHTS: readonly [OrderKind, number][] = [
  ['standard', 440],
  ['prime_next_day', 200],
  ['business_multi_line', 80],
  ['international', 50],
  ['gift', 60],
  ['pending', 40],
  ['cancelled', 30],
  ['unmapped_sku', 30],
  ['afn', 40],
  ['malformed', 15],
  ['unknown_marketplace', 15],
];

const FIRST_NAMES = ['Avery', 'Jordan', 'Priya', 'Marcus', 'Elena', 'Darnell', 'Mei', 'Santiago', 'Hannah', 'Tobias', 'Keisha', 'Ravi', 'Colleen', 'Omar', 'Lucia', 'Grant'];
const LAST_NAMES = ['Okafor', 'Lindqvist', 'Ramirez', 'Chen', 'Sullivan', 'Patel', 'Nakamura', 'Brennan', 'Haddad', 'Kowalski', 'Fischer', 'Abernathy', 'Delgado', 'Whitfield', 'Osei', 'Larkin'];
const STREETS = ['Pine St', 'Maple Ave', 'Harbor View Rd', 'Cedar Ln', 'Lakeshore Dr', 'Elm St', 'Orchard Way', 'Summit Blvd', 'Willow Ct', 'Bayside Pkwy', 'Ridge Rd', 'Market St'];
const US_CITIES: readonly { city: string; state: string; zip: string; area: string; county: string }[] = [
  { city: 'Seattle', state: 'WA', zip: '98101', area: '206', county: 'King' },
  { city: 'Portland', state: 'OR', zip: '97205', area: '503', county: 'Multnomah' },
  { city: 'Austin', state: 'TX', zip: '78701', area: '512', county: 'Travis' },
  { city: 'Columbus', state: 'OH', zip: '43215', area: '614', county: 'Franklin' },
  { city: 'Raleigh', state: 'NC', zip: '27601', area: '919', county: 'Wake' },
  { city: 'Denver', state: 'CO', zip: '80202', area: '303', county: 'Denver' },
  { city: 'Minneapolis', state: 'MN', zip: '55401', area: '612', county: 'Hennepin' },
  { city: 'Brooklyn', state: 'NY', zip: '11201', area: '718', county: 'Kings' },
  { city: 'Tampa', state: 'FL', zip: '33602', area: '813', county: 'Hillsborough' },
  { city: 'Burlington', state: 'VT', zip: '05401', area: '802', county: 'Chittenden' },
];
const COMPANIES = ['Northwind Cafe Supply LLC', 'Bluewater Hospitality Group', 'Cascade Office Partners Inc.', 'Riverside Dental Associates', 'Summit Coworking Co.'];
const GIFT_MESSAGES = [
  'Happy birthday! Enjoy your morning coffee. Love, Sam',
  'Congratulations on the new place! — The Okafors',
  'Thinking of you. Hope this brightens your kitchen ❤️',
  "Merry Christmas! Don't let the cat near the candle.",
];

interface InternationalRecipient {
  name: string;
  companyName?: string;
  lines: [string, string, string];
  city: string;
  stateOrRegion: string;
  postalCode: string;
  countryCode: string;
  phone: string;
}

const INTERNATIONAL_RECIPIENTS: readonly InternationalRecipient[] = [
  { name: 'Zoë Brontë', companyName: 'Ñandú Industrias', lines: ['ul. Piotrkowska 104', 'Klatka B, lok. 7', 'c/o Recepcja'], city: 'Łódź', stateOrRegion: 'łódzkie', postalCode: '90-926', countryCode: 'PL', phone: '+48 42 555 01 34' },
  { name: 'Jürgen Weiß', lines: ['Königstraße 12', 'Hinterhaus, 3. OG', 'bei Müller'], city: 'Stuttgart', stateOrRegion: 'Baden-Württemberg', postalCode: '70173', countryCode: 'DE', phone: '+49 711 5550134' },
  { name: 'Siobhán Ó Briain', companyName: 'Café Ó Briain Ltd', lines: ['Flat 2', "12 St. Stephen's Green", 'Dublin 2'], city: 'Dublin', stateOrRegion: 'Co. Dublin', postalCode: 'D02 XY45', countryCode: 'IE', phone: '+353 1 555 0134' },
  { name: 'Amélie Côté-Lévesque', lines: ['1250 rue de la Gauchetière O', 'Bureau 900', 'Tour Étoile'], city: 'Montréal', stateOrRegion: 'QC', postalCode: 'H3B 4W8', countryCode: 'CA', phone: '+1 514-555-0134' },
];

// mulberry32: tiny, fast and good enough for test data; the same seed always yields the same orders.
/** A seeded random source in [0, 1): the same seed always yields the same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cents = (decimal: string): number => Math.round(Number(decimal) * 100);
const fmt = (c: number): string => (c / 100).toFixed(2);
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

function endOfUtcDay(ms: number, plusDays: number): number {
  const d = new Date(ms + plusDays * DAY);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 23, 59, 59);
}

function startOfUtcDay(ms: number, plusDays: number): number {
  const d = new Date(ms + plusDays * DAY);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/**
 * Creates a deterministic generator of Orders API v2026-01-01 wire orders: the same seed and
 * clock produce the same orders, ids included.
 */
export function createOrderFactory(seed: number, opts: OrderFactoryOptions = {}): OrderFactory {
  const random = mulberry32(seed);
  const now = opts.now ?? Date.now;
  const home = MARKETPLACES[opts.marketplaceId ?? US_MARKETPLACE_ID] ?? MARKETPLACES[US_MARKETPLACE_ID]!;
  const issuedIds = new Set<string>();
  const kinds = new Map<string, OrderKind>();

  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const digits = (n: number): string => Array.from({ length: n }, () => String(int(0, 9))).join('');
  const alnum = (n: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string =>
    Array.from({ length: n }, () => alphabet[int(0, alphabet.length - 1)]).join('');

  const orderId = (market: Marketplace): string => {
    for (;;) {
      const id = `${pick(market.orderPrefixes)}-${digits(7)}-${digits(7)}`;
      if (!issuedIds.has(id)) {
        issuedIds.add(id);
        return id;
      }
    }
  };

  const money = (c: number, currency: string): WireMoney => ({ amount: fmt(c), currencyCode: currency });

  const usAddress = (name: string, companyName?: string): WireCustomerAddress => {
    const place = pick(US_CITIES);
    const address: WireCustomerAddress = {
      name,
      ...(companyName ? { companyName } : {}),
      addressLine1: `${int(100, 9899)} ${pick(STREETS)}`,
      city: place.city,
      districtOrCounty: place.county,
      stateOrRegion: place.state,
      postalCode: place.zip,
      countryCode: 'US',
      // 555-0100..0199 are reserved for fiction, so these never ring anyone.
      phone: `+1 ${place.area}-555-01${digits(2)}`,
      addressType: companyName ? 'COMMERCIAL' : 'RESIDENTIAL',
    };
    if (random() < 0.3) address.addressLine2 = pick(['Apt 4B', 'Unit 12', 'Suite 300', 'Fl 2']);
    return address;
  };

  interface LineSpec {
    product: { sellerSku?: string; asin?: string; title: string; unitPrice: string };
    quantity: number;
  }

  const buildItems = (
    lines: LineSpec[],
    market: Marketplace,
    shippingCents: number,
    taxRate: number,
  ): { items: WireOrderItem[]; totals: { item: number; shipping: number; tax: number } } => {
    const totals = { item: 0, shipping: 0, tax: 0 };
    const items = lines.map((line, index): WireOrderItem => {
      const unit = Math.round(cents(line.product.unitPrice) * market.fx);
      const itemCents = unit * line.quantity;
      // The whole order's shipping charge sits on its first line, as Amazon reports it.
      const ship = index === 0 ? shippingCents : 0;
      const itemTax = Math.round(itemCents * taxRate);
      const shipTax = Math.round(ship * taxRate);
      totals.item += itemCents;
      totals.shipping += ship;
      totals.tax += itemTax + shipTax;
      const breakdowns: WireItemProceedsBreakdown[] = [
        { type: 'ITEM', subtotal: money(itemCents, market.currency) },
        { type: 'SHIPPING', subtotal: money(ship, market.currency) },
        {
          type: 'TAX',
          subtotal: money(itemTax + shipTax, market.currency),
          detailedBreakdowns: [
            { subtype: 'ITEM', value: money(itemTax, market.currency) },
            { subtype: 'SHIPPING', value: money(shipTax, market.currency) },
          ],
        },
      ];
      return {
        orderItemId: digits(14),
        quantityOrdered: line.quantity,
        product: {
          ...(line.product.asin === undefined ? {} : { asin: line.product.asin }),
          title: line.product.title,
          ...(line.product.sellerSku === undefined ? {} : { sellerSku: line.product.sellerSku }),
          condition: { conditionType: 'NEW', conditionSubtype: 'NEW' },
          price: { unitPrice: money(unit, market.currency) },
        },
        proceeds: { proceedsTotal: money(itemCents + ship + itemTax + shipTax, market.currency), breakdowns },
        fulfillment: { quantityFulfilled: 0, quantityUnfulfilled: line.quantity },
      };
    });
    return { items, totals };
  };

  const catalogueLines = (count: number, maxQty = 2): LineSpec[] => {
    const chosen = new Set<SandboxProduct>();
    while (chosen.size < Math.min(count, SANDBOX_CATALOGUE.length)) chosen.add(pick(SANDBOX_CATALOGUE));
    return [...chosen].map((product) => ({ product, quantity: int(1, maxQty) }));
  };

  const make = (kind: OrderKind): WireOrder => {
    const placedAt = now() - int(1, 45) * 60 * 1000;
    const international = kind === 'international' ? pick(INTERNATIONAL_RECIPIENTS) : undefined;
    const market =
      kind === 'unknown_marketplace'
        ? { ...home, id: UNKNOWN_MARKETPLACE_ID, name: 'Amazon.zz' }
        : home; // international: bought on the seller's own marketplace, shipped abroad (MFN international shipping)

    const buyerName = `${pick(FIRST_NAMES)} ${pick(LAST_NAMES)}`;
    const company = kind === 'business_multi_line' ? pick(COMPANIES) : undefined;
    let lines: LineSpec[];
    if (kind === 'business_multi_line') lines = catalogueLines(int(3, 5), 12);
    else lines = catalogueLines(random() < 0.75 ? 1 : 2);
    if (kind === 'unmapped_sku') {
      lines.push({
        product: { sellerSku: `UNMAPPED-${alnum(6, 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789')}`, asin: `B0${alnum(8, 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789')}`, title: 'Legacy Listing — Enamel Camp Mug, Speckled Red', unitPrice: '11.00' },
        quantity: 1,
      });
    }
    let malformation: Malformation | undefined;
    if (kind === 'malformed') {
      malformation = random() < 0.5 ? 'item_without_sku_or_asin' : 'recipient_without_country';
    }

    const prime = kind === 'prime_next_day';
    const afn = kind === 'afn';
    const shippingCents = prime || afn || kind === 'business_multi_line' ? 0 : pick([499, 599, 0]);
    const taxRate = international ? 0 : 0.0825;
    const { items, totals } = buildItems(lines, market, shippingCents, taxRate);
    if (malformation === 'item_without_sku_or_asin') {
      const first = items[0]!;
      first.quantityOrdered = 0;
      delete first.product.sellerSku;
      delete first.product.asin;
      first.fulfillment = { quantityFulfilled: 0, quantityUnfulfilled: 0 };
    }

    let giftWrapCents = 0;
    if (kind === 'gift') {
      const first = items[0]!;
      giftWrapCents = 399;
      first.fulfillment = {
        ...first.fulfillment,
        packing: { giftOption: { giftMessage: pick(GIFT_MESSAGES), giftWrapLevel: 'STANDARD' } },
      };
      first.proceeds?.breakdowns?.push({ type: 'GIFT_WRAP', subtotal: money(giftWrapCents, market.currency) });
      if (first.proceeds?.proceedsTotal) {
        first.proceeds.proceedsTotal = money(cents(first.proceeds.proceedsTotal.amount) + giftWrapCents, market.currency);
      }
    }
    if (kind === 'business_multi_line') {
      for (const item of items) {
        if (item.product.price) item.product.price.priceDesignation = 'BUSINESS_PRICE';
      }
    }

    const orderBreakdowns: WireProceedsBreakdown[] = [
      { type: 'ITEM', subtotal: money(totals.item, market.currency) },
      { type: 'SHIPPING', subtotal: money(totals.shipping, market.currency) },
      { type: 'TAX', subtotal: money(totals.tax, market.currency) },
      ...(giftWrapCents ? [{ type: 'GIFT_WRAP', subtotal: money(giftWrapCents, market.currency) }] : []),
    ];

    let deliveryAddress: WireCustomerAddress;
    if (international) {
      deliveryAddress = {
        name: international.name,
        ...(international.companyName ? { companyName: international.companyName } : {}),
        addressLine1: international.lines[0],
        addressLine2: international.lines[1],
        addressLine3: international.lines[2],
        city: international.city,
        stateOrRegion: international.stateOrRegion,
        postalCode: international.postalCode,
        countryCode: international.countryCode,
        phone: international.phone,
        addressType: international.companyName ? 'COMMERCIAL' : 'RESIDENTIAL',
      };
    } else {
      deliveryAddress = usAddress(buyerName, company);
    }
    if (malformation === 'recipient_without_country') delete deliveryAddress.countryCode;

    const pending = kind === 'pending';
    if (pending) {
      // Amazon withholds the street address and contact details until payment clears.
      deliveryAddress = {
        city: deliveryAddress.city,
        stateOrRegion: deliveryAddress.stateOrRegion,
        postalCode: deliveryAddress.postalCode,
        countryCode: deliveryAddress.countryCode,
      };
    }
    if (afn) delete deliveryAddress.phone; // suppressed for all FBA orders (CustomerAddress.phone)

    const handlingDays = prime ? 0 : kind === 'business_multi_line' ? 2 : 1;
    const transitDays = prime ? 1 : international ? int(5, 9) : int(3, 5);
    const shipBy = endOfUtcDay(placedAt, handlingDays);
    const serviceLevel = prime ? 'NEXT_DAY' : international ? 'STANDARD' : pick(['STANDARD', 'STANDARD', 'EXPEDITED', 'SECOND_DAY']);

    const status = pending ? 'PENDING' : kind === 'cancelled' ? 'CANCELLED' : afn ? 'SHIPPED' : 'UNSHIPPED';
    if (kind === 'cancelled') {
      for (const item of items) {
        item.cancellation = {
          cancellationRequest: { requester: 'BUYER', cancelReason: 'BUYER_CANCELED' },
          cancellationExecution: { cancelledBy: 'BUYER', cancelReason: 'BUYER_CANCELED' },
        };
        item.fulfillment = { ...item.fulfillment, quantityUnfulfilled: 0 };
      }
    }
    if (afn) {
      for (const item of items) item.fulfillment = { quantityFulfilled: item.quantityOrdered, quantityUnfulfilled: 0 };
    }

    const programs: string[] = [];
    if (prime || (afn && random() < 0.7)) programs.push('PRIME');
    if (kind === 'business_multi_line') programs.push('AMAZON_BUSINESS');

    const id = orderId(market);
    const order: WireOrder = {
      orderId: id,
      ...(malformation ? { orderAliases: [{ aliasId: `${MALFORMED_ALIAS_PREFIX}${malformation}`, aliasType: 'SELLER_ORDER_ID' }] } : {}),
      createdTime: iso(placedAt),
      lastUpdatedTime: iso(placedAt + int(0, 60) * 1000),
      ...(programs.length ? { programs } : {}),
      salesChannel: {
        channelName: 'AMAZON',
        marketplaceId: market.id,
        ...(kind === 'unknown_marketplace' ? {} : { marketplaceName: market.name }),
      },
      ...(pending
        ? {}
        : {
            buyer: {
              buyerName: international ? international.name : buyerName,
              // Only FBM orders carry the anonymised relay address (Buyer.buyerEmail).
              ...(afn ? {} : { buyerEmail: `${alnum(14)}@${market.emailDomain}` }),
              ...(company ? { buyerCompanyName: company, buyerPurchaseOrderNumber: `PO-${digits(6)}` } : {}),
            },
          }),
      recipient: { deliveryAddress },
      proceeds: {
        grandTotal: money(totals.item + totals.shipping + totals.tax + giftWrapCents, market.currency),
        breakdowns: orderBreakdowns,
      },
      fulfillment: {
        fulfillmentStatus: status,
        fulfilledBy: afn ? 'AMAZON' : 'MERCHANT',
        fulfillmentServiceLevel: serviceLevel,
        shipByWindow: { earliestDateTime: iso(placedAt), latestDateTime: iso(shipBy) },
        deliverByWindow: {
          earliestDateTime: iso(startOfUtcDay(shipBy, transitDays)),
          latestDateTime: iso(endOfUtcDay(shipBy, transitDays + (prime ? 0 : 2))),
        },
      },
      orderItems: items,
    };
    kinds.set(id, kind);
    return order;
  };

  const totalWeight = MIX_WEIGHTS.reduce((sum, [, w]) => sum + w, 0);
  const pickKind = (): OrderKind => {
    let roll = random() * totalWeight;
    for (const [kind, weight] of MIX_WEIGHTS) {
      roll -= weight;
      if (roll < 0) return kind;
    }
    return 'standard';
  };

  return {
    make,
    mix: (n) => Array.from({ length: n }, () => make(pickKind())),
    kindOf: (id) => kinds.get(id),
  };
}
