import { z } from 'zod';

/**
 * The ORDER_CHANGE notification as Amazon writes it to our SQS queue
 * (test/specs/amazon/OrderChangeNotification.json).
 *
 * Strict on what routing and deduplication rest on (type, ids, change type and time, the
 * summary's marketplace, status and fulfillment type); everything else is left out so zod
 * strips it, and a field Amazon adds or drops there can't make us reject a notification.
 *
 * The SQS body is the notification itself: SP-API sends it to the queue directly (the queue
 * policy grants sqs:SendMessage to Amazon's account 437568002678), there is no SNS topic in
 * between, so there is no envelope to unwrap
 * (https://developer-docs.amazon.com/sp-api/docs/set-up-notifications-with-amazon-sqs).
 */

const IsoDateTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO 8601 date-time');

export const OrderChangeType = z.enum(['BuyerRequestedChange', 'DeliveryTipChange', 'OrderStatusChange']);
export type OrderChangeType = z.infer<typeof OrderChangeType>;

export const NotificationOrderStatus = z.enum([
  'Pending',
  'Unshipped',
  'PartiallyShipped',
  'Shipped',
  'Canceled',
  'Unfulfillable',
  'InvoiceUnconfirmed',
  'PendingAvailability',
]);
export type NotificationOrderStatus = z.infer<typeof NotificationOrderStatus>;

export const FulfillmentType = z.enum(['AFN', 'MFN']);
export type FulfillmentType = z.infer<typeof FulfillmentType>;

export const OrderChangeNotification = z.object({
  NotificationType: z.literal('ORDER_CHANGE'),
  EventTime: IsoDateTime,
  Payload: z.object({
    OrderChangeNotification: z.object({
      SellerId: z.string().min(1),
      AmazonOrderId: z.string().min(1),
      OrderChangeType,
      OrderChangeTrigger: z.object({
        // The spec allows null "when there is no related timestamp"; we then use EventTime.
        TimeOfOrderChange: IsoDateTime.nullish(),
        ChangeReason: z.string().nullish(),
      }),
      // Required by the spec, but a DeliveryTipChange without one still names the order.
      Summary: z
        .object({
          MarketplaceId: z.string().min(1).optional(),
          OrderStatus: NotificationOrderStatus.optional(),
          FulfillmentType: FulfillmentType.optional(),
          OrderItems: z.array(z.object({ IsBuyerRequestedCancel: z.boolean().nullish() }).loose()).nullish(),
        })
        .nullish(),
    }),
  }),
  NotificationMetadata: z.object({
    NotificationId: z.string().min(1),
  }),
});
export type OrderChangeNotification = z.infer<typeof OrderChangeNotification>;

/** What Dockhand keeps of one ORDER_CHANGE notification. No buyer data is in it. */
export interface OrderChangeEvent {
  /** Amazon's id for this notification instance: the deduplication key. */
  notificationId: string;
  sellerId: string;
  amazonOrderId: string;
  marketplaceId?: string;
  changeType: OrderChangeType;
  /** When the order changed (TimeOfOrderChange, else EventTime), ISO 8601 in UTC. */
  changedAt: string;
  orderStatus?: NotificationOrderStatus;
  fulfillmentType?: FulfillmentType;
  /** The buyer asked to cancel (an item flagged, or the change reason says so). */
  buyerRequestedCancel: boolean;
  /** When Amazon published the notification, ISO 8601 in UTC. */
  eventTime: string;
}

export type ParseResult = { ok: true; event: OrderChangeEvent } | { ok: false; reason: string };

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
}

function looksLikeSnsEnvelope(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as Record<string, unknown>).Type === 'Notification' && typeof (v as Record<string, unknown>).Message === 'string';
}

/**
 * Parses an SQS message body into an `OrderChangeEvent`. Never throws: a body we can't use
 * comes back with a `reason` (no payload content in it) so the caller can log and drop it.
 */
