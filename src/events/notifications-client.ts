import { setTimeout as sleep } from 'node:timers/promises';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import {
  classifyThrown,
  createSellingPartner,
  type AmazonCredentials,
  type CallParams,
  type RawResult,
} from '../amazon/selling-partner';
import { DockhandError } from '../domain/errors';
import { silentLogger, type Logger } from '../log/logger';

/**
 * Notifications API v1 (test/specs/amazon/notifications.json): the few calls that set
 * up ORDER_CHANGE delivery to our SQS queue. Built like the orders client: amazon-sp-api only
 * moves bytes (`raw_result`), and status, retries and error mapping are ours.
 *
 * Destination operations and deleteSubscriptionById are grantless: amazon-sp-api asks LWA for a
 * client-credentials token with scope `sellingpartnerapi::notifications` for them
 * (lib/resources/versions/notifications/notifications_v1.js sets `scope`; SellingPartner.js
 * `_validateAccessToken(scope)`), while getSubscription/createSubscription use the seller's
 * refresh token.
 */

// ---------------------------------------------------------------- wire shapes (spec `definitions`)

const ErrorList = z.object({ errors: z.array(z.object({ code: z.string(), message: z.string(), details: z.string().optional() })) });

export const SqsDestination = z.object({
  destinationId: z.string().min(1),
  name: z.string(),
  resource: z.object({
    sqs: z.object({ arn: z.string() }).optional(),
    eventBridge: z.object({ name: z.string(), region: z.string(), accountId: z.string() }).loose().optional(),
  }),
});
export type SqsDestination = z.infer<typeof SqsDestination>;

export const OrderChangeEventFilter = z.object({
  eventFilterType: z.literal('ORDER_CHANGE'),
  marketplaceIds: z.array(z.string()).optional(),
  orderChangeTypes: z.array(z.enum(['BuyerRequestedChange', 'DeliveryTipChange', 'OrderStatusChange'])).optional(),
});

export const Subscription = z.object({
  subscriptionId: z.string().min(1),
  payloadVersion: z.string(),
  destinationId: z.string().min(1),
  processingDirective: z
    .object({ eventFilter: z.object({ eventFilterType: z.string() }).loose().optional(), filterExpression: z.string().optional() })
    .loose()
    .optional(),
});
export type Subscription = z.infer<typeof Subscription>;

const GetDestinationsResponse = z.object({ payload: z.array(SqsDestination) });
const DestinationResponse = z.object({ payload: SqsDestination });
const SubscriptionResponse = z.object({ payload: Subscription });

export interface CreateSubscriptionBody {
  destinationId: string;
  payloadVersion: '1.0';
  processingDirective?: { eventFilter: z.infer<typeof OrderChangeEventFilter> };
}

// ---------------------------------------------------------------- calls

type NotificationsCall = CallParams & { endpoint: 'notifications' };

const GRANTLESS_SCOPE = 'sellingpartnerapi::notifications';
const GRANTLESS = new Set(['getDestinations', 'createDestination', 'deleteSubscriptionById']);

const AUTH_HINT =
  'Check SELLING_PARTNER_APP_CLIENT_ID, SELLING_PARTNER_APP_CLIENT_SECRET and the refresh token; destination calls are grantless and need only the app credentials.';
const UNREACHABLE_HINT = 'Amazon did not answer; try again later. Check the network or https://status.amazon.com if it persists.';
const CONFIG_HINT = 'Check AMAZON_REGION and the Amazon credentials.';

