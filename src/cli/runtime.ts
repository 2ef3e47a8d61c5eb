import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { createAmazonOrdersClient, fetchDockhandOrder, fetchOrderPage, type AmazonOrdersClient } from '../amazon/orders-client';
import type { AmazonCredentials } from '../amazon/selling-partner';
import type { AccountConfig, Config } from '../config/config';
import { createNotificationsClient, type NotificationsClient } from '../events/notifications-client';
import { DockhandError } from '../domain/errors';
import { withEcho, type NoticeEcho, type Notifier } from '../domain/notifier';
import { createAlertRecorder, type AlertRecorder } from '../slack/alerts';
import type { Logger } from '../log/logger';
import { SIMULATED_APP_PATH } from '../sandbox/shipstation/order-page';
import { createShipStationClient, type ShipStationClient } from '../shipstation/client';
import { createSealer, resolveSealerKey, type Sealer } from '../store/sealer';
import { isLeaseOwnerGone, leaseOwner, Store } from '../store/store';
import type { SyncContext } from '../sync/sync-orders.job';
import { createRulesParts, type RulesParts } from '../rules/parts';
import { parseRules } from '../rules/schema';
import { SANDBOX_RULES, SANDBOX_TRANSIT_DAYS } from './sandbox-defaults';

/**
 * Wiring: turns a Config into live clients and job contexts. The only module (with main.ts)
 * that knows every part.
 */

/** Where a running sandbox tells other CLI commands how to reach it. */
export const SandboxInfo = z.object({
  pid: z.number(),
  spApiUrl: z.string(),
  lwaUrl: z.string(),
  caPath: z.string(),
  shipstationUrl: z.string(),
  clientId: z.string(),
  clientSecret: z.string(),
  refreshToken: z.string(),
  shipstationApiKey: z.string(),
  shipstationApiSecret: z.string(),
  marketplaceIds: z.array(z.string()),
  sqsEndpoint: z.string(),
  sqsQueueUrl: z.string(),
});
export type SandboxInfo = z.infer<typeof SandboxInfo>;

export function sandboxInfoPath(dataDir: string): string {
  return path.join(dataDir, 'sandbox', 'sandbox.json');
}

/**
 * Without Amazon credentials every command talks to the sandbox that `npm start` (or
 * `dockhand sandbox`) runs; this fills the connection settings in from its info file.
 */
export function withSandboxConnections(config: Config): Config {
  if (!config.useSandbox) return config;
  const file = sandboxInfoPath(config.dataDir);
  if (!existsSync(file)) {
    throw new DockhandError('config.missing', 'no Amazon credentials are set and no sandbox is running', {
      hint: 'Run `npm start` (or `dockhand sandbox`) in another terminal to use the sandbox, or set SELLING_PARTNER_APP_CLIENT_ID, SELLING_PARTNER_APP_CLIENT_SECRET and AMAZON_REFRESH_TOKEN to go live.',
    });
  }
  const info = SandboxInfo.parse(JSON.parse(readFileSync(file, 'utf8')));
  if (!isAlive(info.pid)) {
    throw new DockhandError('config.missing', `the sandbox that wrote ${file} is no longer running`, {
      hint: 'Start it again with `npm start` or `dockhand sandbox`.',
    });
  }
  return withSandboxRules(applySandbox(config, info));
}

/** Without a config file the sandbox runs its default rules (sandbox-defaults.ts), so `npm start` shows them. */
export function withSandboxRules(config: Config): Config {
  if (config.configPath || config.rules.length > 0) return config;
  return { ...config, rules: parseRules(SANDBOX_RULES).rules, rateShopping: { ...config.rateShopping, transitDays: { ...SANDBOX_TRANSIT_DAYS, ...config.rateShopping.transitDays } } };
}

