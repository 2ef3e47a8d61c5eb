import { describe, expect, it } from 'vitest';
import type { Label } from '../../src/domain/label';
import { Order } from '../../src/domain/order';
import {
  DEFAULT_GRACE_MINUTES,
  FINDING_KINDS,
  normalizeTracking,
  reconcile,
  type Finding,
  type ReconcileAmazonOrder,
  type ReconcileInput,
  type ReconcileLabel,
  type ReconcileShipStationOrder,
} from '../../src/writeback/reconcile';

const NOW = new Date('2026-03-02T12:00:00Z');
const ago = (minutes: number): string => new Date(NOW.getTime() - minutes * 60_000).toISOString();
const A = '111-0000000-0000001';
const B = '111-0000000-0000002';

function amz(over: Partial<ReconcileAmazonOrder> = {}): ReconcileAmazonOrder {
  return { accountId: 'acme', amazonOrderId: A, status: 'unshipped', createdTime: ago(120), fulfilledBy: 'merchant', packages: [], ...over };
}

function ss(over: Partial<ReconcileShipStationOrder> = {}): ReconcileShipStationOrder {
  return { amazonOrderId: A, orderId: 5001, orderStatus: 'awaiting_shipment', ...over };
}

const tracking = (n: number): string => `9400100000000000000${n}`;

function label(n: number, over: Partial<Label> = {}, amazonOrderId = A): ReconcileLabel {
  return {
    amazonOrderId,
    label: {
      id: `shipment:${n}`,
      source: 'shipment',
      numericId: n,
      orderId: 5001,
      orderNumber: amazonOrderId,
      orderKey: `dockhand:abc:${amazonOrderId}`,
      createdAt: ago(60),
      shipDate: '2026-03-02',
      carrierCode: 'stamps_com',
      trackingNumber: tracking(n),
      voided: false,
      ...over,
    },
  };
}

/** A package Dockhand confirmed for label n; `null` for one Amazon holds without tracking. */
const pkg = (n: number, trackingNumber: string | null = tracking(n)) => ({
  packageReferenceId: String(n),
  ...(trackingNumber === null ? {} : { trackingNumber }),
  carrier: 'USPS',
});

function run(over: Partial<ReconcileInput>): Finding[] {
  return reconcile({ now: NOW, amazonOrders: [], shipstationOrders: [], labels: [], mode: 'import', ...over });
}

/** `kind key` per finding, in the order returned. */
const summary = (findings: Finding[]): string[] => findings.map((f) => `${f.kind} ${f.key}`);

