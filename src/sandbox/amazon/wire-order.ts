/**
 * The sandbox's own reading of the Orders API v2026-01-01 `Order` definition
 * (test/specs/amazon/orders_2026-01-01.json). Deliberately independent of
 * src/amazon so a misread of the spec can't hide on both sides; the tests check these shapes
 * against the official JSON schema with ajv.
 */

export interface WireMoney {
  /** Decimal as a string, e.g. "19.99". */
  amount: string;
  currencyCode: string;
}

export interface WireDateTimeRange {
  earliestDateTime?: string;
  latestDateTime?: string;
}

export interface WireCustomerAddress {
  name?: string;
  companyName?: string;
  addressLine1?: string;
  addressLine2?: string;
  addressLine3?: string;
  city?: string;
  districtOrCounty?: string;
  stateOrRegion?: string;
  municipality?: string;
  postalCode?: string;
  countryCode?: string;
  phone?: string;
  addressType?: 'RESIDENTIAL' | 'COMMERCIAL' | 'PICKUP_POINT';
}

export interface WireBuyer {
  buyerName?: string;
  buyerEmail?: string;
  buyerCompanyName?: string;
  buyerPurchaseOrderNumber?: string;
}

export interface WireRecipient {
  deliveryAddress?: WireCustomerAddress;
  deliveryPreference?: {
    dropOffLocation?: string;
    addressInstruction?: string;
    deliveryCapabilities?: string[];
  };
}

export interface WireProceedsBreakdown {
  type: string;
  status?: string;
  subtotal: WireMoney;
}

export interface WireItemProceedsBreakdown {
  type: string;
  subtotal: WireMoney;
  detailedBreakdowns?: { subtype?: string; value?: WireMoney }[];
}

export type WireFulfillmentStatus =
  | 'PENDING_AVAILABILITY'
  | 'PENDING'
  | 'UNSHIPPED'
  | 'PARTIALLY_SHIPPED'
  | 'SHIPPED'
  | 'CANCELLED'
  | 'UNFULFILLABLE';

export interface WireOrderFulfillment {
  fulfillmentStatus: WireFulfillmentStatus;
  fulfilledBy?: 'AMAZON' | 'MERCHANT';
  fulfillmentServiceLevel?: string;
  shipByWindow?: WireDateTimeRange;
  deliverByWindow?: WireDateTimeRange;
  labelPrintingWindow?: WireDateTimeRange;
}

export interface WireItemProduct {
  asin?: string;
  title?: string;
  sellerSku?: string;
  condition?: { conditionType?: string; conditionSubtype?: string; conditionNote?: string };
  price?: { unitPrice?: WireMoney; priceDesignation?: string };
  serialNumbers?: string[];
  customization?: { customizedUrl?: string };
}

export interface WireItemCancellation {
  cancellationRequest?: { requester?: string; cancelReason?: string };
  cancellationExecution?: { cancelledBy?: string; cancelReason?: string };
}

export interface WireItemFulfillment {
  quantityFulfilled?: number;
  quantityUnfulfilled?: number;
  packing?: {
    giftOption?: { giftMessage?: string; giftWrapLevel?: string };
    serialNumberRequirement?: { requirementType?: string };
  };
  shipping?: {
    scheduledDeliveryWindow?: WireDateTimeRange;
    shippingConstraints?: Partial<
      Record<
        | 'palletDelivery'
        | 'cashOnDelivery'
        | 'signatureConfirmation'
        | 'recipientIdentityVerification'
        | 'recipientAgeVerification',
        'MANDATORY'
      >
    >;
    internationalShipping?: { iossNumber?: string };
  };
}

export interface WireOrderItem {
  orderItemId: string;
  quantityOrdered: number;
  programs?: string[];
  product: WireItemProduct;
  proceeds?: { proceedsTotal?: WireMoney; breakdowns?: WireItemProceedsBreakdown[] };
  expense?: { pointsCost?: { pointsGranted?: { pointsNumber?: number; pointsMonetaryValue?: WireMoney } } };
  promotion?: { breakdowns?: { promotionId?: string }[] };
  cancellation?: WireItemCancellation;
  fulfillment?: WireItemFulfillment;
  tax?: {
    taxCalculationBreakdowns?: { reportingScheme?: string }[];
    taxCollections?: { model?: string; responsibleParty?: string }[];
  };
}

