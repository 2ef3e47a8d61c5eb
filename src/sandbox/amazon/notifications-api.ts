/**
 * The sandbox's Notifications API v1 (test/specs/amazon/notifications.json):
 * destinations and subscriptions, kept in memory. HTTP, auth and rate limits live in
 * sp-api-simulator.ts; this module only validates and answers.
 */
import { randomUUID } from 'node:crypto';
import { ApiError, invalidInput, type ApiResult } from './api-error';
import { ORDER_CHANGE_TYPES, type OrderChangeType } from './order-change';

export type NotificationsOperation =
  | 'getSubscription'
  | 'createSubscription'
  | 'getSubscriptionById'
  | 'deleteSubscriptionById'
  | 'getDestinations'
  | 'createDestination'
  | 'getDestination'
  | 'deleteDestination';

/**
 * Operations the spec marks "grantless": they take an LWA client_credentials token with scope
 * sellingpartnerapi::notifications. The rest need the seller's (refresh-token) authorization.
 */
export const GRANTLESS_NOTIFICATIONS_OPERATIONS: ReadonlySet<NotificationsOperation> = new Set([
  'getSubscriptionById',
  'deleteSubscriptionById',
  'getDestinations',
  'createDestination',
  'getDestination',
  'deleteDestination',
]);

/** Usage plans from each operation's description in notifications.json (all 1 rps, burst 5). */
export const NOTIFICATIONS_USAGE_PLANS: Readonly<Record<NotificationsOperation, { rate: number; burst: number }>> = {
  getSubscription: { rate: 1, burst: 5 },
  createSubscription: { rate: 1, burst: 5 },
  getSubscriptionById: { rate: 1, burst: 5 },
  deleteSubscriptionById: { rate: 1, burst: 5 },
  getDestinations: { rate: 1, burst: 5 },
  createDestination: { rate: 1, burst: 5 },
  getDestination: { rate: 1, burst: 5 },
  deleteDestination: { rate: 1, burst: 5 },
};

/** Notification types the sandbox accepts subscriptions for; only ORDER_CHANGE is ever published. */
export const SANDBOX_NOTIFICATION_TYPES = [
  'ANY_OFFER_CHANGED',
  'FEED_PROCESSING_FINISHED',
  'FULFILLMENT_ORDER_STATUS',
  'LISTINGS_ITEM_MFN_QUANTITY_CHANGE',
  'ORDER_CHANGE',
  'REPORT_PROCESSING_FINISHED',
] as const;

// SqsResource.arn in notifications.json.
const SQS_ARN = /^arn:aws:sqs:\S+:\S+:\S+/;
const SQS_ARN_MAX = 1000;
const DESTINATION_NAME_MAX = 256;

/** `Destination` as the spec returns it. */
export interface WireDestination {
  destinationId: string;
  name: string;
  resource: { sqs?: { arn: string }; eventBridge?: { name: string; region: string; accountId: string } };
}

/** `EventFilter` as accepted for ORDER_CHANGE. */
export interface WireEventFilter {
  eventFilterType: 'ORDER_CHANGE';
  marketplaceIds?: string[];
  orderChangeTypes?: OrderChangeType[];
}

/** `Subscription` as the spec returns it. */
export interface WireSubscription {
  subscriptionId: string;
  payloadVersion: string;
  destinationId: string;
  processingDirective?: { eventFilter?: WireEventFilter };
}

export interface NotificationsStore {
  destinations: Map<string, WireDestination>;
  /** Keyed by notificationType: the sandbox has one seller, and Amazon allows one per type. */
  subscriptions: Map<string, WireSubscription & { notificationType: string }>;
}

/** An empty store. */
export function createNotificationsStore(): NotificationsStore {
  return { destinations: new Map(), subscriptions: new Map() };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw invalidInput('Request has missing or invalid parameters and cannot be parsed.', 'The request body is not valid JSON.');
  }
}

function stringList(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw invalidInput('Request has missing or invalid parameters and cannot be parsed.', `${name} must be an array of strings.`);
  }
  return value as string[];
}

function checkNotificationType(notificationType: string): void {
  if (!(SANDBOX_NOTIFICATION_TYPES as readonly string[]).includes(notificationType)) {
    throw invalidInput(`Invalid value "${notificationType}" for path parameter notificationType`);
  }
}