type Case = [name: string, input: Partial<ReconcileInput>, expected: string[]];
const cases: Case[] = [
  // --- nothing wrong
  ['nothing wrong: unshipped and waiting in ShipStation', { amazonOrders: [amz()], shipstationOrders: [ss()] }, []],
  ['nothing wrong: shipped, label confirmed under its own packageReferenceId', {
    amazonOrders: [amz({ status: 'shipped', packages: [pkg(7001)] })],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001)],
  }, []],
  ['nothing wrong: no orders at all', {}, []],
  ['tracking compares without spaces, hyphens or case', {
    amazonOrders: [amz({ status: 'shipped', packages: [{ packageReferenceId: '9', trackingNumber: '1z 999-aa1 0123456784' }] })],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001, { trackingNumber: '1Z999AA10123456784' })],
  }, []],

  // --- missing_in_shipstation
  ['missing: unshipped, old, nowhere in ShipStation', { amazonOrders: [amz()] }, [`missing_in_shipstation missing:acme:${A}`]],
  ['missing: partially shipped elsewhere, rest not in ShipStation', { amazonOrders: [amz({ status: 'partially_shipped' })] }, [`missing_in_shipstation missing:acme:${A}`]],
  ['missing: not yet, placed 2 minutes ago', { amazonOrders: [amz({ createdTime: ago(2) })] }, []],
  ['missing: not yet at 14 minutes', { amazonOrders: [amz({ createdTime: ago(14) })] }, []],
  ['missing: yes at exactly the grace period', { amazonOrders: [amz({ createdTime: ago(DEFAULT_GRACE_MINUTES) })] }, [`missing_in_shipstation missing:acme:${A}`]],
  ['missing: a custom grace period of 60 minutes hides a 30-minute-old order', { graceMinutes: 60, amazonOrders: [amz({ createdTime: ago(30) })] }, []],
  ['missing: an unparseable createdTime counts as old rather than hiding it forever', { amazonOrders: [amz({ createdTime: 'yesterday' })] }, [`missing_in_shipstation missing:acme:${A}`]],
  ['missing: never for pending, shipped, cancelled or unfulfillable orders', {
    amazonOrders: [
      amz({ amazonOrderId: 'p', status: 'pending' }),
      amz({ amazonOrderId: 's', status: 'shipped' }),
      amz({ amazonOrderId: 'c', status: 'cancelled' }),
      amz({ amazonOrderId: 'u', status: 'unfulfillable' }),
    ],
  }, []],
  ['missing: never for orders Amazon fulfils', { amazonOrders: [amz({ fulfilledBy: 'amazon' })] }, []],
  ['missing: a ShipStation order in any status counts as present', { amazonOrders: [amz()], shipstationOrders: [ss({ orderStatus: 'cancelled' })] }, []],
  ['missing: a label proves the order is in ShipStation even when the order list lacks it', {
    amazonOrders: [amz()],
    labels: [label(7001)],
  }, [`label_not_on_amazon unconfirmed:acme:${A}:shipment:7001`]],

  // --- label_not_on_amazon
  ['unconfirmed: a live label Amazon has never heard of', {
    amazonOrders: [amz()],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001)],
  }, [`label_not_on_amazon unconfirmed:acme:${A}:shipment:7001`]],
  ['unconfirmed: not yet, label created 1 minute ago', {
    amazonOrders: [amz()],
    shipstationOrders: [ss({ orderStatus: 'shipped', updatedAt: ago(1) })],
    labels: [label(7001, { createdAt: ago(1) })],
  }, []],
  ['unconfirmed: a label stamped in the future (clock skew) is young, not old', {
    amazonOrders: [amz()],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001, { createdAt: ago(-180) })],
  }, []],
  ['unconfirmed: grace 0 judges a 1-minute-old label', {
    graceMinutes: 0,
    amazonOrders: [amz()],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001, { createdAt: ago(1) })],
  }, [`label_not_on_amazon unconfirmed:acme:${A}:shipment:7001`]],
  ['unconfirmed: a fulfillment (marked shipped with tracking) counts like a label', {
    amazonOrders: [amz()],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(8001, { id: 'fulfillment:8001', source: 'fulfillment' })],
  }, [`label_not_on_amazon unconfirmed:acme:${A}:fulfillment:8001`]],
  ['unconfirmed: not for a cancelled Amazon order', {
    amazonOrders: [amz({ status: 'cancelled' })],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001)],
  }, []],
  ['unconfirmed: not for a pending or Amazon-fulfilled order (Amazon refuses the confirmation)', {
    amazonOrders: [amz({ status: 'pending' }), amz({ amazonOrderId: B, fulfilledBy: 'amazon' })],
    shipstationOrders: [ss({ orderStatus: 'shipped' }), ss({ amazonOrderId: B, orderId: 5002, orderStatus: 'shipped' })],
    labels: [label(7001), label(7002, {}, B)],
  }, []],
  ['unconfirmed: an extra box on an order Amazon already shows shipped', {
    amazonOrders: [amz({ status: 'shipped', packages: [pkg(7001)] })],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001), label(7002)],
  }, [`label_not_on_amazon unconfirmed:acme:${A}:shipment:7002`]],
  ['multi-package: one of three packages missing on Amazon', {
    amazonOrders: [amz({ status: 'partially_shipped', packages: [pkg(7001), pkg(7003)] })],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001), label(7002), label(7003)],
  }, [`label_not_on_amazon unconfirmed:acme:${A}:shipment:7002`]],
  ['the same tracking on a shipment and a fulfillment is reported once', {
    amazonOrders: [amz()],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001, { createdAt: ago(50) }), label(8001, { id: 'fulfillment:8001', source: 'fulfillment', trackingNumber: tracking(7001), createdAt: ago(40) })],
  }, [`label_not_on_amazon unconfirmed:acme:${A}:shipment:7001`]],
  ['a label repeated in the input (webhook and poll) is read once', {
    amazonOrders: [amz()],
    shipstationOrders: [ss({ orderStatus: 'shipped' }), ss({ orderStatus: 'shipped' })],
    labels: [label(7001), label(7001)],
  }, [`label_not_on_amazon unconfirmed:acme:${A}:shipment:7001`]],
  ['a label for an Amazon order we were not given is ignored', {
    amazonOrders: [amz()],
    shipstationOrders: [ss()],
    labels: [label(7009, {}, B)],
  }, []],

  // --- tracking_mismatch
  ['mismatch: Amazon holds our package reference with other tracking', {
    amazonOrders: [amz({ status: 'shipped', packages: [pkg(7001, 'OLDTRACKING1')] })],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001)],
  }, [`tracking_mismatch mismatch:acme:${A}:shipment:7001`]],
  ['mismatch: Amazon holds our package reference with no tracking', {
    amazonOrders: [amz({ status: 'shipped', packages: [pkg(7001, null)] })],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001)],
  }, [`tracking_mismatch mismatch:acme:${A}:shipment:7001`]],
  ['mismatch: none when the tracking is on another package of the order', {
    amazonOrders: [amz({ status: 'shipped', packages: [pkg(7001, 'SOMETHINGELSE'), { packageReferenceId: 'SS-1', trackingNumber: tracking(7001) }] })],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001)],
  }, []],

  // --- voided labels and re-prints
  ['re-print: first label voided before confirming, second confirmed', {
    amazonOrders: [amz({ status: 'shipped', packages: [pkg(7002)] })],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001, { voided: true, voidedAt: ago(55) }), label(7002, { createdAt: ago(50) })],
  }, []],
  ['re-print: voided label confirmed, replacement not yet', {
    amazonOrders: [amz({ status: 'shipped', packages: [pkg(7001)] })],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001, { voided: true, voidedAt: ago(55) }), label(7002, { createdAt: ago(50) })],
  }, [`voided_but_confirmed voided:acme:${A}:shipment:7001`, `label_not_on_amazon unconfirmed:acme:${A}:shipment:7002`]],
  ['re-print: voided label and replacement both on Amazon', {
    amazonOrders: [amz({ status: 'shipped', packages: [pkg(7001), pkg(7002)] })],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001, { voided: true, voidedAt: ago(55) }), label(7002, { createdAt: ago(50) })],
  }, [`voided_but_confirmed voided:acme:${A}:shipment:7001`]],
  ['re-print: the replacement re-sent under the voided package reference replaced it', {
    amazonOrders: [amz({ status: 'shipped', packages: [pkg(7001, tracking(7002))] })],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001, { voided: true, voidedAt: ago(55) }), label(7002, { createdAt: ago(50) })],
  }, []],
  ['voided: not yet, voided 2 minutes ago', {
    amazonOrders: [amz({ status: 'shipped', packages: [pkg(7001)] })],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001, { voided: true, voidedAt: ago(2) })],
  }, []],
  ['voided: not when a live label carries the same tracking number', {
    amazonOrders: [amz({ status: 'shipped', packages: [pkg(7001)] })],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001, { voided: true, voidedAt: ago(55) }), label(8001, { id: 'fulfillment:8001', source: 'fulfillment', trackingNumber: tracking(7001) })],
  }, []],
  ['voided: only voided labels, no replacement', {
    amazonOrders: [amz({ status: 'shipped', packages: [pkg(7001)] })],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001, { voided: true, voidedAt: ago(55) })],
  }, [`voided_but_confirmed voided:acme:${A}:shipment:7001`]],

  // --- shipped_in_shipstation_only
  ['shipped only in ShipStation: marked shipped, no label at all', {
    amazonOrders: [amz()],
    shipstationOrders: [ss({ orderStatus: 'shipped', updatedAt: ago(60) })],
  }, [`shipped_in_shipstation_only shipped_only:acme:${A}`]],
  ['shipped only in ShipStation: a fulfillment without tracking', {
    amazonOrders: [amz()],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(8001, { id: 'fulfillment:8001', source: 'fulfillment', trackingNumber: '' })],
  }, [`shipped_in_shipstation_only shipped_only:acme:${A}`]],
  ['shipped only in ShipStation: labels confirmed, Amazon still expects items', {
    amazonOrders: [amz({ status: 'partially_shipped', packages: [pkg(7001)] })],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001)],
  }, [`shipped_in_shipstation_only shipped_only:acme:${A}`]],
  ['shipped only in ShipStation: not yet, marked shipped 3 minutes ago', {
    amazonOrders: [amz()],
    shipstationOrders: [ss({ orderStatus: 'shipped', updatedAt: ago(3) })],
  }, []],
  ['split order in ShipStation: one part shipped and confirmed, the other still open', {
    amazonOrders: [amz({ status: 'partially_shipped', packages: [pkg(7001)] })],
    shipstationOrders: [ss({ orderStatus: 'shipped' }), ss({ orderId: 5002, orderStatus: 'awaiting_shipment' })],
    labels: [label(7001)],
  }, []],
  ['shipped only: not raised when a label explains it (label_not_on_amazon is)', {
    amazonOrders: [amz()],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001)],
  }, [`label_not_on_amazon unconfirmed:acme:${A}:shipment:7001`]],

  // --- cancelled on Amazon, open in ShipStation
  ...(['awaiting_shipment', 'on_hold', 'awaiting_payment', 'pending_fulfillment'] as const).map((status): Case => [
    `cancelled on Amazon, ${status} in ShipStation`,
    { amazonOrders: [amz({ status: 'cancelled' })], shipstationOrders: [ss({ orderStatus: status })] },
    [`cancelled_on_amazon_open_in_shipstation cancelled_open:acme:${A}:5001`],
  ]),
  ...(['cancelled', 'shipped'] as const).map((status): Case => [
    `cancelled on Amazon, ${status} in ShipStation: not open`,
    { amazonOrders: [amz({ status: 'cancelled' })], shipstationOrders: [ss({ orderStatus: status })] },
    [],
  ]),
  ['cancelled: not yet, cancelled 5 minutes ago (the sync cancels it in ShipStation)', {
    amazonOrders: [amz({ status: 'cancelled', lastUpdatedTime: ago(5) })],
    shipstationOrders: [ss()],
  }, []],
  ['cancelled: each open ShipStation order of a split order', {
    amazonOrders: [amz({ status: 'cancelled' })],
    shipstationOrders: [ss({ orderId: 5002 }), ss({ orderId: 5001, orderStatus: 'on_hold' })],
  }, [`cancelled_on_amazon_open_in_shipstation cancelled_open:acme:${A}:5001`, `cancelled_on_amazon_open_in_shipstation cancelled_open:acme:${A}:5002`]],

  // --- watch mode: ShipStation's Amazon store imported and confirms the orders
  ['watch: matched by orderNumber, confirmed by ShipStation under its own package reference', {
    mode: 'watch',
    amazonOrders: [amz({ status: 'shipped', packages: [{ packageReferenceId: '0f3c9a', trackingNumber: tracking(7001), carrier: 'USPS' }] })],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001, { orderKey: 'amzn-store-key', storeId: 77 })],
  }, []],
  ['watch: ShipStation did not notify Amazon', {
    mode: 'watch',
    amazonOrders: [amz()],
    shipstationOrders: [ss({ orderStatus: 'shipped' })],
    labels: [label(7001, { orderKey: undefined })],
  }, [`label_not_on_amazon unconfirmed:acme:${A}:shipment:7001`]],
  ['watch: the store has not imported the order', { mode: 'watch', amazonOrders: [amz()] }, [`missing_in_shipstation missing:acme:${A}`]],

  // --- input hygiene
  ['an Amazon order read twice: the later version wins', {
    amazonOrders: [amz({ status: 'cancelled', lastUpdatedTime: ago(30) }), amz({ status: 'unshipped', lastUpdatedTime: ago(90) })],
    shipstationOrders: [ss()],
  }, [`cancelled_on_amazon_open_in_shipstation cancelled_open:acme:${A}:5001`]],
];