export interface WireMerchantAddress {
  name?: string;
  addressLine1?: string;
  addressLine2?: string;
  addressLine3?: string;
  city?: string;
  districtOrCounty?: string;
  stateOrRegion?: string;
  municipality?: string;
  postalCode?: string;
  countryCode?: string;
}

export interface WireOrderPackage {
  packageReferenceId: string;
  createdTime?: string;
  packageStatus?: { status: 'PENDING' | 'IN_TRANSIT' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED' | 'UNDELIVERABLE'; detailedStatus?: string };
  carrier?: string;
  shipTime?: string;
  shippingService?: string;
  trackingNumber?: string;
  shipFromAddress?: WireMerchantAddress;
  packageItems?: { orderItemId: string; quantity: number; transparencyCodes?: string[] }[];
}

/** One order as the Orders API v2026-01-01 sends it (with every dataset included). */
export interface WireOrder {
  orderId: string;
  orderAliases?: { aliasId: string; aliasType: string }[];
  createdTime: string;
  lastUpdatedTime: string;
  programs?: string[];
  associatedOrders?: { orderId?: string; associationType?: string }[];
  salesChannel: { channelName: string; marketplaceId?: string; marketplaceName?: string };
  buyer?: WireBuyer;
  recipient?: WireRecipient;
  proceeds?: { grandTotal?: WireMoney; breakdowns?: WireProceedsBreakdown[] };
  payment?: { paymentExecutions?: { paymentMethod?: string; paymentAmount?: WireMoney }[] };
  tax?: Record<string, unknown>;
  fulfillment?: WireOrderFulfillment;
  orderItems: WireOrderItem[];
  packages?: WireOrderPackage[];
  fulfillmentOrders?: { fulfillmentOrderId: string }[];
}

/** The datasets a caller can ask for with `includedData` (spec enum, in spec order). */
export const INCLUDED_DATA = [
  'BUYER',
  'RECIPIENT',
  'PROCEEDS',
  'EXPENSE',
  'PROMOTION',
  'CANCELLATION',
  'FULFILLMENT',
  'PACKAGES',
  'TAX',
  'PAYMENT',
  'FULFILLMENT_ORDERS',
] as const;
export type IncludedData = (typeof INCLUDED_DATA)[number];

/**
 * Drops every block the caller did not ask for. The mapping follows the spec's
 * `x-amzn-api-sandbox` examples: e.g. a getOrder with RECIPIENT,PROCEEDS,FULFILLMENT has no
 * `buyer`, and a searchOrders without TAX has no order- or item-level `tax`.
 */
export function projectOrder(order: WireOrder, included: ReadonlySet<IncludedData>): WireOrder {
  const out: WireOrder = structuredClone(order);
  const drop = (flag: IncludedData, remove: () => void): void => {
    if (!included.has(flag)) remove();
  };
  drop('BUYER', () => delete out.buyer);
  drop('RECIPIENT', () => delete out.recipient);
  drop('PROCEEDS', () => delete out.proceeds);
  drop('FULFILLMENT', () => delete out.fulfillment);
  drop('PACKAGES', () => delete out.packages);
  drop('TAX', () => delete out.tax);
  drop('PAYMENT', () => delete out.payment);
  drop('FULFILLMENT_ORDERS', () => delete out.fulfillmentOrders);
  for (const item of out.orderItems) {
    drop('PROCEEDS', () => delete item.proceeds);
    drop('EXPENSE', () => delete item.expense);
    drop('PROMOTION', () => delete item.promotion);
    drop('CANCELLATION', () => delete item.cancellation);
    drop('FULFILLMENT', () => delete item.fulfillment);
    drop('TAX', () => delete item.tax);
  }
  return out;
}