export function parseOrderChange(body: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  if (looksLikeSnsEnvelope(json)) {
    return { ok: false, reason: 'body is an SNS envelope; Amazon writes ORDER_CHANGE notifications to SQS directly, so the queue is fed by something else' };
  }
  const type = (json as { NotificationType?: unknown } | null)?.NotificationType;
  if (typeof json === 'object' && json !== null && type !== undefined && type !== 'ORDER_CHANGE') {
    return { ok: false, reason: `NotificationType is ${typeof type === 'string' ? type : typeof type}, not ORDER_CHANGE` };
  }
  const parsed = OrderChangeNotification.safeParse(json);
  if (!parsed.success) return { ok: false, reason: describeIssue(parsed.error) };

  const n = parsed.data;
  const change = n.Payload.OrderChangeNotification;
  const summary = change.Summary ?? undefined;
  const itemCancel = (summary?.OrderItems ?? []).some((i) => i.IsBuyerRequestedCancel === true);
  const reasonCancel = change.OrderChangeType === 'BuyerRequestedChange' && /cancel/i.test(change.OrderChangeTrigger.ChangeReason ?? '');
  const eventTime = new Date(n.EventTime).toISOString();
  const changedAt = change.OrderChangeTrigger.TimeOfOrderChange ? new Date(change.OrderChangeTrigger.TimeOfOrderChange).toISOString() : eventTime;

  return {
    ok: true,
    event: {
      notificationId: n.NotificationMetadata.NotificationId,
      sellerId: change.SellerId,
      amazonOrderId: change.AmazonOrderId,
      ...(summary?.MarketplaceId ? { marketplaceId: summary.MarketplaceId } : {}),
      changeType: change.OrderChangeType,
      changedAt,
      ...(summary?.OrderStatus ? { orderStatus: summary.OrderStatus } : {}),
      ...(summary?.FulfillmentType ? { fulfillmentType: summary.FulfillmentType } : {}),
      buyerRequestedCancel: itemCancel || reasonCancel,
      eventTime,
    },
  };
}

/** An account as routing needs it (a subset of AccountConfig). */
export interface RoutableAccount {
  id: string;
  sellerId?: string;
  marketplaceIds: string[];
}

export type RouteDecision = { kind: 'process'; accountId: string } | { kind: 'ignore'; reason: string };

/**
 * Decides which account an event belongs to. Amazon fulfils AFN orders itself, so they are
 * never ours. With no sellerId configured anywhere and a single account, that account takes
 * every seller's events (the common one-seller setup, where the queue only gets its events);
 * otherwise the SellerId must match an account's configured merchant token.
 */
export function routeEvent(event: OrderChangeEvent, accounts: readonly RoutableAccount[]): RouteDecision {
  if (event.fulfillmentType === 'AFN') return { kind: 'ignore', reason: 'fulfilled by Amazon (AFN)' };
  if (accounts.length === 0) return { kind: 'ignore', reason: 'no accounts configured' };

  let account: RoutableAccount | undefined;
  const anySellerId = accounts.some((a) => a.sellerId);
  if (!anySellerId && accounts.length === 1) {
    account = accounts[0];
  } else {
    const matches = accounts.filter((a) => a.sellerId === event.sellerId);
    if (matches.length === 0) {
      return {
        kind: 'ignore',
        reason: anySellerId ? `seller ${event.sellerId} is not one of our accounts` : `seller ${event.sellerId}: several accounts and none has a sellerId configured`,
      };
    }
    // Two accounts may share a seller (one per region); the marketplace picks between them.
    account = matches.find((a) => event.marketplaceId !== undefined && a.marketplaceIds.includes(event.marketplaceId)) ?? matches[0];
  }
  if (!account) return { kind: 'ignore', reason: 'no matching account' };
  // No MarketplaceId (the spec requires one): let getOrder tell, it checks the marketplace too.
  if (event.marketplaceId !== undefined && !account.marketplaceIds.includes(event.marketplaceId)) {
    return { kind: 'ignore', reason: `marketplace ${event.marketplaceId} is not enabled for account ${account.id}` };
  }
  return { kind: 'process', accountId: account.id };
}
