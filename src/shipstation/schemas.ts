import { z } from 'zod';

/**
 * ShipStation API v1 wire shapes.
 *
 * Source: test/specs/shipstation/shipstation-v1-openapi.ballerina.yaml. The markdown
 * field tables in the operation descriptions are authoritative; the generated component
 * schemas are not (they type `taxAmount` as an integer and `tagIds` as a string, and mark
 * fields required that the examples show as null). So what ShipStation *returns* is parsed
 * leniently (nullish everywhere, unknown keys kept), while what we *send* is strict.
 */

/** ShipStation sends money and numbers sometimes as strings ("2.50") and sometimes as null. */
const looseNumber = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v),
  z.number().nullish(),
);

/** `residential` is a boolean on shipTo, a nullable string on billTo in the spec. */
const looseBoolean = z.preprocess(
  (v) => (v === 'true' ? true : v === 'false' ? false : v === '' ? null : v),
  z.boolean().nullish(),
);

/** Address model (shipTo, billTo, warehouse origin/return addresses). Buyer data: never log. */
export const Address = z.looseObject({
  name: z.string().nullish(),
  company: z.string().nullish(),
  street1: z.string().nullish(),
  street2: z.string().nullish(),
  street3: z.string().nullish(),
  city: z.string().nullish(),
  state: z.string().nullish(),
  postalCode: z.string().nullish(),
  /** Two-letter ISO country code. */
  country: z.string().nullish(),
  phone: z.string().nullish(),
  residential: looseBoolean,
  addressVerified: z.string().nullish(),
});
export type Address = z.infer<typeof Address>;

export const Weight = z.looseObject({
  value: z.number(),
  /** pounds, ounces or grams */
  units: z.string(),
  WeightUnits: z.number().nullish(),
});
export type Weight = z.infer<typeof Weight>;

export const Dimensions = z.looseObject({
  units: z.string(),
  length: z.number(),
  width: z.number(),
  height: z.number(),
});
export type Dimensions = z.infer<typeof Dimensions>;

export const InsuranceOptions = z.looseObject({
  provider: z.string().nullish(),
  insureShipment: z.boolean().nullish(),
  insuredValue: looseNumber,
});
export type InsuranceOptions = z.infer<typeof InsuranceOptions>;

export const CustomsItem = z.looseObject({
  customsItemId: z.number().nullish(),
  description: z.string().nullish(),
  quantity: z.number().nullish(),
  value: looseNumber,
  harmonizedTariffCode: z.string().nullish(),
  countryOfOrigin: z.string().nullish(),
});
export type CustomsItem = z.infer<typeof CustomsItem>;

export const InternationalOptions = z.looseObject({
  contents: z.string().nullish(),
  customsItems: z.array(CustomsItem).nullish(),
  nonDelivery: z.string().nullish(),
});
export type InternationalOptions = z.infer<typeof InternationalOptions>;

export const AdvancedOptions = z.looseObject({
  warehouseId: z.number().nullish(),
  nonMachinable: z.boolean().nullish(),
  saturdayDelivery: z.boolean().nullish(),
  containsAlcohol: z.boolean().nullish(),
  mergedOrSplit: z.boolean().nullish(),
  mergedIds: z.array(z.union([z.string(), z.number()])).nullish(),
  parentId: z.union([z.string(), z.number()]).nullish(),
  storeId: z.number().nullish(),
  customField1: z.string().nullish(),
  customField2: z.string().nullish(),
  customField3: z.string().nullish(),
  source: z.string().nullish(),
  billToParty: z.string().nullish(),
  billToAccount: z.string().nullish(),
  billToPostalCode: z.string().nullish(),
  billToCountryCode: z.string().nullish(),
  billToMyOtherAccount: z.union([z.string(), z.number()]).nullish(),
});
export type AdvancedOptions = z.infer<typeof AdvancedOptions>;

export const ItemOption = z.object({ name: z.string(), value: z.string() });
export type ItemOption = z.infer<typeof ItemOption>;

