import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Fulfillment, ListFulfillmentsResponse, ListShipmentsResponse, Shipment } from '../../src/shipstation/schemas';
import { fulfillmentToLabel, shipmentToLabel } from '../../src/shipstation/to-label';
import { readSpec } from '../support/specs';

// Read as plain data: only the two response examples are used.
const spec = parse(readSpec('shipstation/shipstation-v1-openapi.ballerina.yaml')) as any;
const example = (path: string) => spec.paths[path].get.responses['200'].content['application/json'].example as unknown;

function shipment(patch: Record<string, unknown> = {}): Shipment {
  return Shipment.parse({
    shipmentId: 520000001,
    orderId: 410000001,
    orderKey: 'dockhand:us-main:113-0000000-0000001',
    userId: null,
    orderNumber: '113-0000000-0000001',
    createDate: '2026-11-28T09:15:00.627',
    shipDate: '2026-11-28',
    shipmentCost: 7.3,
    insuranceCost: 0,
    trackingNumber: '9400111000520000001000',
    isReturnLabel: false,
    batchNumber: '100301',
    carrierCode: 'stamps_com',
    serviceCode: 'usps_priority_mail',
    packageCode: 'package',
    confirmation: 'none',
    warehouseId: 200001,
    voided: false,
    voidDate: null,
    marketplaceNotified: false,
    notifyErrorMessage: null,
    shipTo: null,
    weight: { value: 10, units: 'ounces' },
    dimensions: null,
    insuranceOptions: null,
    advancedOptions: { storeId: 100001 },
    shipmentItems: [{ orderItemId: 1, lineItemKey: '10101', sku: 'MUG-BLUE', name: 'Mug', quantity: 2, unitPrice: 12 }],
    labelData: null,
    formData: null,
    ...patch,
  });
}

function fulfillment(patch: Record<string, unknown> = {}): Fulfillment {
  return Fulfillment.parse({
    fulfillmentId: 530000001,
    orderId: 410000001,
    orderNumber: '113-0000000-0000001',
    userId: null,
    customerEmail: null,
    trackingNumber: '1Z999AA10123456784',
    createDate: '2026-07-04T12:00:00',
    shipDate: '2026-07-04T00:00:00',
    voidDate: null,
    deliveryDate: null,
    carrierCode: 'ups',
    fulfillmentProviderCode: null,
    fulfillmentServiceCode: null,
    fulfillmentFee: 0,
    voidRequested: false,
    voided: false,
    marketplaceNotified: false,
    notifyErrorMessage: null,
    shipTo: null,
    ...patch,
  });
}