describe('reconcile', () => {
  it.each(cases)('%s', (_name, input, expected) => {
    expect(summary(run(input))).toEqual(expected);
  });

  it('offers the fix buttons each kind allows', () => {
    const fixes = (input: Partial<ReconcileInput>) => run(input).map((f) => [f.kind, f.fix]);
    expect(fixes({ amazonOrders: [amz()] })).toEqual([['missing_in_shipstation', 'create_in_shipstation']]);
    // In watch mode Dockhand never creates: ShipStation's store would import a duplicate.
    expect(fixes({ mode: 'watch', amazonOrders: [amz()] })).toEqual([['missing_in_shipstation', undefined]]);
    expect(fixes({ amazonOrders: [amz()], shipstationOrders: [ss({ orderStatus: 'shipped' })], labels: [label(7001)] })).toEqual([['label_not_on_amazon', 'confirm_now']]);
    expect(fixes({ amazonOrders: [amz({ status: 'shipped', packages: [pkg(7001, 'X')] })], labels: [label(7001)] })).toEqual([['tracking_mismatch', 'confirm_now']]);
    expect(fixes({ amazonOrders: [amz({ status: 'shipped', packages: [pkg(7001)] })], labels: [label(7001, { voided: true })] })).toEqual([['voided_but_confirmed', undefined]]);
    expect(fixes({ amazonOrders: [amz()], shipstationOrders: [ss({ orderStatus: 'shipped' })] })).toEqual([['shipped_in_shipstation_only', undefined]]);
    expect(fixes({ amazonOrders: [amz({ status: 'cancelled' })], shipstationOrders: [ss()] })).toEqual([['cancelled_on_amazon_open_in_shipstation', undefined]]);
  });

  it('carries what each kind needs to render and act on', () => {
    const [mismatch] = run({ amazonOrders: [amz({ status: 'shipped', packages: [pkg(7001, 'OLDTRACKING1')] })], labels: [label(7001)] });
    expect(mismatch).toMatchObject({ kind: 'tracking_mismatch', amazonTracking: 'OLDTRACKING1', label: { id: 'shipment:7001' }, accountId: 'acme', amazonOrderId: A });
    const [noTracking] = run({ amazonOrders: [amz({ status: 'shipped', packages: [pkg(7001, '  ')] })], labels: [label(7001)] });
    expect(noTracking?.kind).toBe('tracking_mismatch');
    expect(noTracking).not.toHaveProperty('amazonTracking');
    const [open] = run({ amazonOrders: [amz({ status: 'cancelled' })], shipstationOrders: [ss({ orderStatus: 'on_hold' })] });
    expect(open).toMatchObject({ shipstationOrderId: 5001, shipstationStatus: 'on_hold' });
    expect(open?.hint).toContain('hold-until');
  });

  it('points a voided confirmation at the replacement still to confirm', () => {
    const findings = run({
      amazonOrders: [amz({ status: 'shipped', packages: [pkg(7001)] })],
      labels: [label(7001, { voided: true }), label(7002)],
    });
    expect(findings.find((f) => f.kind === 'voided_but_confirmed')?.hint).toContain('shipment:7002');
  });

  it('sorts by account, order, kind and key, whatever the input order', () => {
    const C = '111-0000000-0000003';
    const input: Partial<ReconcileInput> = {
      amazonOrders: [
        amz({ accountId: 'zeta', amazonOrderId: C }),
        amz({ amazonOrderId: B, status: 'cancelled' }),
        amz({ status: 'shipped', packages: [pkg(7001)] }),
      ],
      shipstationOrders: [ss({ amazonOrderId: B, orderId: 9 }), ss({ orderStatus: 'shipped' })],
      labels: [label(7003), label(7001, { voided: true }), label(7002)],
    };
    const forward = run(input);
    const backward = run({
      amazonOrders: [...input.amazonOrders!].reverse(),
      shipstationOrders: [...input.shipstationOrders!].reverse(),
      labels: [...input.labels!].reverse(),
    });
    expect(summary(backward)).toEqual(summary(forward));
    expect(summary(forward)).toEqual([
      `voided_but_confirmed voided:acme:${A}:shipment:7001`,
      `label_not_on_amazon unconfirmed:acme:${A}:shipment:7002`,
      `label_not_on_amazon unconfirmed:acme:${A}:shipment:7003`,
      `cancelled_on_amazon_open_in_shipstation cancelled_open:acme:${B}:9`,
      `missing_in_shipstation missing:zeta:${C}`,
    ]);
  });

  it('lists the kinds of one order in FINDING_KINDS order', () => {
    const findings = run({
      amazonOrders: [amz({ status: 'shipped', packages: [pkg(7001), pkg(7002, 'STALE')] })],
      labels: [label(7001, { voided: true }), label(7002), label(7003)],
    });
    const kinds = findings.map((f) => f.kind);
    expect(kinds).toEqual(['voided_but_confirmed', 'tracking_mismatch', 'label_not_on_amazon']);
    expect([...kinds].sort((a, b) => FINDING_KINDS.indexOf(a) - FINDING_KINDS.indexOf(b))).toEqual(kinds);
  });

  it('gives the same keys on every run and never two findings one key', () => {
    const input: Partial<ReconcileInput> = {
      amazonOrders: [amz({ status: 'partially_shipped', packages: [pkg(7001), pkg(7002, 'STALE')] }), amz({ amazonOrderId: B, status: 'cancelled' })],
      shipstationOrders: [ss({ orderStatus: 'shipped' }), ss({ amazonOrderId: B, orderId: 5002 })],
      labels: [label(7001, { voided: true }), label(7002), label(7003)],
    };
    const first = run(input).map((f) => f.key);
    const later = reconcile({ now: new Date(NOW.getTime() + 3_600_000), amazonOrders: input.amazonOrders!, shipstationOrders: input.shipstationOrders!, labels: input.labels!, mode: 'import' }).map((f) => f.key);
    expect(later).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
    expect(first.length).toBeGreaterThan(2);
  });

  it('accepts a full Dockhand Order and never puts buyer data in messages or hints', () => {
    const order = Order.parse({
      accountId: 'acme', amazonOrderId: A, marketplaceId: 'ATVPDKIKX0DER', createdTime: ago(120), lastUpdatedTime: ago(100),
      status: 'unshipped', fulfilledBy: 'merchant', isPrime: false, isBusiness: false,
      buyer: { name: 'Ana Buyer', email: 'ana@marketplace.amazon.com' },
      shipTo: { name: 'Ana Buyer', line1: '1 Main St', city: 'Austin', countryCode: 'US', phone: '555-0100' },
      items: [{ orderItemId: '1', quantityOrdered: 1 }],
    });
    const findings = [
      ...run({ amazonOrders: [order] }),
      ...run({ amazonOrders: [order], shipstationOrders: [ss({ orderStatus: 'shipped' })] }),
      ...run({ amazonOrders: [order], labels: [label(7001)] }),
      ...run({ amazonOrders: [{ ...order, status: 'cancelled' }], shipstationOrders: [ss()] }),
    ];
    expect(findings.map((f) => f.kind)).toEqual(['missing_in_shipstation', 'shipped_in_shipstation_only', 'label_not_on_amazon', 'cancelled_on_amazon_open_in_shipstation']);
    for (const f of findings) {
      for (const text of [f.message, f.hint]) {
        expect(text.length).toBeGreaterThan(10);
        for (const secret of ['Ana', 'Main St', 'Austin', '555-0100', '@']) expect(text).not.toContain(secret);
      }
      expect(f.message).toContain(A);
    }
  });
});

describe('normalizeTracking', () => {
  it.each([
    ['1Z 999 AA1 0123 456 784', '1Z999AA10123456784'],
    ['rr123456789gb', 'RR123456789GB'],
    ['9400-1000-0000', '940010000000'],
    ['\t 12 \n', '12'],
    ['', ''],
    [undefined, ''],
  ])('%j → %j', (raw, normalized) => {
    expect(normalizeTracking(raw)).toBe(normalized);
  });
});