/** OrderItem as ShipStation returns it. */
export const OrderItem = z.looseObject({
  orderItemId: z.number().nullish(),
  lineItemKey: z.string().nullish(),
  sku: z.string().nullish(),
  name: z.string().nullish(),
  imageUrl: z.string().nullish(),
  weight: Weight.nullish(),
  quantity: z.number().int(),
  unitPrice: looseNumber,
  taxAmount: looseNumber,
  shippingAmount: looseNumber,
  warehouseLocation: z.string().nullish(),
  options: z.array(z.looseObject({ name: z.string().nullish(), value: z.string().nullish() })).nullish(),
  productId: z.number().nullish(),
  fulfillmentSku: z.string().nullish(),
  adjustment: z.boolean().nullish(),
  upc: z.string().nullish(),
  createDate: z.string().nullish(),
  modifyDate: z.string().nullish(),
});
export type OrderItem = z.infer<typeof OrderItem>;

/** Statuses from the `orderStatus` enum of the spec. */
export const OrderStatus = z.enum([
  'awaiting_payment',
  'awaiting_shipment',
  'pending_fulfillment',
  'shipped',
  'on_hold',
  'cancelled',
]);
export type OrderStatus = z.infer<typeof OrderStatus>;

/** Fields createorder takes and GetOrder returns in the same form. */
const SHARED_ORDER_FIELDS = {
  customerNotes: z.string().nullish(),
  internalNotes: z.string().nullish(),
  gift: z.boolean().nullish(),
  giftMessage: z.string().nullish(),
  paymentMethod: z.string().nullish(),
  requestedShippingService: z.string().nullish(),
  carrierCode: z.string().nullish(),
  serviceCode: z.string().nullish(),
  packageCode: z.string().nullish(),
  confirmation: z.string().nullish(),
  shipDate: z.string().nullish(),
  holdUntilDate: z.string().nullish(),
  weight: Weight.nullish(),
  dimensions: Dimensions.nullish(),
  insuranceOptions: InsuranceOptions.nullish(),
  internationalOptions: InternationalOptions.nullish(),
  advancedOptions: AdvancedOptions.nullish(),
  // The generated schema says string; the API and the createorder table say number[].
  tagIds: z.array(z.number()).nullish(),
  userId: z.string().nullish(),
};

/** Order as returned by GET /orders/{orderId}, GET /orders and createorder. */
export const Order = z.looseObject({
  orderId: z.number().int(),
  orderNumber: z.string(),
  orderKey: z.string().nullish(),
  orderDate: z.string().nullish(),
  createDate: z.string().nullish(),
  modifyDate: z.string().nullish(),
  paymentDate: z.string().nullish(),
  shipByDate: z.string().nullish(),
  orderStatus: z.string(),
  customerId: z.number().nullish(),
  customerUsername: z.string().nullish(),
  customerEmail: z.string().nullish(),
  billTo: Address.nullish(),
  shipTo: Address.nullish(),
  items: z.array(OrderItem).nullish(),
  orderTotal: looseNumber,
  amountPaid: looseNumber,
  taxAmount: looseNumber,
  shippingAmount: looseNumber,
  ...SHARED_ORDER_FIELDS,
  externallyFulfilled: z.boolean().nullish(),
  externallyFulfilledBy: z.string().nullish(),
});
export type Order = z.infer<typeof Order>;
/** Alias for code outside src/shipstation, where `Order` means Dockhand's order. */
export const ShipStationOrder = Order;
export type ShipStationOrder = Order;

/** Address we send: `name` is the only field ShipStation requires. */
export const AddressInput = z.object({
  name: z.string().min(1),
  company: z.string().nullish(),
  street1: z.string().nullish(),
  street2: z.string().nullish(),
  street3: z.string().nullish(),
  city: z.string().nullish(),
  state: z.string().nullish(),
  postalCode: z.string().nullish(),
  country: z.string().nullish(),
  phone: z.string().nullish(),
  residential: z.boolean().nullish(),
});
export type AddressInput = z.infer<typeof AddressInput>;

/** OrderItem we send (createorder table → OrderItem model). */
export const OrderItemInput = z.object({
  lineItemKey: z.string().nullish(),
  sku: z.string().nullish(),
  name: z.string().nullish(),
  imageUrl: z.string().nullish(),
  weight: Weight.nullish(),
  quantity: z.number().int().nonnegative(),
  unitPrice: z.number().nullish(),
  taxAmount: z.number().nullish(),
  shippingAmount: z.number().nullish(),
  warehouseLocation: z.string().nullish(),
  options: z.array(ItemOption).nullish(),
  productId: z.number().nullish(),
  fulfillmentSku: z.string().nullish(),
  adjustment: z.boolean().nullish(),
  upc: z.string().nullish(),
});
export type OrderItemInput = z.infer<typeof OrderItemInput>;

