import { z } from 'zod';

/**
 * Wire shapes of the Orders API v2026-01-01 that Dockhand reads
 * (test/specs/amazon/orders_2026-01-01.json, `definitions`).
 *
 * Fields we use are typed as the spec says; fields we don't use are simply not listed, so zod
 * strips them instead of failing on them. Optional blocks accept `null` as well as absence:
 * the spec never sends null, but one stray null must not make us drop an order we can ship.
 * These shapes stay inside src/amazon; the rest of Dockhand sees `Order` from src/domain.
 */

/** Amazon's `Decimal` is a string ("12.34") so no precision is lost; we parse it in to-order. */
export const AmazonMoney = z.object({
  amount: z.string(),
  currencyCode: z.string(),
});
export type AmazonMoney = z.infer<typeof AmazonMoney>;

export const AmazonDateTimeRange = z.object({
  earliestDateTime: z.string().nullish(),
  latestDateTime: z.string().nullish(),
});
export type AmazonDateTimeRange = z.infer<typeof AmazonDateTimeRange>;

export const AmazonFulfillmentStatus = z.enum([
  'PENDING_AVAILABILITY',
  'PENDING',
  'UNSHIPPED',
  'PARTIALLY_SHIPPED',
  'SHIPPED',
  'CANCELLED',
  'UNFULFILLABLE',
]);
export type AmazonFulfillmentStatus = z.infer<typeof AmazonFulfillmentStatus>;

export const AmazonSalesChannel = z.object({
  channelName: z.string(),
  marketplaceId: z.string().nullish(),
  marketplaceName: z.string().nullish(),
});
export type AmazonSalesChannel = z.infer<typeof AmazonSalesChannel>;

/** Present only with includedData=BUYER. PII: never log. */
export const AmazonBuyer = z.object({
  buyerName: z.string().nullish(),
  buyerEmail: z.string().nullish(),
  buyerCompanyName: z.string().nullish(),
  buyerPurchaseOrderNumber: z.string().nullish(),
});
export type AmazonBuyer = z.infer<typeof AmazonBuyer>;

/** PII: never log. `addressType` is RESIDENTIAL, COMMERCIAL or PICKUP_POINT per the spec. */
export const AmazonCustomerAddress = z.object({
  name: z.string().nullish(),
  companyName: z.string().nullish(),
  addressLine1: z.string().nullish(),
  addressLine2: z.string().nullish(),
  addressLine3: z.string().nullish(),
  city: z.string().nullish(),
  districtOrCounty: z.string().nullish(),
  stateOrRegion: z.string().nullish(),
  municipality: z.string().nullish(),
  postalCode: z.string().nullish(),
  countryCode: z.string().nullish(),
  phone: z.string().nullish(),
  addressType: z.string().nullish(),
});
export type AmazonCustomerAddress = z.infer<typeof AmazonCustomerAddress>;

/** Present only with includedData=RECIPIENT. */
export const AmazonRecipient = z.object({
  deliveryAddress: AmazonCustomerAddress.nullish(),
});
export type AmazonRecipient = z.infer<typeof AmazonRecipient>;

/** `type` is ITEM, SHIPPING, GIFT_WRAP, COD_FEE, TAX, DISCOUNT, DELIVERY_TIP or OTHER. */
export const AmazonOrderProceedsBreakdown = z.object({
  type: z.string(),
  status: z.string().nullish(),
  subtotal: AmazonMoney,
});
export type AmazonOrderProceedsBreakdown = z.infer<typeof AmazonOrderProceedsBreakdown>;

/** Present only with includedData=PROCEEDS. */
export const AmazonOrderProceeds = z.object({
  grandTotal: AmazonMoney.nullish(),
  breakdowns: z.array(AmazonOrderProceedsBreakdown).nullish(),
});
export type AmazonOrderProceeds = z.infer<typeof AmazonOrderProceeds>;

/** Present only with includedData=FULFILLMENT. */
export const AmazonOrderFulfillment = z.object({
  fulfillmentStatus: AmazonFulfillmentStatus,
  fulfilledBy: z.enum(['MERCHANT', 'AMAZON']).nullish(),
  fulfillmentServiceLevel: z.string().nullish(),
  shipByWindow: AmazonDateTimeRange.nullish(),
  deliverByWindow: AmazonDateTimeRange.nullish(),
});
export type AmazonOrderFulfillment = z.infer<typeof AmazonOrderFulfillment>;

