import { describe, expect, it } from 'vitest';
import type { Label } from '../../src/domain/label';
import {
  ConfirmShipmentRequest,
  type ConfirmationInput,
  shipDateFor,
  toConfirmation,
} from '../../src/writeback/to-confirmation';
import { isoInZone } from '../../src/domain/wall-clock';

const LA = 'America/Los_Angeles';

function label(over: Partial<Label> = {}): Label {
  return {
    id: 'shipment:71001',
    source: 'shipment',
    numericId: 71001,
    orderId: 5001,
    orderNumber: '113-1234567-1234567',
    createdAt: '2026-11-24T17:15:00Z', // 09:15 PST
    shipDate: '2026-11-24',
    carrierCode: 'stamps_com',
    serviceCode: 'usps_priority_mail',
    trackingNumber: '9400111899223197428490',
    voided: false,
    items: [
      { lineItemKey: 'OI-A', sku: 'MUG-RED', quantity: 2 },
      { lineItemKey: 'OI-B', sku: 'MUG-BLUE', quantity: 1 },
    ],
    ...over,
  };
}

function input(over: Partial<ConfirmationInput> = {}, orderOver: Partial<ConfirmationInput['order']> = {}): ConfirmationInput {
  return {
    label: label(),
    order: {
      amazonOrderId: '113-1234567-1234567',
      marketplaceId: 'ATVPDKIKX0DER',
      createdTime: '2026-11-23T20:00:00Z',
      status: 'unshipped',
      items: [
        { orderItemId: 'OI-A', quantityOrdered: 2 },
        { orderItemId: 'OI-B', quantityOrdered: 1 },
      ],
      ...orderOver,
    },
    alreadyConfirmed: [],
    timeZone: LA,
    now: new Date('2026-11-24T20:00:00Z'),
    ...over,
  };
}

function confirmed(plan: ReturnType<typeof toConfirmation>) {
  if (plan.kind !== 'confirm') throw new Error(`expected confirm, got ${JSON.stringify(plan)}`);
  return plan;
}

describe('toConfirmation: the body', () => {
  it('builds the v0 confirmShipment body for a ShipStation label', () => {
    const plan = confirmed(toConfirmation(input()));
    expect(plan.body).toEqual({
      marketplaceId: 'ATVPDKIKX0DER',
      packageDetail: {
        packageReferenceId: '71001',
        carrierCode: 'USPS',
        shippingMethod: 'USPS Priority Mail',
        trackingNumber: '9400111899223197428490',
        shipDate: '2026-11-24T09:15:00-08:00',
        orderItems: [
          { orderItemId: 'OI-A', quantity: 2 },
          { orderItemId: 'OI-B', quantity: 1 },
        ],
      },
    });
    expect(plan.capped).toEqual([]);
    expect(ConfirmShipmentRequest.safeParse(plan.body).success).toBe(true);
  });

  it('names the carrier when Amazon does not list it', () => {
    const plan = confirmed(toConfirmation(input({ label: label({ carrierCode: 'globegistics', serviceCode: undefined }) })));
    expect(plan.body.packageDetail).toMatchObject({ carrierCode: 'Other', carrierName: 'Globegistics' });
    expect(plan.body.packageDetail).not.toHaveProperty('shippingMethod');
    expect(ConfirmShipmentRequest.safeParse(plan.body).success).toBe(true);
  });

  it('trims the tracking number', () => {
    const plan = confirmed(toConfirmation(input({ label: label({ trackingNumber: ' 1Z999AA10123456784 \n' }) })));
    expect(plan.body.packageDetail.trackingNumber).toBe('1Z999AA10123456784');
  });

  it('uses the fulfillment id as package reference and confirms the whole remaining order', () => {
    const plan = confirmed(
      toConfirmation(
        input({
          label: label({ id: 'fulfillment:880', source: 'fulfillment', numericId: 880, carrierCode: 'Fedex Ground', serviceCode: undefined, items: undefined }),
          alreadyConfirmed: [{ orderItemId: 'OI-A', quantity: 1 }],
        }),
      ),
    );
    expect(plan.body.packageDetail).toMatchObject({
      packageReferenceId: '880',
      carrierCode: 'FedEx',
      orderItems: [
        { orderItemId: 'OI-A', quantity: 1 },
        { orderItemId: 'OI-B', quantity: 1 },
      ],
    });
  });
});