/**
 * Body of POST /orders/createorder (and one element of /orders/createorders), per the
 * createorder field table. `holdUntilDate` and `userId` are not in that table but are part of
 * the Order model; they are only ever echoed back from ShipStation's own copy so an update
 * does not silently drop a hold or an assignment that staff made.
 */
export const CreateOrderInput = z.object({
  orderNumber: z.string().min(1),
  orderKey: z.string().min(1).nullish(),
  orderDate: z.string().min(1),
  paymentDate: z.string().nullish(),
  shipByDate: z.string().nullish(),
  orderStatus: z.enum(['awaiting_payment', 'awaiting_shipment', 'shipped', 'on_hold', 'cancelled']),
  customerId: z.number().nullish(),
  customerUsername: z.string().nullish(),
  customerEmail: z.string().nullish(),
  billTo: AddressInput,
  shipTo: AddressInput,
  items: z.array(OrderItemInput).nullish(),
  amountPaid: z.number().nullish(),
  taxAmount: z.number().nullish(),
  shippingAmount: z.number().nullish(),
  ...SHARED_ORDER_FIELDS,
});
export type CreateOrderInput = z.infer<typeof CreateOrderInput>;

export const CreateOrderResult = z.looseObject({
  orderId: z.number().nullish(),
  orderNumber: z.string().nullish(),
  orderKey: z.string().nullish(),
  success: z.boolean(),
  errorMessage: z.string().nullish(),
});
export type CreateOrderResult = z.infer<typeof CreateOrderResult>;

/** Response of POST /orders/createorders: one result per order sent, in order. */
export const CreateOrdersResult = z.looseObject({
  hasErrors: z.boolean(),
  results: z.array(CreateOrderResult),
});
export type CreateOrdersResult = z.infer<typeof CreateOrdersResult>;

/** The paging every v1 list answer carries next to its rows. */
const Paging = {
  total: z.number().int(),
  page: z.number().int(),
  pages: z.number().int(),
};

export const ListOrdersResponse = z.looseObject({
  orders: z.array(Order),
  ...Paging,
});
export type ListOrdersResponse = z.infer<typeof ListOrdersResponse>;

export const Store = z.looseObject({
  storeId: z.number().int(),
  storeName: z.string(),
  marketplaceId: z.number().nullish(),
  marketplaceName: z.string().nullish(),
  accountName: z.string().nullish(),
  email: z.string().nullish(),
  integrationUrl: z.string().nullish(),
  active: z.boolean().nullish(),
  companyName: z.string().nullish(),
  phone: z.string().nullish(),
  publicEmail: z.string().nullish(),
  website: z.string().nullish(),
  refreshDate: z.string().nullish(),
  lastRefreshAttempt: z.string().nullish(),
  createDate: z.string().nullish(),
  modifyDate: z.string().nullish(),
  autoRefresh: z.boolean().nullish(),
});
export type Store = z.infer<typeof Store>;

export const Tag = z.looseObject({
  tagId: z.number().int(),
  name: z.string(),
  color: z.string().nullish(),
});
export type Tag = z.infer<typeof Tag>;

export const Warehouse = z.looseObject({
  warehouseId: z.number().int(),
  warehouseName: z.string(),
  originAddress: Address.nullish(),
  returnAddress: Address.nullish(),
  createDate: z.string().nullish(),
  isDefault: z.boolean().nullish(),
});
export type Warehouse = z.infer<typeof Warehouse>;

/** Response of holduntil, addtag and the other `{success, message}` order actions. */
export const SuccessMessage = z.looseObject({
  success: z.boolean(),
  message: z.string().nullish(),
});
export type SuccessMessage = z.infer<typeof SuccessMessage>;

// ------------------------------------------------------------------ shipments, fulfillments, webhooks
//
// These feed tracking writeback, so the fields Dockhand reads (ids, orderNumber, dates, carrier,
// tracking, voided) are strict where the spec shows them non-null: a shape change must stop the
// writeback loudly, not confirm a package on Amazon with a blank tracking number. Fields the spec
// shows as null, and informational fields Dockhand never reads, stay lenient so ShipStation
// leaving them out cannot block a confirmation.

/** ShipmentItem: the OrderItem model as GET /shipments returns it (options and weight may be null). */
export const ShipmentItem = OrderItem;
export type ShipmentItem = z.infer<typeof ShipmentItem>;