function fromThrown(e: unknown, what: string): DockhandError {
  if (e instanceof DockhandError) return e;
  const { kind, code, message } = classifyThrown(e);
  if (kind === 'lwa_refused') {
    return new DockhandError('amazon.auth_rejected', `Login with Amazon refused our credentials (${code}) during ${what}`, { hint: AUTH_HINT, cause: e });
  }
  // Certificate failures and ERR_SOCKET_CONNECTION_TIMEOUT end the call here; the orders client retries the latter.
  if (kind === 'lwa_unavailable' || (kind === 'network' && code !== 'ERR_SOCKET_CONNECTION_TIMEOUT')) {
    return new DockhandError('amazon.unreachable', `Amazon unreachable (${code}) during ${what}: ${message}`, { hint: UNREACHABLE_HINT, cause: e, transient: true });
  }
  return new DockhandError('amazon.unreachable', `${what} failed: ${message}`, { hint: UNREACHABLE_HINT, cause: e });
}

export interface NotificationsClientOptions extends AmazonCredentials {
  logger?: Logger;
  /** Retries for 429, 5xx and network failures. Default 3. */
  maxRetries?: number;
  /** First backoff step. Default 1000 ms (the usage plan is 1 request per second). */
  retryBaseMs?: number;
  timeoutMs?: number;
}