export const AmazonItemPrice = z.object({
  unitPrice: AmazonMoney.nullish(),
});
export type AmazonItemPrice = z.infer<typeof AmazonItemPrice>;

export const AmazonItemProduct = z.object({
  asin: z.string().nullish(),
  title: z.string().nullish(),
  sellerSku: z.string().nullish(),
  price: AmazonItemPrice.nullish(),
});
export type AmazonItemProduct = z.infer<typeof AmazonItemProduct>;

export const AmazonItemProceedsBreakdown = z.object({
  type: z.string(),
  subtotal: AmazonMoney,
});
export type AmazonItemProceedsBreakdown = z.infer<typeof AmazonItemProceedsBreakdown>;

export const AmazonItemProceeds = z.object({
  proceedsTotal: AmazonMoney.nullish(),
  breakdowns: z.array(AmazonItemProceedsBreakdown).nullish(),
});
export type AmazonItemProceeds = z.infer<typeof AmazonItemProceeds>;

export const AmazonItemCancellationRequest = z.object({
  requester: z.string().nullish(),
  cancelReason: z.string().nullish(),
});
export type AmazonItemCancellationRequest = z.infer<typeof AmazonItemCancellationRequest>;

/** Present only with includedData=CANCELLATION. */
export const AmazonItemCancellation = z.object({
  cancellationRequest: AmazonItemCancellationRequest.nullish(),
});
export type AmazonItemCancellation = z.infer<typeof AmazonItemCancellation>;

export const AmazonGiftOption = z.object({
  giftMessage: z.string().nullish(),
  giftWrapLevel: z.string().nullish(),
});
export type AmazonGiftOption = z.infer<typeof AmazonGiftOption>;

export const AmazonItemPacking = z.object({
  giftOption: AmazonGiftOption.nullish(),
});
export type AmazonItemPacking = z.infer<typeof AmazonItemPacking>;

export const AmazonItemFulfillment = z.object({
  quantityFulfilled: z.number().int().nullish(),
  quantityUnfulfilled: z.number().int().nullish(),
  packing: AmazonItemPacking.nullish(),
});
export type AmazonItemFulfillment = z.infer<typeof AmazonItemFulfillment>;

export const AmazonOrderItem = z.object({
  orderItemId: z.string().min(1),
  quantityOrdered: z.number().int(),
  product: AmazonItemProduct,
  proceeds: AmazonItemProceeds.nullish(),
  cancellation: AmazonItemCancellation.nullish(),
  fulfillment: AmazonItemFulfillment.nullish(),
});
export type AmazonOrderItem = z.infer<typeof AmazonOrderItem>;

/**
 * `status` is PENDING, IN_TRANSIT, SHIPPED, DELIVERED, CANCELLED or UNDELIVERABLE per the spec, read
 * as a plain string: a status Amazon adds later must not make us drop an order we can ship.
 */
export const AmazonPackageStatus = z.object({
  status: z.string(),
  detailedStatus: z.string().nullish(),
});
export type AmazonPackageStatus = z.infer<typeof AmazonPackageStatus>;

export const AmazonPackageItem = z.object({
  orderItemId: z.string().min(1),
  quantity: z.number().int(),
  transparencyCodes: z.array(z.string()).nullish(),
});
export type AmazonPackageItem = z.infer<typeof AmazonPackageItem>;

/**
 * Present only with includedData=PACKAGES, and only for merchant-fulfilled orders. Times are
 * kept as sent: nothing keys on them, and a bad one must not cost us the order.
 */
export const AmazonOrderPackage = z.object({
  packageReferenceId: z.string(),
  createdTime: z.string().nullish(),
  packageStatus: AmazonPackageStatus.nullish(),
  carrier: z.string().nullish(),
  shipTime: z.string().nullish(),
  shippingService: z.string().nullish(),
  trackingNumber: z.string().nullish(),
  packageItems: z.array(AmazonPackageItem).nullish(),
});
export type AmazonOrderPackage = z.infer<typeof AmazonOrderPackage>;

/**
 * One order as searchOrders/getOrder return it. `createdTime` and `lastUpdatedTime` feed our
 * sync cursors and idempotency keys, so they must be real ISO 8601 instants.
 */