describe('toConfirmation: items', () => {
  type Case = [
    name: string,
    items: Label['items'],
    ordered: Array<{ orderItemId: string; quantityOrdered: number }>,
    already: Array<{ orderItemId: string; quantity: number }>,
    expected: Array<{ orderItemId: string; quantity: number }> | string,
  ];
  const two = [
    { orderItemId: 'OI-A', quantityOrdered: 2 },
    { orderItemId: 'OI-B', quantityOrdered: 1 },
  ];
  it.each<Case>([
    ['one of two lines (split shipment)', [{ lineItemKey: 'OI-A', sku: 'MUG-RED', quantity: 2 }], two, [], [{ orderItemId: 'OI-A', quantity: 2 }]],
    [
      'the same line split over two label items is summed',
      [
        { lineItemKey: 'OI-A', sku: 'MUG-RED', quantity: 1 },
        { lineItemKey: 'OI-A', sku: 'MUG-RED', quantity: 1 },
      ],
      two,
      [],
      [{ orderItemId: 'OI-A', quantity: 2 }],
    ],
    ['more on the label than ordered is capped', [{ lineItemKey: 'OI-B', sku: 'MUG-BLUE', quantity: 3 }], two, [], [{ orderItemId: 'OI-B', quantity: 1 }]],
    [
      'second package of a split: only what is left',
      [
        { lineItemKey: 'OI-A', sku: 'MUG-RED', quantity: 2 },
        { lineItemKey: 'OI-B', sku: 'MUG-BLUE', quantity: 1 },
      ],
      two,
      [{ orderItemId: 'OI-A', quantity: 1 }],
      [
        { orderItemId: 'OI-A', quantity: 1 },
        { orderItemId: 'OI-B', quantity: 1 },
      ],
    ],
    [
      'a fully confirmed line is dropped',
      [
        { lineItemKey: 'OI-A', sku: 'MUG-RED', quantity: 2 },
        { lineItemKey: 'OI-B', sku: 'MUG-BLUE', quantity: 1 },
      ],
      two,
      [{ orderItemId: 'OI-A', quantity: 2 }],
      [{ orderItemId: 'OI-B', quantity: 1 }],
    ],
    [
      'partial cancel: a cancelled line (quantityOrdered 0) is dropped',
      [
        { lineItemKey: 'OI-A', sku: 'MUG-RED', quantity: 2 },
        { lineItemKey: 'OI-B', sku: 'MUG-BLUE', quantity: 1 },
      ],
      [
        { orderItemId: 'OI-A', quantityOrdered: 2 },
        { orderItemId: 'OI-B', quantityOrdered: 0 },
      ],
      [],
      [{ orderItemId: 'OI-A', quantity: 2 }],
    ],
    [
      'a zero-quantity label item is ignored, even with an unknown key',
      [
        { lineItemKey: 'OI-A', sku: 'MUG-RED', quantity: 2 },
        { sku: 'INSERT-CARD', quantity: 0 },
      ],
      two,
      [],
      [{ orderItemId: 'OI-A', quantity: 2 }],
    ],
    [
      'confirmations for items not on the order are ignored',
      [{ lineItemKey: 'OI-A', sku: 'MUG-RED', quantity: 2 }],
      two,
      [{ orderItemId: 'OI-ZZ', quantity: 5 }],
      [{ orderItemId: 'OI-A', quantity: 2 }],
    ],
    [
      'over-confirmed history does not go negative',
      undefined,
      two,
      [
        { orderItemId: 'OI-A', quantity: 3 },
        { orderItemId: 'OI-A', quantity: 1 },
      ],
      [{ orderItemId: 'OI-B', quantity: 1 }],
    ],
    ['everything already confirmed', [{ lineItemKey: 'OI-A', sku: 'MUG-RED', quantity: 1 }], two, [{ orderItemId: 'OI-A', quantity: 2 }], 'skip:nothing_left'],
    [
      'a fulfillment for an order already fully confirmed',
      undefined,
      two,
      [
        { orderItemId: 'OI-A', quantity: 2 },
        { orderItemId: 'OI-B', quantity: 1 },
      ],
      'skip:nothing_left',
    ],
    ['an item added by hand (no lineItemKey)', [{ lineItemKey: 'OI-A', sku: 'MUG-RED', quantity: 2 }, { sku: 'GIFT-BAG', quantity: 1 }], two, [], 'error:writeback.unknown_item'],
    ['a line from another order (merged in ShipStation)', [{ lineItemKey: 'OI-OTHER', sku: 'LAMP', quantity: 1 }], two, [], 'error:writeback.unknown_item'],
    ['a label with no items', [], two, [], 'error:writeback.nothing_to_confirm'],
    ['a label whose items all have quantity 0', [{ lineItemKey: 'OI-A', sku: 'MUG-RED', quantity: 0 }], two, [], 'error:writeback.nothing_to_confirm'],
  ])('%s', (_name, items, ordered, already, expected) => {
    const plan = toConfirmation(input({ label: label({ items }), alreadyConfirmed: already }, { items: ordered }));
    if (typeof expected === 'string') {
      const [kind, detail] = expected.split(':');
      expect(plan.kind).toBe(kind);
      if (plan.kind === 'skip') expect(plan.reason).toBe(detail);
      if (plan.kind === 'error') expect(plan.code).toBe(detail);
    } else {
      expect(confirmed(plan).body.packageDetail.orderItems).toEqual(expected);
    }
  });

  it('reports what it capped', () => {
    const plan = confirmed(
      toConfirmation(
        input({
          label: label({ items: [{ lineItemKey: 'OI-B', sku: 'MUG-BLUE', quantity: 3 }, { lineItemKey: 'OI-A', sku: 'MUG-RED', quantity: 1 }] }),
          alreadyConfirmed: [],
        }),
      ),
    );
    expect(plan.capped).toEqual([{ orderItemId: 'OI-B', onLabel: 3, sent: 1 }]);
  });

  it('names every unknown SKU and gives a hint', () => {
    const plan = toConfirmation(
      input({
        label: label({
          items: [
            { lineItemKey: 'OI-A', sku: 'MUG-RED', quantity: 2 },
            { sku: 'GIFT-BAG', quantity: 1 },
            { lineItemKey: 'OI-OTHER', quantity: 1 },
            { quantity: 1 },
          ],
        }),
      }),
    );
    expect(plan).toMatchObject({ kind: 'error', code: 'writeback.unknown_item' });
    if (plan.kind !== 'error') return;
    expect(plan.message).toContain('GIFT-BAG');
    expect(plan.message).toContain('line OI-OTHER');
    expect(plan.message).toContain('an item without SKU');
    expect(plan.hint).toMatch(/Seller Central/);
  });
});