export interface NotificationsClient {
  /** getDestinations (grantless). */
  getDestinations(): Promise<SqsDestination[]>;
  /** createDestination (grantless) for an SQS queue ARN. */
  createDestination(input: { name: string; arn: string }): Promise<SqsDestination>;
  /** getSubscription; undefined when Amazon answers 404 (no subscription). */
  getSubscription(notificationType: 'ORDER_CHANGE'): Promise<Subscription | undefined>;
  /** createSubscription. */
  createSubscription(notificationType: 'ORDER_CHANGE', body: CreateSubscriptionBody): Promise<Subscription>;
  /** deleteSubscriptionById (grantless). */
  deleteSubscriptionById(notificationType: 'ORDER_CHANGE', subscriptionId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Creates the Notifications API client.
 *
 * @throws DockhandError `config.missing` / `config.invalid` for unusable credentials or URLs.
 */
export function createNotificationsClient(opts: NotificationsClientOptions): NotificationsClient {
  const log = (opts.logger ?? silentLogger).child({ component: 'amazon-notifications', region: opts.region });
  const maxRetries = opts.maxRetries ?? 3;
  const retryBaseMs = opts.retryBaseMs ?? 1000;
  const timeouts = { deadline: opts.timeoutMs ?? 30_000 };
  const { sp, agent } = createSellingPartner(opts, { timeouts, hints: { auth: AUTH_HINT, config: CONFIG_HINT } });

  /** One call, retried on 429/5xx/network; `params` is a factory because the library edits it in place. */
  async function send(what: string, params: () => NotificationsCall, okStatuses: number[] = []): Promise<RawResult> {
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      let res: RawResult;
      try {
        res = await sp.callAPI({ ...params(), options: { raw_result: true, timeouts } });
      } catch (e) {
        const err = fromThrown(e, what);
        if (err.transient && attempt < maxRetries) {
          await sleep(retryBaseMs * 2 ** attempt);
          continue;
        }
        throw err;
      }
      const status = res.statusCode;
      if ((status >= 200 && status < 300) || okStatuses.includes(status)) return res;
      const requestId = [res.headers['x-amzn-requestid']].flat()[0];
      let first: z.infer<typeof ErrorList>['errors'][number] | undefined;
      try {
        first = ErrorList.safeParse(JSON.parse(res.body)).data?.errors[0];
      } catch {
        first = undefined;
      }
      const detail = first ? `${first.code}: ${first.message}` : `HTTP ${status}`;
      if (status === 403 && first?.code === 'Unauthorized' && /access token.*expired/i.test(first.details ?? '') && !refreshed) {
        refreshed = true;
        const op = params().operation;
        try {
          await sp.refreshAccessToken(GRANTLESS.has(op) ? GRANTLESS_SCOPE : undefined);
        } catch (e) {
          throw fromThrown(e, `refreshing the access token for ${what}`);
        }
        continue;
      }
      if (status === 401 || status === 403) {
        throw new DockhandError('amazon.auth_rejected', `Amazon refused ${what} (${status} ${detail}, request ${requestId ?? 'n/a'})`, { hint: AUTH_HINT, status });
      }
      if ((status === 429 || status >= 500) && attempt < maxRetries) {
        log.warn({ what, status, attempt: attempt + 1 }, 'retrying Notifications API call');
        await sleep(retryBaseMs * 2 ** attempt);
        continue;
      }
      if (status === 429) {
        throw new DockhandError('amazon.rate_limited', `Amazon throttled ${what} (request ${requestId ?? 'n/a'})`, { hint: 'Try again in a minute.', status, transient: true });
      }
      if (status >= 500) {
        throw new DockhandError('amazon.unreachable', `Amazon failed ${what} (${status} ${detail}, request ${requestId ?? 'n/a'})`, { hint: UNREACHABLE_HINT, status, transient: true });
      }
      throw new DockhandError('amazon.rejected', `Amazon rejected ${what} (${status} ${detail}, request ${requestId ?? 'n/a'})`, {
        hint: 'Check the SQS queue ARN and that its access policy lets SP-API (account 437568002678) call sqs:SendMessage and sqs:GetQueueAttributes.',
        status,
      });
    }
  }

  function parse<T>(schema: z.ZodType<T>, res: RawResult, what: string): T {
    let json: unknown;
    try {
      json = JSON.parse(res.body);
    } catch (e) {
      throw new DockhandError('amazon.unparseable', `${what}: response is not JSON`, { hint: UNREACHABLE_HINT, cause: e, status: res.statusCode });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DockhandError('amazon.unparseable', `${what}: unexpected response (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'})`, {
        hint: 'Amazon answered in a shape Dockhand does not know; report this with the request id.',
        status: res.statusCode,
      });
    }
    return parsed.data;
  }

  return {
    async getDestinations() {
      const res = await send('getDestinations', () => ({ endpoint: 'notifications', operation: 'getDestinations' }));
      return parse(GetDestinationsResponse, res, 'getDestinations').payload;
    },
    async createDestination({ name, arn }) {
      const res = await send('createDestination', () => ({
        endpoint: 'notifications',
        operation: 'createDestination',
        body: { name, resourceSpecification: { sqs: { arn } } },
      }));
      return parse(DestinationResponse, res, 'createDestination').payload;
    },
    async getSubscription(notificationType) {
      const res = await send(`getSubscription ${notificationType}`, () => ({ endpoint: 'notifications', operation: 'getSubscription', path: { notificationType } }), [404]);
      if (res.statusCode === 404) return undefined;
      return parse(SubscriptionResponse, res, 'getSubscription').payload;
    },
    async createSubscription(notificationType, body) {
      const res = await send(`createSubscription ${notificationType}`, () => ({
        endpoint: 'notifications',
        operation: 'createSubscription',
        path: { notificationType },
        body: structuredClone(body),
      }));
      return parse(SubscriptionResponse, res, 'createSubscription').payload;
    },
    async deleteSubscriptionById(notificationType, subscriptionId) {
      await send(`deleteSubscriptionById ${notificationType}`, () => ({
        endpoint: 'notifications',
        operation: 'deleteSubscriptionById',
        path: { notificationType, subscriptionId },
      }));
    },
    async close() {
      agent?.destroy();
    },
  };
}

// ---------------------------------------------------------------- setup

export interface EnsureSubscriptionResult {
  destinationId: string;
  subscriptionId: string;
  created: { destination: boolean; subscription: boolean };
}

/** The client methods `ensureOrderChangeSubscription` uses, so a test can pass a fake. */
export type SubscriptionApi = Pick<NotificationsClient, 'getDestinations' | 'createDestination' | 'getSubscription' | 'createSubscription'>;

/**
 * Makes sure ORDER_CHANGE notifications go to `queueArn`. Running it again changes nothing:
 * a destination with the same ARN and an existing subscription pointing at it are reused. An
 * existing subscription pointing at another destination is left alone and reported, because
 * another app install (or a colleague's setup) may depend on it.
 *
 * @throws DockhandError `events.subscription_conflict` for that case, or the client's amazon.* errors.
 */
export async function ensureOrderChangeSubscription(
  client: SubscriptionApi,
  opts: { queueArn: string; marketplaceIds: string[]; name: string },
): Promise<EnsureSubscriptionResult> {
  const destinations = await client.getDestinations();
  let destination = destinations.find((d) => d.resource.sqs?.arn === opts.queueArn);
  const createdDestination = !destination;
  if (!destination) destination = await client.createDestination({ name: opts.name, arn: opts.queueArn });

  const existing = await client.getSubscription('ORDER_CHANGE');
  if (existing) {
    if (existing.destinationId !== destination.destinationId) {
      const other = destinations.find((d) => d.destinationId === existing.destinationId);
      throw new DockhandError(
        'events.subscription_conflict',
        `ORDER_CHANGE is already delivered to destination ${existing.destinationId}${other?.resource.sqs ? ` (${other.resource.sqs.arn})` : ''}, not to ${opts.queueArn}`,
        {
          hint: `Amazon allows one ORDER_CHANGE subscription per app and seller. If nothing uses the other queue any more, delete subscription ${existing.subscriptionId} and run the setup again.`,
        },
      );
    }
    return { destinationId: destination.destinationId, subscriptionId: existing.subscriptionId, created: { destination: createdDestination, subscription: false } };
  }
  const subscription = await client.createSubscription('ORDER_CHANGE', {
    destinationId: destination.destinationId,
    payloadVersion: '1.0',
    processingDirective: {
      eventFilter: {
        eventFilterType: 'ORDER_CHANGE',
        marketplaceIds: opts.marketplaceIds,
        orderChangeTypes: ['OrderStatusChange', 'BuyerRequestedChange'],
      },
    },
  });
  return { destinationId: destination.destinationId, subscriptionId: subscription.subscriptionId, created: { destination: createdDestination, subscription: true } };
}

const AWS_QUEUE_URL = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/(\d{12})\/([A-Za-z0-9_-]{1,80}(\.fifo)?)\/?$/;

/**
 * The ARN of a real AWS queue URL (`https://sqs.<region>.amazonaws.com/<account>/<name>` →
 * `arn:aws:sqs:<region>:<account>:<name>`); undefined for any other URL (a sandbox, a legacy
 * `<region>.queue.amazonaws.com` host), whose ARN only GetQueueAttributes can tell.
 */
export function queueArnFromUrl(url: string): string | undefined {
  const m = AWS_QUEUE_URL.exec(url.trim());
  if (!m) return undefined;
  const partition = m[2] ? 'aws-cn' : 'aws';
  return `arn:${partition}:sqs:${m[1]}:${m[3]}:${m[4]}`;
}

/**
 * The queue's ARN: asked of SQS first (GetQueueAttributes QueueArn, which also proves the
 * queue exists and we may read it), else derived from an AWS queue URL.
 *
 * @throws DockhandError `events.queue_unreachable` when neither works.
 */
export async function resolveQueueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  try {
    const res = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    const arn = res.Attributes?.QueueArn;
    if (arn) return arn;
  } catch (e) {
    const fromUrl = queueArnFromUrl(queueUrl);
    if (fromUrl) return fromUrl;
    throw new DockhandError('events.queue_unreachable', `GetQueueAttributes on ${queueUrl} failed: ${e instanceof Error ? e.message : String(e)}`, {
      hint: 'Check the queue URL and that the AWS credentials allow sqs:GetQueueAttributes.',
      cause: e,
      transient: true,
    });
  }
  const fromUrl = queueArnFromUrl(queueUrl);
  if (fromUrl) return fromUrl;
  throw new DockhandError('events.queue_unreachable', `SQS did not report an ARN for ${queueUrl}`, { hint: 'Check the queue URL.' });
}