export function applySandbox(config: Config, info: SandboxInfo): Config {
  return {
    ...config,
    accounts: config.accounts.map((a) => ({ ...a, refreshToken: info.refreshToken, marketplaceIds: a.id === 'default' ? info.marketplaceIds : a.marketplaceIds })),
    amazon: { clientId: info.clientId, clientSecret: info.clientSecret, spApiUrl: info.spApiUrl, lwaUrl: info.lwaUrl },
    shipstation: { apiKey: info.shipstationApiKey, apiSecret: info.shipstationApiSecret, baseUrl: info.shipstationUrl, appUrl: `${info.shipstationUrl}${SIMULATED_APP_PATH}` },
    events: { concurrency: 10, pollingSlowdown: 5, ...config.events, sqsQueueUrl: info.sqsQueueUrl, sqsEndpoint: info.sqsEndpoint },
    sandboxCa: readFileSync(info.caPath, 'utf8'),
  } as Config;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface Runtime {
  config: Config;
  store: Store;
  sealer: Sealer;
  shipstation: ShipStationClient;
  amazon: Map<string, AmazonOrdersClient>;
  /** The seller's SQS queue client, when events are configured. */
  sqs?: SQSClient;
  logger: Logger;
  /** What every job tells people through: `alerts`, perhaps with an echo. */
  notifier: Notifier;
  /** The alert outbox's recorder: what jobs and Slack actions record, for the Slack drain to send. */
  alerts: AlertRecorder;
  owner: string;
  contextFor(account: AccountConfig, extra?: Partial<SyncContext>): SyncContext;
  /** The rules, their name lookups and rate shopping (src/rules). */
  rules: RulesParts;
  /** A Notifications API client for one account (subscriptions are per seller). */
  notificationsFor(account: AccountConfig): NotificationsClient;
  /** One account's SP-API credentials and endpoints, for the clients built outside the runtime (inventory). */
  credentialsFor(account: AccountConfig): AmazonCredentials;
  close(): Promise<void>;
}

function required(value: string | undefined, name: string): string {
  if (!value) {
    throw new DockhandError('config.missing', `${name} is not set`, {
      hint: `Set ${name} in the environment (or .env); \`dockhand config check\` lists everything that is missing.`,
    });
  }
  return value;
}

/**
 * Opens the store and builds the clients. Every problem any command meets is recorded in the
 * alert outbox (Slack or not); `echo` also shows each notice as it happens.
 */
export async function openRuntime(config: Config, logger: Logger, echo?: NoticeEcho, opts: { longRunning?: boolean } = {}): Promise<Runtime> {
  const store = await Store.open({
    dataDir: config.dataDir,
    ...(config.storeUrl ? { storeUrl: config.storeUrl } : {}),
    // `dockhand start` keeps writing: its SQLite checkpoints run beside it (src/store/db.ts).
    ...(opts.longRunning ? { checkpointInBackground: true } : {}),
  });
  const alerts = createAlertRecorder({ store, now: () => new Date(), logger: logger.child({ part: 'alerts' }) });
  const notifier = echo ? withEcho(alerts, echo) : alerts;
  const sealer = createSealer(resolveSealerKey(config.dataDir, config.secretKey));
  const shipstation = createShipStationClient({
    baseUrl: config.shipstation.baseUrl,
    apiKey: required(config.shipstation.apiKey, 'SHIPSTATION_API_KEY'),
    apiSecret: required(config.shipstation.apiSecret, 'SHIPSTATION_API_SECRET'),
    logger: logger.child({ vendor: 'shipstation' }),
  });
  const ca = (config as Config & { sandboxCa?: string }).sandboxCa;
  const credentialsFor = (account: AccountConfig): AmazonCredentials => ({
    region: account.region,
    clientId: required(config.amazon.clientId, 'SELLING_PARTNER_APP_CLIENT_ID'),
    clientSecret: required(config.amazon.clientSecret, 'SELLING_PARTNER_APP_CLIENT_SECRET'),
    refreshToken: required(account.refreshToken, account.refreshTokenEnv),
    ...(config.amazon.spApiUrl ? { spApiUrl: config.amazon.spApiUrl } : {}),
    ...(config.amazon.lwaUrl ? { lwaUrl: config.amazon.lwaUrl } : {}),
    ...(ca ? { ca } : {}),
  });
  const amazon = new Map<string, AmazonOrdersClient>();
  for (const account of config.accounts) {
    amazon.set(
      account.id,
      createAmazonOrdersClient({ ...credentialsFor(account), logger: logger.child({ vendor: 'amazon', accountId: account.id }) }),
    );
  }
  const host = hostname();
  const sqs = config.events ? createSqsClient(config.events) : undefined;
  const owner = leaseOwner(host, process.pid, randomUUID().slice(0, 8));
  const rules = createRulesParts({ config, store, shipstation, notifier, logger });
  return {
    rules,
    config,
    store,
    sealer,
    shipstation,
    amazon,
    ...(sqs ? { sqs } : {}),
    logger,
    notifier,
    alerts,
    owner,
    contextFor(account, extra = {}) {
      const client = amazon.get(account.id)!;
      return {
        account,
        store,
        sealer,
        amazon: {
          fetchOrderPage: (q) => fetchOrderPage(client, q, { accountId: account.id }, logger),
          fetchOrder: (id) => fetchDockhandOrder(client, id, { accountId: account.id, marketplaceIds: account.marketplaceIds }),
        },
        shipstation,
        notifier,
        logger,
        now: () => new Date(),
        lookbackDays: config.lookbackDays,
        overlapSeconds: config.sync.overlapSeconds,
        owner,
        isLeaseOwnerGone: (o) => isLeaseOwnerGone(o, host, isAlive),
        ...(rules.routing ? { routing: rules.routing } : {}),
        ...extra,
      };
    },
    credentialsFor,
    notificationsFor(account) {
      return createNotificationsClient({ ...credentialsFor(account), logger: logger.child({ vendor: 'amazon-notifications', accountId: account.id }) });
    },
    async close() {
      sqs?.destroy();
      for (const c of amazon.values()) await c.close();
      await store.close();
    },
  };
}

/**
 * The SQS client for the seller's queue. Credentials come from the AWS SDK's standard chain
 * (environment, shared profile, instance role) and AWS_ENDPOINT_URL_SQS is honoured by the SDK;
 * the region is read from an AWS queue URL when AWS_REGION does not say.
 */
export function createSqsClient(events: NonNullable<Config['events']>): SQSClient {
  // package.json pins an SDK release that supports Node 20, the platform we run on; its notice
  // about later releases needing Node 22 says nothing an operator can act on here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const region = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\//.exec(events.sqsQueueUrl)?.[1];
  if (events.sqsEndpoint) {
    // The sandbox's loopback queue: any credentials do, the signature is not checked there.
    return new SQSClient({ endpoint: events.sqsEndpoint, region: region ?? 'us-east-1', credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } });
  }
  return new SQSClient(region ? { region } : {});
}
