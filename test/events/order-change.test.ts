import { describe, expect, it } from 'vitest';
import { parseOrderChange, routeEvent, type OrderChangeEvent, type RoutableAccount } from '../../src/events/order-change';
import { readSpec } from '../support/specs';

const SPEC = JSON.parse(readSpec('amazon/OrderChangeNotification.json')) as { examples: Record<string, unknown>[] };
const EXAMPLE = SPEC.examples[0]!;

type Json = Record<string, any>;
/** The spec example with one change applied to a deep copy. */
function variant(change: (n: Json) => void): string {
  const n = structuredClone(EXAMPLE) as Json;
  change(n);
  return JSON.stringify(n);
}
const change = (n: Json): Json => n.Payload.OrderChangeNotification;

describe('parseOrderChange', () => {
  it('reads the spec example', () => {
    expect(parseOrderChange(JSON.stringify(EXAMPLE))).toEqual({
      ok: true,
      event: {
        notificationId: 'd0e9e693-c3ad-4373-979f-ed4ec98dd746',
        sellerId: 'A3TH9S8BH6GOGM',
        amazonOrderId: '903-8868176-2219830',
        marketplaceId: 'ATVPDKIKX0DER',
        changeType: 'BuyerRequestedChange',
        changedAt: '2022-11-29T19:42:04.284Z',
        orderStatus: 'Unshipped',
        fulfillmentType: 'MFN',
        buyerRequestedCancel: true,
        eventTime: '2020-01-11T00:09:53.109Z',
      },
    });
  });

  it.each<[string, string, Partial<OrderChangeEvent>]>([
    [
      'a status change with no cancel request',
      variant((n) => {
        change(n).OrderChangeType = 'OrderStatusChange';
        change(n).OrderChangeTrigger.ChangeReason = 'Order Status Change';
        change(n).Summary.OrderItems[0].IsBuyerRequestedCancel = false;
        change(n).Summary.OrderStatus = 'Shipped';
      }),
      { changeType: 'OrderStatusChange', buyerRequestedCancel: false, orderStatus: 'Shipped' },
    ],
    [
      'a null TimeOfOrderChange falls back to EventTime',
      variant((n) => (change(n).OrderChangeTrigger.TimeOfOrderChange = null)),
      { changedAt: '2020-01-11T00:09:53.109Z' },
    ],
    [
      'a non-UTC offset is normalised to UTC',
      variant((n) => (change(n).OrderChangeTrigger.TimeOfOrderChange = '2022-11-29T12:42:04.284-07:00')),
      { changedAt: '2022-11-29T19:42:04.284Z' },
    ],
    [
      'a cancel request flagged only by the change reason',
      variant((n) => delete change(n).Summary.OrderItems[0].IsBuyerRequestedCancel),
      { buyerRequestedCancel: true },
    ],
    [
      'fields we do not use may change shape',
      variant((n) => {
        change(n).Summary.OrderPrograms = ['SomethingNew'];
        change(n).Summary.OrderType = 42;
        delete change(n).NotificationLevel;
        delete n.NotificationMetadata.ApplicationId;
      }),
      { amazonOrderId: '903-8868176-2219830' },
    ],
    [
      'an AFN order still parses (routing drops it)',
      variant((n) => (change(n).Summary.FulfillmentType = 'AFN')),
      { fulfillmentType: 'AFN' },
    ],
  ])('accepts %s', (_name, body, expected) => {
    const r = parseOrderChange(body);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.event).toMatchObject(expected);
  });

  it.each<[string, string, RegExp]>([
    ['bad JSON', '{"NotificationType": "ORDER_CHANGE",', /not JSON/],
    ['an empty body', '', /not JSON/],
    ['JSON null', 'null', /root|expected object/i],
    ['a JSON array', '[]', /expected object/i],
    ['another notification type', variant((n) => (n.NotificationType = 'ANY_OFFER_CHANGED')), /ANY_OFFER_CHANGED, not ORDER_CHANGE/],
    ['a missing NotificationType', variant((n) => delete n.NotificationType), /NotificationType/],
    ['a missing AmazonOrderId', variant((n) => delete change(n).AmazonOrderId), /AmazonOrderId/],
    ['an empty AmazonOrderId', variant((n) => (change(n).AmazonOrderId = '')), /AmazonOrderId/],
    ['a missing SellerId', variant((n) => delete change(n).SellerId), /SellerId/],
    ['a missing NotificationId', variant((n) => delete n.NotificationMetadata.NotificationId), /NotificationId/],
    ['a missing payload', variant((n) => delete n.Payload), /Payload/],
    ['an unknown change type', variant((n) => (change(n).OrderChangeType = 'Whatever')), /OrderChangeType/],
    ['an unknown fulfillment type', variant((n) => (change(n).Summary.FulfillmentType = 'SFP')), /FulfillmentType/],
    ['an unknown order status', variant((n) => (change(n).Summary.OrderStatus = 'Lost')), /OrderStatus/],
    ['a time that is not a date', variant((n) => (change(n).OrderChangeTrigger.TimeOfOrderChange = 'yesterday')), /TimeOfOrderChange/],
    [
      'an SNS envelope',
      JSON.stringify({ Type: 'Notification', MessageId: 'x', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: JSON.stringify(EXAMPLE) }),
      /SNS envelope/,
    ],
  ])('rejects %s', (_name, body, reason) => {
    const r = parseOrderChange(body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});

describe('routeEvent', () => {
  const parsed = parseOrderChange(JSON.stringify(EXAMPLE));
  if (!parsed.ok) throw new Error('spec example must parse');
  const base = parsed.event;
  const US = 'ATVPDKIKX0DER';
  const CA = 'A2EUQ1WTGCTBG2';
  const UK = 'A1F83G8C2ARO7P';
  const SELLER = 'A3TH9S8BH6GOGM';

  it.each<[string, Partial<OrderChangeEvent>, RoutableAccount[], ReturnType<typeof routeEvent>]>([
    ['one account, no sellerId: it takes the event', {}, [{ id: 'main', marketplaceIds: [US] }], { kind: 'process', accountId: 'main' }],
    ['matching sellerId', {}, [{ id: 'main', sellerId: SELLER, marketplaceIds: [US] }], { kind: 'process', accountId: 'main' }],
    [
      'several accounts: the one with the SellerId',
      {},
      [
        { id: 'other', sellerId: 'AOTHERSELLER1', marketplaceIds: [US] },
        { id: 'main', sellerId: SELLER, marketplaceIds: [US] },
      ],
      { kind: 'process', accountId: 'main' },
    ],
    [
      'one seller in two regions: the marketplace picks the account',
      { marketplaceId: UK },
      [
        { id: 'na', sellerId: SELLER, marketplaceIds: [US, CA] },
        { id: 'eu', sellerId: SELLER, marketplaceIds: [UK] },
      ],
      { kind: 'process', accountId: 'eu' },
    ],
    ['no MarketplaceId: getOrder decides', { marketplaceId: undefined }, [{ id: 'main', marketplaceIds: [US] }], { kind: 'process', accountId: 'main' }],
    ['AFN', { fulfillmentType: 'AFN' }, [{ id: 'main', marketplaceIds: [US] }], { kind: 'ignore', reason: expect.stringMatching(/AFN/) }],
    [
      'another seller',
      { sellerId: 'AOTHERSELLER1' },
      [{ id: 'main', sellerId: SELLER, marketplaceIds: [US] }],
      { kind: 'ignore', reason: expect.stringMatching(/AOTHERSELLER1 is not one of our accounts/) },
    ],
    [
      'several accounts and no sellerId anywhere',
      {},
      [
        { id: 'a', marketplaceIds: [US] },
        { id: 'b', marketplaceIds: [CA] },
      ],
      { kind: 'ignore', reason: expect.stringMatching(/none has a sellerId/) },
    ],
    [
      'a marketplace the account does not sell in',
      { marketplaceId: UK },
      [{ id: 'main', marketplaceIds: [US, CA] }],
      { kind: 'ignore', reason: expect.stringMatching(/A1F83G8C2ARO7P is not enabled for account main/) },
    ],
    ['no accounts', {}, [], { kind: 'ignore', reason: expect.stringMatching(/no accounts/) }],
  ])('%s', (_name, patch, accounts, expected) => {
    const event = { ...base, ...patch } as OrderChangeEvent;
    if ('marketplaceId' in patch && patch.marketplaceId === undefined) delete event.marketplaceId;
    expect(routeEvent(event, accounts)).toEqual(expected);
  });
});