/** Reads a createSubscription `processingDirective` for ORDER_CHANGE. */
function parseOrderChangeDirective(value: unknown): { eventFilter: WireEventFilter } {
  // ORDER_CHANGE subscriptions without a processingDirective are refused by Amazon
  // (reported in amzn/selling-partner-api-models and SDK issues), so the sandbox refuses too.
  if (!isObject(value) || !isObject(value['eventFilter'])) {
    throw invalidInput(
      'Request has missing or invalid parameters and cannot be parsed.',
      'processingDirective.eventFilter is required for notification type ORDER_CHANGE.',
    );
  }
  if (value['filterExpression'] !== undefined) {
    throw invalidInput('Request has missing or invalid parameters and cannot be parsed.', 'eventFilter and filterExpression are mutually exclusive.');
  }
  const filter = value['eventFilter'];
  const failed = `EventFilter Payload ${JSON.stringify(filter)} failed to validate for notification type ORDER_CHANGE`;
  if (filter['eventFilterType'] !== 'ORDER_CHANGE') {
    throw invalidInput('Request has missing or invalid parameters and cannot be parsed.', failed);
  }
  for (const key of Object.keys(filter)) {
    if (!['eventFilterType', 'marketplaceIds', 'orderChangeTypes'].includes(key)) {
      throw invalidInput('Request has missing or invalid parameters and cannot be parsed.', failed);
    }
  }
  const out: WireEventFilter = { eventFilterType: 'ORDER_CHANGE' };
  if (filter['marketplaceIds'] !== undefined) out.marketplaceIds = stringList(filter['marketplaceIds'], 'marketplaceIds');
  if (filter['orderChangeTypes'] !== undefined) {
    const types = stringList(filter['orderChangeTypes'], 'orderChangeTypes');
    for (const type of types) {
      if (!(ORDER_CHANGE_TYPES as readonly string[]).includes(type)) {
        throw invalidInput('Request has missing or invalid parameters and cannot be parsed.', `Invalid orderChangeType: ${type}`);
      }
    }
    out.orderChangeTypes = types as OrderChangeType[];
  }
  return { eventFilter: out };
}

const stripType = ({ notificationType: _type, ...subscription }: WireSubscription & { notificationType: string }): WireSubscription =>
  subscription;

