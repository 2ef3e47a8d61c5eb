/**
 * Builds ORDER_CHANGE notifications exactly as
 * test/specs/amazon/OrderChangeNotification.json (draft-07) describes them, from the
 * sandbox's v2026-01-01 wire order. Pure: ids and times come in as arguments.
 */
import type { WireFulfillmentStatus, WireOrder } from './wire-order';

/** `OrderChangeTypeEnum` in notifications.json. */
export const ORDER_CHANGE_TYPES = ['BuyerRequestedChange', 'DeliveryTipChange', 'OrderStatusChange'] as const;
export type OrderChangeType = (typeof ORDER_CHANGE_TYPES)[number];

/** `ChangeReason` for a buyer's cancellation request (the schema's own example). */
export const BUYER_REQUESTED_CANCEL = 'Buyer Requested Cancel';
/** `ChangeReason` the sandbox uses for new orders and status transitions. */
export const ORDER_STATUS_CHANGE_REASON = 'Order Status Change';

// The notification speaks Orders API v0 words (Summary.OrderStatus enum), not v2026's.
const V0_STATUS: Record<WireFulfillmentStatus, string> = {
  PENDING_AVAILABILITY: 'PendingAvailability',
  PENDING: 'Pending',
  UNSHIPPED: 'Unshipped',
  PARTIALLY_SHIPPED: 'PartiallyShipped',
  SHIPPED: 'Shipped',
  CANCELLED: 'Canceled',
  UNFULFILLABLE: 'Unfulfillable',
};

const ORDER_PROGRAMS: Record<string, string> = { AMAZON_BUSINESS: 'Business', PRIME: 'Prime', PREMIUM: 'Premium' };

export interface OrderChangeContext {
  sellerId: string;
  applicationId: string;
  subscriptionId: string;
  notificationId: string;
  changeType: OrderChangeType;
  changeReason: string;
  /** Publish time (ms). */
  now: number;
}

/** Maps a v2026-01-01 fulfillment status to the v0 `OrderStatus` word ORDER_CHANGE carries. */
export function v0OrderStatus(status: WireFulfillmentStatus | undefined): string {
  return V0_STATUS[status ?? 'PENDING'];
}

/** The ORDER_CHANGE notification for `order` in its current state (OrderLevel, all items). */
export function buildOrderChangeNotification(order: WireOrder, ctx: OrderChangeContext): Record<string, unknown> {
  const at = new Date(ctx.now).toISOString();
  const fulfillment = order.fulfillment;
  const status = fulfillment?.fulfillmentStatus;
  const mfn = fulfillment?.fulfilledBy !== 'AMAZON';
  let shipped = 0;
  let unshipped = 0;
  const items = order.orderItems.map((item) => {
    const quantityShipped = item.fulfillment?.quantityFulfilled ?? 0;
    shipped += quantityShipped;
    unshipped += item.fulfillment?.quantityUnfulfilled ?? Math.max(0, item.quantityOrdered - quantityShipped);
    return {
      OrderItemId: item.orderItemId,
      // Required string in the schema; a malformed sandbox line without a SKU sends ''.
      SellerSKU: item.product.sellerSku ?? '',
      SupplySourceId: null,
      OrderItemStatus: quantityShipped > 0 && quantityShipped >= item.quantityOrdered ? 'Shipped' : 'Unshipped',
      Quantity: item.quantityOrdered,
      QuantityShipped: quantityShipped,
      IsBuyerRequestedCancel: item.cancellation?.cancellationRequest?.requester === 'BUYER',
    };
  });
  const programs = (order.programs ?? []).map((p) => ORDER_PROGRAMS[p]).filter((p): p is string => p !== undefined);
  const summary: Record<string, unknown> = {
    MarketplaceId: order.salesChannel.marketplaceId ?? '',
    OrderStatus: v0OrderStatus(status),
    PurchaseDate: order.createdTime,
    DestinationPostalCode: order.recipient?.deliveryAddress?.postalCode ?? null,
    FulfillmentType: mfn ? 'MFN' : 'AFN',
    OrderType: 'StandardOrder',
    NumberOfItemsShipped: shipped,
    NumberOfItemsUnshipped: unshipped,
  };
  const ship = fulfillment?.shipByWindow;
  const deliver = fulfillment?.deliverByWindow;
  // "Returned only for seller-fulfilled orders" (Earliest/LatestDeliveryDate), and the latest
  // one not for PendingAvailability, Pending or Canceled orders.
  if (mfn && deliver?.earliestDateTime) summary['EarliestDeliveryDate'] = deliver.earliestDateTime;
  if (mfn && deliver?.latestDateTime && !['PENDING_AVAILABILITY', 'PENDING', 'CANCELLED'].includes(status ?? '')) {
    summary['LatestDeliveryDate'] = deliver.latestDateTime;
  }
  if (ship?.earliestDateTime) summary['EarliestShipDate'] = ship.earliestDateTime;
  if (ship?.latestDateTime) summary['LatestShipDate'] = ship.latestDateTime;
  if (programs.length > 0) summary['OrderPrograms'] = programs;
  summary['OrderItems'] = items;

  return {
    NotificationVersion: '1.0',
    NotificationType: 'ORDER_CHANGE',
    PayloadVersion: '1.0',
    EventTime: at,
    Payload: {
      OrderChangeNotification: {
        NotificationLevel: 'OrderLevel',
        SellerId: ctx.sellerId,
        AmazonOrderId: order.orderId,
        OrderChangeType: ctx.changeType,
        OrderChangeTrigger: { TimeOfOrderChange: order.lastUpdatedTime, ChangeReason: ctx.changeReason },
        Summary: summary,
      },
    },
    NotificationMetadata: {
      ApplicationId: ctx.applicationId,
      SubscriptionId: ctx.subscriptionId,
      PublishTime: at,
      NotificationId: ctx.notificationId,
    },
  };
}