describe('toConfirmation: label and order state', () => {
  it.each<[string, Partial<Label>, ConfirmationInput['order']['status'], string, boolean?]>([
    ['a voided label', { voided: true, voidedAt: '2026-11-24T18:00:00Z' }, 'unshipped', 'skip:voided', true],
    ['a voided label on a cancelled order is just voided', { voided: true }, 'cancelled', 'skip:voided', true],
    ['a cancelled order', {}, 'cancelled', 'skip:order_cancelled', true],
    ['an order Amazon already shows shipped', {}, 'shipped', 'skip:order_shipped', true],
    ['an unfulfillable order', {}, 'unfulfillable', 'skip:order_unfulfillable', true],
    ['a pending order: try again later', {}, 'pending', 'skip:order_pending', false],
    ['a partially shipped order', {}, 'partially_shipped', 'confirm'],
    ['no tracking number', { trackingNumber: '  ' }, 'unshipped', 'error:writeback.nothing_to_confirm'],
  ])('%s', (_name, labelOver, status, expected, final) => {
    const plan = toConfirmation(input({ label: label(labelOver) }, { status }));
    const [kind, detail] = expected.split(':');
    expect(plan.kind).toBe(kind);
    if (plan.kind === 'skip') {
      expect(plan.reason).toBe(detail);
      expect(plan.final).toBe(final);
      expect(plan.message).toContain('113-1234567-1234567');
    }
    if (plan.kind === 'error') expect(plan.code).toBe(detail);
  });

  it.each<[string, boolean | undefined, string]>([
    ['a new label for a shipped order is skipped', undefined, 'skip'],
    ['a label amending a package Amazon holds is sent to the shipped order', true, 'confirm'],
  ])('%s', (_name, amends, kind) => {
    expect(toConfirmation({ ...input({}, { status: 'shipped' }), ...(amends ? { amends } : {}) }).kind).toBe(kind);
  });

  it('reports an unknown time zone as a config error', () => {
    expect(toConfirmation(input({ timeZone: 'America/Los_Angles' }))).toMatchObject({ kind: 'error', code: 'config.invalid' });
  });

  it('reports a label with no readable date', () => {
    const plan = toConfirmation(input({ label: label({ shipDate: 'soon', createdAt: 'never' }) }));
    expect(plan).toMatchObject({ kind: 'error', code: 'shipstation.unparseable' });
  });
});

