import { z } from 'zod';

/**
 * A shipped package as Dockhand sees it, whichever way ShipStation reported it: a label
 * created in ShipStation (`GET /shipments`) or an order marked shipped without a ShipStation
 * label (`GET /fulfillments`). ShipStation's wire shapes stay inside src/shipstation.
 */
export const LabelItem = z.object({
  /** Our createorder sets lineItemKey = Amazon's OrderItemId. Absent on items staff added by hand. */
  lineItemKey: z.string().optional(),
  sku: z.string().optional(),
  quantity: z.number().int().nonnegative(),
});
export type LabelItem = z.infer<typeof LabelItem>;

export const Label = z.object({
  /** `shipment:<shipmentId>` or `fulfillment:<fulfillmentId>`: the exactly-once key. */
  id: z.string().min(1),
  source: z.enum(['shipment', 'fulfillment']),
  /** ShipStation's shipmentId or fulfillmentId: positive and numeric, so it is also Amazon's packageReferenceId. */
  numericId: z.number().int().positive(),
  /** ShipStation orderId. */
  orderId: z.number().int(),
  orderNumber: z.string(),
  /** Dockhand's orderKey (see sync/map-order orderKeyFor) for orders Dockhand created; other values or none otherwise. */
  orderKey: z.string().optional(),
  storeId: z.number().int().optional(),
  /** When the label was created, as an ISO 8601 instant (UTC). */
  createdAt: z.string(),
  /** The ship date chosen in ShipStation, a calendar day `YYYY-MM-DD`. */
  shipDate: z.string(),
  /** ShipStation carrier code (`stamps_com`, `ups_walleted`, ...) or, for fulfillments, what staff typed. */
  carrierCode: z.string(),
  serviceCode: z.string().optional(),
  trackingNumber: z.string(),
  /** What the label cost: ShipStation's shipmentCost plus insuranceCost (fulfillments have none). */
  cost: z.number().optional(),
  /** The ShipStation warehouse (Ship From) it left from. */
  warehouseId: z.string().optional(),
  voided: z.boolean(),
  voidedAt: z.string().optional(),
  /** A return label (ShipStation's "include return label"): coming back, so never confirmed as shipped. */
  isReturn: z.boolean().optional(),
  /** Items in this package; undefined when ShipStation did not say (fulfillments: the whole order). */
  items: z.array(LabelItem).optional(),
});
export type Label = z.infer<typeof Label>;