/** Shipment (a label created in ShipStation), per the ListShipments example and Shipment model. */
export const Shipment = z.looseObject({
  shipmentId: z.number().int(),
  orderId: z.number().int(),
  /** Absent from the second shipment of the spec example. */
  orderKey: z.string().nullish(),
  userId: z.string().nullish(),
  customerEmail: z.string().nullish(),
  orderNumber: z.string(),
  /** Pacific wall time without offset, e.g. `2014-10-03T06:51:33.627` or `10/3/2014 6:51:33 AM`. */
  createDate: z.string(),
  /** A calendar day, `2014-10-03`. */
  shipDate: z.string(),
  shipmentCost: looseNumber,
  insuranceCost: looseNumber,
  trackingNumber: z.string(),
  isReturnLabel: z.boolean(),
  batchNumber: z.string().nullish(),
  carrierCode: z.string(),
  serviceCode: z.string().nullish(),
  packageCode: z.string().nullish(),
  confirmation: z.string().nullish(),
  warehouseId: z.number().nullish(),
  voided: z.boolean(),
  voidDate: z.string().nullish(),
  marketplaceNotified: z.boolean().nullish(),
  notifyErrorMessage: z.string().nullish(),
  shipTo: Address.nullish(),
  weight: Weight.nullish(),
  dimensions: Dimensions.nullish(),
  insuranceOptions: InsuranceOptions.nullish(),
  advancedOptions: AdvancedOptions.nullish(),
  /** null unless the list was asked for with `includeShipmentItems=true`. */
  shipmentItems: z.array(ShipmentItem).nullable(),
  labelData: z.string().nullish(),
  formData: z.string().nullish(),
});
export type Shipment = z.infer<typeof Shipment>;

export const ListShipmentsResponse = z.looseObject({
  shipments: z.array(Shipment),
  ...Paging,
});
export type ListShipmentsResponse = z.infer<typeof ListShipmentsResponse>;

/** Fulfillment (an order marked shipped without a ShipStation label), per the ListFulfillments example. */
export const Fulfillment = z.looseObject({
  fulfillmentId: z.number().int(),
  orderId: z.number().int(),
  orderNumber: z.string(),
  userId: z.string().nullish(),
  customerEmail: z.string().nullish(),
  /** markasshipped takes trackingNumber as optional, so a fulfillment may have none. */
  trackingNumber: z.string().nullish(),
  createDate: z.string(),
  /** `2016-06-07T00:00:00` or `6/7/2016 12:00:00 AM`: a day at Pacific midnight. */
  shipDate: z.string(),
  voidDate: z.string().nullish(),
  deliveryDate: z.string().nullish(),
  carrierCode: z.string(),
  fulfillmentProviderCode: z.string().nullish(),
  fulfillmentServiceCode: z.string().nullish(),
  fulfillmentFee: looseNumber,
  voidRequested: z.boolean().nullish(),
  voided: z.boolean(),
  marketplaceNotified: z.boolean().nullish(),
  notifyErrorMessage: z.string().nullish(),
  shipTo: Address.nullish(),
});
export type Fulfillment = z.infer<typeof Fulfillment>;

export const ListFulfillmentsResponse = z.looseObject({
  fulfillments: z.array(Fulfillment),
  ...Paging,
});
export type ListFulfillmentsResponse = z.infer<typeof ListFulfillmentsResponse>;

/** One subscription from GET /webhooks (ShipStation spells these fields in PascalCase). */
export const Webhook = z.looseObject({
  IsLabelAPIHook: z.boolean().nullish(),
  WebHookID: z.number().int(),
  SellerID: z.number().nullish(),
  /** null for a hook that fires for every store (subscribe's store_id is optional). */
  StoreID: z.number().nullish(),
  HookType: z.string(),
  MessageFormat: z.string().nullish(),
  Url: z.string(),
  Name: z.string().nullish(),
  BulkCopyBatchID: z.unknown().optional(),
  BulkCopyRecordID: z.unknown().optional(),
  Active: z.boolean(),
  WebhookLogs: z.array(z.unknown()).nullish(),
  Seller: z.unknown().optional(),
  Store: z.unknown().optional(),
});
export type Webhook = z.infer<typeof Webhook>;

export const ListWebhooksResponse = z.looseObject({ webhooks: z.array(Webhook) });
export type ListWebhooksResponse = z.infer<typeof ListWebhooksResponse>;

export const SubscribeWebhookResult = z.looseObject({ id: z.number().int() });
export type SubscribeWebhookResult = z.infer<typeof SubscribeWebhookResult>;