export const AmazonOrder = z.object({
  orderId: z.string().min(1),
  createdTime: z.iso.datetime({ offset: true }),
  lastUpdatedTime: z.iso.datetime({ offset: true }),
  programs: z.array(z.string()).nullish(),
  salesChannel: AmazonSalesChannel,
  buyer: AmazonBuyer.nullish(),
  recipient: AmazonRecipient.nullish(),
  proceeds: AmazonOrderProceeds.nullish(),
  fulfillment: AmazonOrderFulfillment.nullish(),
  orderItems: z.array(AmazonOrderItem),
  packages: z.array(AmazonOrderPackage).nullish(),
});
export type AmazonOrder = z.infer<typeof AmazonOrder>;

export const AmazonPagination = z.object({
  nextToken: z.string().nullish(),
});
export type AmazonPagination = z.infer<typeof AmazonPagination>;

/** searchOrders 200 body with every order fully validated. */
export const SearchOrdersResponse = z.object({
  orders: z.array(AmazonOrder),
  pagination: AmazonPagination.nullish(),
  lastUpdatedBefore: z.string().nullish(),
  createdBefore: z.string().nullish(),
});
export type SearchOrdersResponse = z.infer<typeof SearchOrdersResponse>;

/** A raw order: any JSON object. Orders are validated one by one so one bad order never sinks a page. */
export const RawAmazonOrder = z.record(z.string(), z.unknown());
export type RawAmazonOrder = z.infer<typeof RawAmazonOrder>;

/** searchOrders 200 body as the client reads it: the envelope is checked, each order is not yet. */
export const SearchOrdersEnvelope = SearchOrdersResponse.extend({
  orders: z.array(RawAmazonOrder),
});
export type SearchOrdersEnvelope = z.infer<typeof SearchOrdersEnvelope>;

/** getOrder 200 body with the order fully validated. */
export const GetOrderResponse = z.object({
  order: AmazonOrder,
});
export type GetOrderResponse = z.infer<typeof GetOrderResponse>;

/** getOrder 200 body as the client reads it. */
export const GetOrderEnvelope = z.object({
  order: RawAmazonOrder,
});
export type GetOrderEnvelope = z.infer<typeof GetOrderEnvelope>;

export const AmazonError = z.object({
  code: z.string(),
  message: z.string(),
  details: z.string().nullish(),
});
export type AmazonError = z.infer<typeof AmazonError>;

/** Body of every SP-API 4xx/5xx. */
export const AmazonErrorList = z.object({
  errors: z.array(AmazonError),
});
export type AmazonErrorList = z.infer<typeof AmazonErrorList>;

/*
 * The body of Orders v0 `confirmShipment` (POST /orders/v0/orders/{orderId}/shipmentConfirmation),
 * from ordersV0.json definitions ConfirmShipmentRequest, PackageDetail, ConfirmShipmentOrderItem.
 * The spec's own rules are enforced too, and the client checks every body before sending, so a
 * bad tracking row fails here, naming the field, not as Amazon's generic 400 "Invalid Input".
 */
export const ConfirmShipmentOrderItem = z.object({
  orderItemId: z.string().min(1),
  /** Spec: integer. Zero confirms nothing, so Dockhand never sends it. */
  quantity: z.number().int().positive(),
  transparencyCodes: z.array(z.string()).optional(),
});
export type ConfirmShipmentOrderItem = z.infer<typeof ConfirmShipmentOrderItem>;

export const PackageDetail = z
  .object({
    /** Spec: "Only positive numeric values are supported", unique within the order. */
    packageReferenceId: z.string().regex(/^[1-9]\d*$/),
    carrierCode: z.string().min(1),
    /** Spec: required when carrierCode is "Other". */
    carrierName: z.string().min(1).optional(),
    shippingMethod: z.string().min(1).optional(),
    trackingNumber: z.string().min(1),
    /** Spec: ISO 8601 date-time; Dockhand sends the seller's local time with its offset. */
    shipDate: z.iso.datetime({ offset: true }),
    shipFromSupplySourceId: z.string().optional(),
    orderItems: z.array(ConfirmShipmentOrderItem).min(1),
  })
  .refine((p) => p.carrierCode !== 'Other' || p.carrierName !== undefined, {
    message: 'carrierName is required when carrierCode is "Other"',
    path: ['carrierName'],
  });
export type PackageDetail = z.infer<typeof PackageDetail>;

export const ConfirmShipmentRequest = z.object({
  marketplaceId: z.string().min(1),
  packageDetail: PackageDetail,
  /** Spec: JP marketplace only. */
  codCollectionMethod: z.enum(['DirectPayment']).optional(),
});
export type ConfirmShipmentRequest = z.infer<typeof ConfirmShipmentRequest>;