describe('shipDateFor', () => {
  type Case = [name: string, shipDate: string, createdAt: string, orderCreated: string, zone: string, now: string, expected: string];
  const placed = '2026-01-01T00:00:00Z';
  const later = '2026-12-31T00:00:00Z';
  it.each<Case>([
    ['label created that day: its creation time, in the seller zone', '2026-11-28', '2026-11-28T17:15:00Z', placed, LA, later, '2026-11-28T09:15:00-08:00'],
    ['milliseconds are dropped', '2026-11-28', '2026-11-28T17:15:00.987Z', placed, LA, later, '2026-11-28T09:15:00-08:00'],
    ['created the evening before in UTC terms is still the local day', '2026-11-28', '2026-11-29T05:30:00Z', placed, LA, later, '2026-11-28T21:30:00-08:00'],
    ['printed ahead for a later day: 09:00 that day', '2026-11-30', '2026-11-28T17:15:00Z', placed, LA, later, '2026-11-30T09:00:00-08:00'],
    ['entered afterwards for an earlier day: 09:00 that day', '2026-11-25', '2026-11-28T17:15:00Z', placed, LA, later, '2026-11-25T09:00:00-08:00'],
    ['printed ahead, 09:00 not reached yet: now', '2026-11-30', '2026-11-28T17:15:00Z', placed, LA, '2026-11-30T15:42:10.500Z', '2026-11-30T07:42:10-08:00'],
    ['ship day before the order was placed: the order time', '2026-11-20', '2026-11-28T17:15:00Z', '2026-11-21T23:10:05Z', LA, later, '2026-11-21T15:10:05-08:00'],
    ['rounding never lands before the order', '2026-11-21', '2026-11-21T23:10:04Z', '2026-11-21T23:10:04.400Z', LA, later, '2026-11-21T15:10:05-08:00'],
    ['a ShipStation date with a time part is read as its day', '2026-11-28T00:00:00.0000000', '2026-11-28T17:15:00Z', placed, LA, later, '2026-11-28T09:15:00-08:00'],
    ['no usable ship day: the creation time', '', '2026-11-28T17:15:00Z', placed, LA, later, '2026-11-28T09:15:00-08:00'],
    ['no usable creation time: 09:00 on the ship day', '2026-11-28', 'garbage', placed, LA, later, '2026-11-28T09:00:00-08:00'],
    // America/Los_Angeles 2026: PDT→PST at 2026-11-01 09:00Z, PST→PDT at 2026-03-08 10:00Z
    ['LA fall back: first 01:30 is PDT', '2026-11-01', '2026-11-01T08:30:00Z', placed, LA, later, '2026-11-01T01:30:00-07:00'],
    ['LA fall back: second 01:30 is PST', '2026-11-01', '2026-11-01T09:30:00Z', placed, LA, later, '2026-11-01T01:30:00-08:00'],
    ['LA fall back day at 09:00 is PST', '2026-11-01', '2026-10-30T17:00:00Z', placed, LA, later, '2026-11-01T09:00:00-08:00'],
    ['LA day before fall back at 09:00 is PDT', '2026-10-31', '2026-10-30T17:00:00Z', placed, LA, later, '2026-10-31T09:00:00-07:00'],
    ['LA last second of PST before spring forward', '2026-03-08', '2026-03-08T09:59:59Z', placed, LA, later, '2026-03-08T01:59:59-08:00'],
    ['LA first second of PDT', '2026-03-08', '2026-03-08T10:00:00Z', placed, LA, later, '2026-03-08T03:00:00-07:00'],
    ['LA spring forward day at 09:00 is PDT', '2026-03-08', '2026-03-06T17:00:00Z', placed, LA, later, '2026-03-08T09:00:00-07:00'],
    // Europe/London 2026: BST from 2026-03-29 01:00Z to 2026-10-25 01:00Z
    ['London winter is +00:00', '2026-01-15', '2026-01-15T10:00:00Z', placed, 'Europe/London', later, '2026-01-15T10:00:00+00:00'],
    ['London summer: just after midnight BST is the next local day', '2026-06-16', '2026-06-15T23:30:00Z', placed, 'Europe/London', later, '2026-06-16T00:30:00+01:00'],
    ['London spring forward day at 09:00 is BST', '2026-03-29', '2026-03-27T12:00:00Z', placed, 'Europe/London', later, '2026-03-29T09:00:00+01:00'],
    ['London fall back day at 09:00 is GMT', '2026-10-25', '2026-10-23T12:00:00Z', placed, 'Europe/London', later, '2026-10-25T09:00:00+00:00'],
    // Asia/Tokyo: +09:00 all year; the local day starts at 15:00Z the day before
    ['Tokyo early morning is the previous UTC day', '2026-11-28', '2026-11-27T20:00:00Z', placed, 'Asia/Tokyo', later, '2026-11-28T05:00:00+09:00'],
    ['Tokyo 09:00 for a day printed ahead', '2026-11-30', '2026-11-27T20:00:00Z', placed, 'Asia/Tokyo', later, '2026-11-30T09:00:00+09:00'],
    // Australia/Sydney 2026: AEDT→AEST at 2026-04-04 16:00Z, AEST→AEDT at 2026-10-03 16:00Z
    ['Sydney in the skipped hour becomes AEDT', '2026-10-04', '2026-10-03T16:30:00Z', placed, 'Australia/Sydney', later, '2026-10-04T03:30:00+11:00'],
    ['Sydney 09:00 after spring forward is AEDT', '2026-10-04', '2026-10-01T00:00:00Z', placed, 'Australia/Sydney', later, '2026-10-04T09:00:00+11:00'],
    ['Sydney 09:00 after fall back is AEST', '2026-04-05', '2026-04-01T00:00:00Z', placed, 'Australia/Sydney', later, '2026-04-05T09:00:00+10:00'],
    ['Sydney repeated hour, first pass is AEDT', '2026-04-05', '2026-04-04T15:30:00Z', placed, 'Australia/Sydney', later, '2026-04-05T02:30:00+11:00'],
    ['Sydney repeated hour, second pass is AEST', '2026-04-05', '2026-04-04T16:30:00Z', placed, 'Australia/Sydney', later, '2026-04-05T02:30:00+10:00'],
  ])('%s', (_name, shipDate, createdAt, orderCreated, zone, now, expected) => {
    const got = shipDateFor({ labelShipDate: shipDate, labelCreatedAt: createdAt, orderCreatedTime: orderCreated, timeZone: zone, now: new Date(now) });
    expect(got).toBe(expected);
    // The same instant either way: the offset is right, not just the wall time.
    const clamped = Math.min(Math.max(Date.parse(got), Date.parse(orderCreated)), Date.parse(now));
    expect(Math.abs(Date.parse(got) - clamped)).toBeLessThan(1000);
  });

  it('prints midnight as 00', () => {
    expect(isoInZone(Date.parse('2026-02-01T08:00:00Z'), LA)).toBe('2026-02-01T00:00:00-08:00');
  });

  it('prints zones with a half-hour offset', () => {
    expect(isoInZone(Date.parse('2026-07-01T00:00:00Z'), 'Asia/Kolkata')).toBe('2026-07-01T05:30:00+05:30');
  });
});