describe('shipmentToLabel', () => {
  it('maps a whole shipment', () => {
    expect(shipmentToLabel(shipment())).toEqual({
      id: 'shipment:520000001',
      source: 'shipment',
      numericId: 520000001,
      orderId: 410000001,
      orderNumber: '113-0000000-0000001',
      orderKey: 'dockhand:us-main:113-0000000-0000001',
      storeId: 100001,
      createdAt: '2026-11-28T17:15:00.627Z',
      shipDate: '2026-11-28',
      carrierCode: 'stamps_com',
      serviceCode: 'usps_priority_mail',
      trackingNumber: '9400111000520000001000',
      cost: 7.3,
      warehouseId: '200001',
      voided: false,
      items: [{ lineItemKey: '10101', sku: 'MUG-BLUE', quantity: 2 }],
    });
  });

  it.each([
    ['winter createDate (PST, UTC-8)', { createDate: '2026-01-15T12:00:00' }, { createdAt: '2026-01-15T20:00:00.000Z' }],
    ['summer createDate (PDT, UTC-7)', { createDate: '2026-07-04T12:00:00.0000000' }, { createdAt: '2026-07-04T19:00:00.000Z' }],
    ['createDate in the repeated fall-back hour takes the first pass', { createDate: '2026-11-01T01:30:00' }, { createdAt: '2026-11-01T08:30:00.000Z' }],
    ['createDate late in the Pacific evening is the next UTC day', { createDate: '2026-12-31T23:30:00' }, { createdAt: '2027-01-01T07:30:00.000Z' }],
    ['createDate in the .NET US form of the Shipment model', { createDate: '10/3/2014 6:51:33 AM' }, { createdAt: '2014-10-03T13:51:33.000Z' }],
    ['shipDate stays the Pacific calendar day', { createDate: '2026-12-31T23:30:00', shipDate: '2026-12-31' }, { shipDate: '2026-12-31' }],
    ['a voided label carries when', { voided: true, voidDate: '2026-11-28T10:00:00.5' }, { voided: true, voidedAt: '2026-11-28T18:00:00.500Z' }],
    ['a return label says so (writeback never confirms it)', { isReturnLabel: true }, { isReturn: true }],
    ['the cost is shipment plus insurance, to the cent', { shipmentCost: 7.3, insuranceCost: 1.15 }, { cost: 8.45 }],
  ])('%s', (_name, patch, expected) => {
    expect(shipmentToLabel(shipment(patch))).toMatchObject(expected);
  });

  it.each([
    ['shipmentItems null (listed without includeShipmentItems)', { shipmentItems: null }, undefined],
    ['a partial package', { shipmentItems: [{ orderItemId: 1, lineItemKey: '10101', sku: 'MUG-BLUE', name: 'Mug', quantity: 1, unitPrice: 12 }] }, [{ lineItemKey: '10101', sku: 'MUG-BLUE', quantity: 1 }]],
    ['an item staff added by hand has no lineItemKey', { shipmentItems: [{ orderItemId: 9, lineItemKey: null, sku: 'GIFT-WRAP', name: 'Wrap', quantity: 1, unitPrice: 0 }] }, [{ sku: 'GIFT-WRAP', quantity: 1 }]],
    ['an item without a sku', { shipmentItems: [{ orderItemId: 9, lineItemKey: '10102', sku: null, name: 'Thing', quantity: 3, unitPrice: 1 }] }, [{ lineItemKey: '10102', quantity: 3 }]],
    ['an empty box', { shipmentItems: [] }, []],
  ])('items: %s', (_name, patch, items) => {
    const label = shipmentToLabel(shipment(patch));
    expect(label.items).toEqual(items);
    expect('items' in label).toBe(items !== undefined);
  });

  it.each([
    ['no orderKey (the second spec example)', { orderKey: undefined }, 'orderKey'],
    ['advancedOptions null (the spec example)', { advancedOptions: null }, 'storeId'],
    ['serviceCode null', { serviceCode: null }, 'serviceCode'],
    ['voidDate null', { voidDate: null }, 'voidedAt'],
  ])('leaves out what ShipStation did not say: %s', (_name, patch, key) => {
    expect(shipmentToLabel(shipment(patch))).not.toHaveProperty(key);
  });

  it.each([
    ['an unreadable createDate', { createDate: 'yesterday' }],
    ['an unreadable shipDate', { shipDate: '2026-02-30' }],
    ['shipmentId 0 (cannot be a packageReferenceId)', { shipmentId: 0 }],
  ])('refuses %s with shipstation.unparseable', (_name, patch) => {
    expect(() => shipmentToLabel(shipment(patch))).toThrow(expect.objectContaining({ code: 'shipstation.unparseable' }));
  });

  it('reads the spec example of GET /shipments', () => {
    const labels = ListShipmentsResponse.parse(example('/shipments')).shipments.map(shipmentToLabel);
    expect(labels.map((l) => [l.id, l.createdAt, l.shipDate, l.items])).toEqual([
      ['shipment:33974374', '2014-10-03T13:51:33.627Z', '2014-10-03', [{ sku: 'SQ3785739', quantity: 1 }]],
      ['shipment:33974373', '2014-10-03T13:51:59.943Z', '2014-10-03', [{ sku: 'test', quantity: 1 }]],
    ]);
    expect(labels[0]).toMatchObject({ orderKey: '8061c220f0794a9b92460b8bae6837e4', carrierCode: 'stamps_com', trackingNumber: '9400111899561704681189' });
    expect(labels[1]).not.toHaveProperty('orderKey');
  });
});

describe('fulfillmentToLabel', () => {
  it('maps a fulfillment: the whole order, no items', () => {
    expect(fulfillmentToLabel(fulfillment())).toEqual({
      id: 'fulfillment:530000001',
      source: 'fulfillment',
      numericId: 530000001,
      orderId: 410000001,
      orderNumber: '113-0000000-0000001',
      createdAt: '2026-07-04T19:00:00.000Z',
      shipDate: '2026-07-04',
      carrierCode: 'ups',
      trackingNumber: '1Z999AA10123456784',
      voided: false,
    });
  });

  it.each([
    ['shipDate in the .NET US form of the Fulfillment model', { shipDate: '6/7/2016 12:00:00 AM' }, { shipDate: '2016-06-07' }],
    ['no tracking number (markasshipped makes it optional)', { trackingNumber: null }, { trackingNumber: '' }],
    ['voided', { voided: true, voidDate: '2026-07-05T08:00:00' }, { voided: true, voidedAt: '2026-07-05T15:00:00.000Z' }],
  ])('%s', (_name, patch, expected) => {
    expect(fulfillmentToLabel(fulfillment(patch))).toMatchObject(expected);
  });

  it('reads the spec example of GET /fulfillments', () => {
    const labels = ListFulfillmentsResponse.parse(example('/fulfillments')).fulfillments.map(fulfillmentToLabel);
    expect(labels.map((l) => [l.id, l.createdAt, l.shipDate, l.carrierCode, l.items])).toEqual([
      ['fulfillment:33974374', '2016-06-07T15:50:50.067Z', '2016-06-07', 'USPS', undefined],
      ['fulfillment:246310', '2016-06-08T19:54:53.347Z', '2016-06-08', 'FedEx', undefined],
    ]);
  });
});