export const VoidLabelResult = z.looseObject({ approved: z.boolean(), message: z.string().nullish() });
export type VoidLabelResult = z.infer<typeof VoidLabelResult>;

export const MarkAsShippedResult = z.looseObject({ orderId: z.number().int(), orderNumber: z.string() });
export type MarkAsShippedResult = z.infer<typeof MarkAsShippedResult>;

/** Response of POST /orders/createlabelfororder; labelData is a base64 PDF. */
export const CreateLabelResult = z.looseObject({
  shipmentId: z.number().int(),
  shipmentCost: looseNumber,
  insuranceCost: looseNumber,
  trackingNumber: z.string(),
  labelData: z.string().nullish(),
  formData: z.string().nullish(),
});
export type CreateLabelResult = z.infer<typeof CreateLabelResult>;

/** Body of POST /orders/markasshipped, per its field table. */
export const MarkAsShippedInput = z.object({
  orderId: z.number().int(),
  carrierCode: z.string().min(1),
  /** `YYYY-MM-DD` (Pacific day). */
  shipDate: z.string().optional(),
  trackingNumber: z.string().optional(),
  notifyCustomer: z.boolean().optional(),
  notifySalesChannel: z.boolean().optional(),
});
export type MarkAsShippedInput = z.infer<typeof MarkAsShippedInput>;

/** Body of POST /orders/createlabelfororder, per its field table. */
export const CreateLabelForOrderInput = z.object({
  orderId: z.number().int(),
  carrierCode: z.string().min(1),
  serviceCode: z.string().min(1),
  packageCode: z.string().nullish(),
  confirmation: z.enum(['none', 'delivery', 'signature', 'adult_signature', 'direct_signature']).nullish(),
  /** `YYYY-MM-DD` (Pacific day). */
  shipDate: z.string(),
  weight: Weight.nullish(),
  dimensions: Dimensions.nullish(),
  insuranceOptions: InsuranceOptions.nullish(),
  internationalOptions: InternationalOptions.nullish(),
  advancedOptions: AdvancedOptions.nullish(),
  testLabel: z.boolean(),
});
export type CreateLabelForOrderInput = z.infer<typeof CreateLabelForOrderInput>;

/** Events POST /webhooks/subscribe accepts (subscribe table). */
export const WebhookEvent = z.enum(['ORDER_NOTIFY', 'ITEM_ORDER_NOTIFY', 'SHIP_NOTIFY', 'ITEM_SHIP_NOTIFY']);
export type WebhookEvent = z.infer<typeof WebhookEvent>;

/** Body of POST /shipments/getrates, per its field table (one carrier per call). */
export const GetRatesInput = z.object({
  carrierCode: z.string().min(1),
  serviceCode: z.string().nullish(),
  packageCode: z.string().nullish(),
  fromPostalCode: z.string().min(1),
  toState: z.string().nullish(),
  toCountry: z.string().length(2),
  toPostalCode: z.string().min(1),
  toCity: z.string().nullish(),
  weight: Weight,
  dimensions: Dimensions.nullish(),
  confirmation: z.enum(['none', 'delivery', 'signature', 'adult_signature', 'direct_signature']).nullish(),
  residential: z.boolean().nullish(),
});
export type GetRatesInput = z.infer<typeof GetRatesInput>;

/** One answer row of getrates: no transit time in v1. Cost is shipmentCost + otherCost. */
export const Rate = z.looseObject({
  serviceName: z.string(),
  serviceCode: z.string(),
  shipmentCost: z.number(),
  otherCost: z.number(),
});
export type Rate = z.infer<typeof Rate>;

/** A product as GET /products lists it (weightOz and dimensions are what the rules read). */
export const Product = z.looseObject({
  productId: z.number().int(),
  sku: z.string(),
  name: z.string().nullish(),
  length: looseNumber,
  width: looseNumber,
  height: looseNumber,
  weightOz: looseNumber,
  active: z.boolean().nullish(),
  productCategory: z.looseObject({ categoryId: z.number().nullish(), name: z.string().nullish() }).nullish(),
});
export type Product = z.infer<typeof Product>;

export const ListProductsResponse = z.looseObject({
  products: z.array(Product),
  total: z.number().int(),
  page: z.number().int(),
  pages: z.number().int(),
});
export type ListProductsResponse = z.infer<typeof ListProductsResponse>;
