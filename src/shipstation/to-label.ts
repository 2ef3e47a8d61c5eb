import { DockhandError } from '../domain/errors';
import { Label, type LabelItem } from '../domain/label';
import { fromShipStationDate, fromShipStationDay } from './dates';
import type { Fulfillment, Shipment } from './schemas';

/**
 * ShipStation's two ways of saying "this order shipped" turned into Dockhand's `Label`.
 * Pure: no I/O, no clock. ShipStation dates are Pacific wall time without an offset; `Label`
 * carries UTC instants for createdAt/voidedAt and the plain calendar day for shipDate.
 */

function checked(label: Label, what: string): Label {
  const parsed = Label.safeParse(label);
  if (!parsed.success) {
    const where = parsed.error.issues.slice(0, 5).map((i) => i.path.join('.') || '(root)').join(', ');
    throw new DockhandError('shipstation.unparseable', `ShipStation ${what} cannot be read as a label (${where})`, {
      cause: parsed.error,
      hint: 'ShipStation sent a shipment Dockhand cannot use; report this with the log line.',
    });
  }
  return parsed.data;
}

const defined = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

/**
 * A label created in ShipStation (GET /shipments). `items` is undefined when the shipment was
 * listed without `includeShipmentItems=true` (shipmentItems null), since then ShipStation did
 * not say what is in the box.
 * @throws DockhandError `shipstation.unparseable` for dates or ids Dockhand cannot read.
 */
export function shipmentToLabel(s: Shipment): Label {
  const items: LabelItem[] | undefined = s.shipmentItems?.map((i) => ({
    ...(i.lineItemKey ? { lineItemKey: i.lineItemKey } : {}),
    ...(i.sku ? { sku: i.sku } : {}),
    quantity: i.quantity,
  }));
  const storeId = defined(s.advancedOptions?.storeId);
  return checked(
    {
      id: `shipment:${s.shipmentId}`,
      source: 'shipment',
      numericId: s.shipmentId,
      orderId: s.orderId,
      orderNumber: s.orderNumber,
      ...(s.orderKey ? { orderKey: s.orderKey } : {}),
      ...(storeId !== undefined ? { storeId } : {}),
      createdAt: fromShipStationDate(s.createDate),
      shipDate: fromShipStationDay(s.shipDate),
      carrierCode: s.carrierCode,
      ...(s.serviceCode ? { serviceCode: s.serviceCode } : {}),
      trackingNumber: s.trackingNumber,
      ...(typeof s.shipmentCost === 'number' ? { cost: Math.round((s.shipmentCost + (s.insuranceCost ?? 0)) * 100) / 100 } : {}),
      ...(typeof s.warehouseId === 'number' ? { warehouseId: String(s.warehouseId) } : {}),
      voided: s.voided,
      ...(s.isReturnLabel ? { isReturn: true } : {}),
      ...(s.voidDate ? { voidedAt: fromShipStationDate(s.voidDate) } : {}),
      ...(items ? { items } : {}),
    },
    `shipment ${s.shipmentId}`,
  );
}

/**
 * An order marked shipped without a ShipStation label (GET /fulfillments). A fulfillment
 * covers the whole order and names no items, so `items` is undefined; a fulfillment marked
 * shipped without a tracking number gets `trackingNumber: ''` for the caller to refuse.
 * @throws DockhandError `shipstation.unparseable` for dates or ids Dockhand cannot read.
 */
export function fulfillmentToLabel(f: Fulfillment): Label {
  return checked(
    {
      id: `fulfillment:${f.fulfillmentId}`,
      source: 'fulfillment',
      numericId: f.fulfillmentId,
      orderId: f.orderId,
      orderNumber: f.orderNumber,
      createdAt: fromShipStationDate(f.createDate),
      shipDate: fromShipStationDay(f.shipDate),
      carrierCode: f.carrierCode,
      trackingNumber: f.trackingNumber ?? '',
      voided: f.voided,
      ...(f.voidDate ? { voidedAt: fromShipStationDate(f.voidDate) } : {}),
    },
    `fulfillment ${f.fulfillmentId}`,
  );
}