/** The request handlers, bound to one store. `applicationId` appears in "not found" details like Amazon's. */
export function notificationsHandlers(store: NotificationsStore, applicationId: string) {
  const noDestination = (destinationId: string): ApiError =>
    invalidInput('Request has missing or invalid parameters and cannot be parsed.', `No destination with id '${destinationId}' for applicationId '${applicationId}'`);

  return {
    createDestination(raw: string): ApiResult {
      const body = parseJson(raw);
      if (!isObject(body)) throw invalidInput('Request has missing or invalid parameters and cannot be parsed.');
      const name = body['name'];
      if (typeof name !== 'string' || name.length === 0) {
        throw invalidInput('Request has missing or invalid parameters and cannot be parsed.', 'name is required.');
      }
      if (name.length > DESTINATION_NAME_MAX) {
        throw invalidInput('Request has missing or invalid parameters and cannot be parsed.', `name exceeds ${DESTINATION_NAME_MAX} characters.`);
      }
      const spec = body['resourceSpecification'];
      if (!isObject(spec)) {
        throw invalidInput('Request has missing or invalid parameters and cannot be parsed.', 'resourceSpecification is required.');
      }
      const sqs = spec['sqs'];
      const eventBridge = spec['eventBridge'];
      // "Applications should use one resource type (sqs or eventBridge) per destination."
      if ((sqs === undefined) === (eventBridge === undefined)) {
        throw invalidInput('Request has missing or invalid parameters and cannot be parsed.', 'Provide exactly one of sqs and eventBridge.');
      }
      const destinationId = randomUUID();
      let resource: WireDestination['resource'];
      if (sqs !== undefined) {
        const arn = isObject(sqs) ? sqs['arn'] : undefined;
        if (typeof arn !== 'string' || !SQS_ARN.test(arn) || arn.length > SQS_ARN_MAX) {
          throw invalidInput('Request has missing or invalid parameters and cannot be parsed.', `Invalid SQS ARN: ${String(arn)}`);
        }
        resource = { sqs: { arn } };
      } else {
        const accountId = isObject(eventBridge) ? eventBridge['accountId'] : undefined;
        const region = isObject(eventBridge) ? eventBridge['region'] : undefined;
        if (typeof accountId !== 'string' || typeof region !== 'string') {
          throw invalidInput('Request has missing or invalid parameters and cannot be parsed.', 'eventBridge needs accountId and region.');
        }
        resource = { eventBridge: { name: `aws.partner/sellingpartnerapi.amazon/${applicationId}/${destinationId}`, region, accountId } };
      }
      const destination: WireDestination = { destinationId, name, resource };
      store.destinations.set(destinationId, destination);
      return { status: 200, body: { payload: structuredClone(destination) } };
    },

    getDestinations(): ApiResult {
      return { status: 200, body: { payload: structuredClone([...store.destinations.values()]) } };
    },

    getDestination(destinationId: string): ApiResult {
      const destination = store.destinations.get(destinationId);
      if (!destination) throw new ApiError(404, 'NotFound', 'The resource specified does not exist.', `No destination ${destinationId}`);
      return { status: 200, body: { payload: structuredClone(destination) } };
    },

    deleteDestination(destinationId: string): ApiResult {
      if (!store.destinations.has(destinationId)) {
        throw new ApiError(404, 'NotFound', 'The resource specified does not exist.', `No destination ${destinationId}`);
      }
      const user = [...store.subscriptions.values()].find((s) => s.destinationId === destinationId);
      if (user) {
        throw new ApiError(409, 'StateConflict', 'The resource specified conflicts with the current state.', `Destination is used by subscription ${user.subscriptionId}`);
      }
      store.destinations.delete(destinationId);
      return { status: 200, body: {} };
    },

    createSubscription(notificationType: string, raw: string): ApiResult {
      checkNotificationType(notificationType);
      const body = parseJson(raw);
      if (!isObject(body)) throw invalidInput('Request has missing or invalid parameters and cannot be parsed.');
      const { payloadVersion, destinationId } = body;
      if (typeof payloadVersion !== 'string' || typeof destinationId !== 'string') {
        throw invalidInput('Request has missing or invalid parameters and cannot be parsed.', 'payloadVersion and destinationId are required.');
      }
      if (!store.destinations.has(destinationId)) throw noDestination(destinationId);
      // ORDER_CHANGE has a single payload version.
      if (notificationType === 'ORDER_CHANGE' && payloadVersion !== '1.0') {
        throw invalidInput('Request has missing or invalid parameters and cannot be parsed.', `Invalid payloadVersion ${payloadVersion} for notification type ORDER_CHANGE`);
      }
      const processingDirective =
        notificationType === 'ORDER_CHANGE' ? parseOrderChangeDirective(body['processingDirective']) : undefined;
      const existing = store.subscriptions.get(notificationType);
      if (existing) {
        // What Amazon answers (amzn/selling-partner-api-models#2737); the id is added so a
        // client can recover it, as getSubscription would.
        throw new ApiError(
          409,
          'StateConflict',
          'The resource specified conflicts with the current state.',
          `Subscription already exist for notification type ${notificationType}, subscriptionId ${existing.subscriptionId}`,
        );
      }
      const subscription: WireSubscription = {
        subscriptionId: randomUUID(),
        payloadVersion,
        destinationId,
        ...(processingDirective ? { processingDirective } : {}),
      };
      store.subscriptions.set(notificationType, { ...subscription, notificationType });
      return { status: 200, body: { payload: structuredClone(subscription) } };
    },

    getSubscription(notificationType: string, query: URLSearchParams): ApiResult {
      checkNotificationType(notificationType);
      for (const name of query.keys()) {
        if (name !== 'payloadVersion') throw invalidInput(`Unknown query parameter: ${name}.`);
      }
      const subscription = store.subscriptions.get(notificationType);
      const version = query.get('payloadVersion');
      if (!subscription || (version !== null && version !== subscription.payloadVersion)) {
        throw new ApiError(404, 'NotFound', 'The resource specified does not exist.', `No subscription for ${notificationType}`);
      }
      return { status: 200, body: { payload: stripType(structuredClone(subscription)) } };
    },

    getSubscriptionById(notificationType: string, subscriptionId: string): ApiResult {
      checkNotificationType(notificationType);
      const subscription = store.subscriptions.get(notificationType);
      if (!subscription || subscription.subscriptionId !== subscriptionId) {
        throw new ApiError(404, 'NotFound', 'The resource specified does not exist.', `No subscription ${subscriptionId}`);
      }
      return { status: 200, body: { payload: stripType(structuredClone(subscription)) } };
    },

    deleteSubscriptionById(notificationType: string, subscriptionId: string): ApiResult {
      checkNotificationType(notificationType);
      const subscription = store.subscriptions.get(notificationType);
      if (!subscription || subscription.subscriptionId !== subscriptionId) {
        throw new ApiError(404, 'NotFound', 'The resource specified does not exist.', `No subscription ${subscriptionId}`);
      }
      store.subscriptions.delete(notificationType);
      return { status: 200, body: {} };
    },
  };
}
