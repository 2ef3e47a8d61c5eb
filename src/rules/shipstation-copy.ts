import type { CreateOrderInput, OrderItemInput, ShipStationOrder } from '../shipstation/schemas';

/**
 * v1 has no partial update: changing one field (the service, the warehouse) means sending the
 * whole order again. This is ShipStation's copy as the createorder body it round-trips to, which
 * mergeForUpdate then keeps staff's changes in. Pure.
 */
/** A ShipStation order as the createorder body it round-trips to (what mergeForUpdate starts from). */
export function asInput(o: ShipStationOrder): CreateOrderInput {
  const n = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);
  const status = (['awaiting_payment', 'awaiting_shipment', 'shipped', 'on_hold', 'cancelled'] as const).find((s) => s === o.orderStatus) ?? 'awaiting_shipment';
  const items: OrderItemInput[] = (o.items ?? []).map((i) => ({
    lineItemKey: n(i.lineItemKey),
    sku: n(i.sku),
    name: n(i.name),
    quantity: i.quantity,
    unitPrice: n(i.unitPrice),
    taxAmount: n(i.taxAmount),
    shippingAmount: n(i.shippingAmount),
    options: i.options?.filter((x): x is { name: string; value: string } => typeof x.name === 'string' && typeof x.value === 'string'),
  }));
  const adv = o.advancedOptions ?? {};
  return {
    orderNumber: o.orderNumber,
    orderKey: n(o.orderKey),
    orderDate: o.orderDate ?? o.createDate ?? '',
    paymentDate: n(o.paymentDate),
    shipByDate: n(o.shipByDate),
    orderStatus: status,
    customerUsername: n(o.customerUsername),
    customerEmail: n(o.customerEmail),
    billTo: { name: o.billTo?.name ?? 'Amazon Customer' },
    shipTo: { name: o.shipTo?.name ?? 'Amazon Customer' },
    items,
    amountPaid: n(o.amountPaid),
    taxAmount: n(o.taxAmount),
    shippingAmount: n(o.shippingAmount),
    internalNotes: n(o.internalNotes),
    gift: n(o.gift),
    giftMessage: n(o.giftMessage),
    requestedShippingService: n(o.requestedShippingService),
    advancedOptions: { storeId: n(adv.storeId), customField1: n(adv.customField1), customField2: n(adv.customField2), customField3: n(adv.customField3), source: n(adv.source) },
  };
}

