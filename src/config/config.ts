import type { RenderContext } from '../domain/block-kit';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { DockhandError } from '../domain/errors';
import { defaultTimeZone, marketplaceById, type Region } from '../domain/marketplaces';
import { isKnownTimeZone } from '../domain/wall-clock';
import { DEFAULT_RETURNS_CONFIG, ReturnsFileConfig, type ReturnsConfig } from '../returns/returns-config';
import { formatRuleIssue, parseRateShopping, parseRules, type RateShoppingConfig, type Rule } from '../rules/schema';
import { DigestFileConfig, ReportsFileConfig, type ReportsConfig } from '../reports/config';
import { AccountInventoryConfig, InventoryFileConfig, inventoryConfigOf, type InventoryConfig } from '../inventory/config';

/**
 * The one place that reads process.env. Secrets come from the environment (and `.env`);
 * everything else from a YAML file (DOCKHAND_CONFIG, default ./dockhand.yml).
 */

/** A Slack channel: its ID (C…/G…) or name (#name or name). */
const SlackChannel = z.string().regex(/^(#?[a-z0-9][a-z0-9._-]{0,79}|[CG][A-Z0-9]{2,})$/, 'a channel ID (C…) or a channel name like #fulfillment-alerts');

export const AccountConfig = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes, at most 40'),
    region: z.enum(['na', 'eu', 'fe']),
    marketplaceIds: z.array(z.string()).min(1),
    mode: z.enum(['import', 'watch']).default('import'),
    /** Name of the environment variable holding this account's LWA refresh token. */
    refreshTokenEnv: z.string().default('AMAZON_REFRESH_TOKEN'),
    /** The seller's merchant token: routes ORDER_CHANGE notifications when one queue serves several accounts. */
    sellerId: z.string().regex(/^[A-Z0-9]{8,20}$/, 'a merchant token: 8 to 20 upper-case letters and digits').optional(),
    /** The seller's IANA time zone for ship dates; by default the first marketplace's. */
    timeZone: z
      .string()
      .refine(isKnownTimeZone, 'an IANA time zone such as America/Chicago')
      .optional(),
    shipstation: z
      .object({
        storeId: z.number().int().positive().optional(),
        warehouseId: z.number().int().positive().optional(),
      })
      .strict()
      .default({}),
    inventory: AccountInventoryConfig.optional(),
  })
  .strict();

const FileConfig = z
  .object({
    accounts: z.array(AccountConfig).optional(),
    sync: z
      .object({
        intervalSeconds: z.number().positive().default(60),
        overlapSeconds: z.number().nonnegative().default(60),
        lookbackDays: z.number().positive().max(30).optional(),
      })
      .strict()
      .default({ intervalSeconds: 60, overlapSeconds: 60 }),
    events: z
      .object({
        /** The seller's SQS queue that Amazon delivers ORDER_CHANGE notifications to. */
        sqsQueueUrl: z.string().url(),
        /** Messages handled at once. */
        concurrency: z.number().int().min(1).max(100).default(10),
        /** While events flow, polling (the safety net) runs this many times less often. */
        pollingSlowdown: z.number().min(1).max(60).default(5),
      })
      .strict()
      .optional(),
    writeback: z
      .object({
        /** Seconds between polling passes over ShipStation's labels (the safety net for webhooks). */
        pollSeconds: z.number().positive().default(60),
        /** How far back the first polling pass looks for labels. */
        lookbackHours: z.number().positive().max(24 * 14).default(48),
        /** Warn this many minutes before Amazon's latest ship date. */
        leadTimesMinutes: z.array(z.number().int().positive()).min(1).default([240, 60]),
        /** Minutes between reconciliation passes. */
        reconcileMinutes: z.number().positive().default(10),
        /** The ShipStation tag "Mark priority" adds (created if missing). */
        priorityTag: z.string().min(1).default('Priority'),
      })
      .strict()
      .optional(),
    retention: z
      .object({
        /** Buyer data (name, address…) is dropped this long after Amazon closed the order. */
        buyerDataDays: z.number().int().positive().default(30),
        /** Order records and lines are dropped this long after Amazon closed the order. */
        ordersDays: z.number().int().positive().default(90),
        /** Fulfillment facts (no buyer data: the KPIs' source) are kept this long after purchase. */
        factsDays: z.number().int().positive().default(400),
      })
      .strict()
      .default({ buyerDataDays: 30, ordersDays: 90, factsDays: 400 }),
    slack: z
      .object({
        channels: z
          .object({
            /** Where everything goes that has no channel of its own. */
            default: SlackChannel.optional(),
            alerts: SlackChannel.optional(),
            digest: SlackChannel.optional(),
            returns: SlackChannel.optional(),
            inventory: SlackChannel.optional(),
          })
          .strict()
          .default({}),
        /** Slack user IDs (U…/W…) and user-group IDs (S…) allowed to pause, resume, re-route and approve refunds. */
        managers: z.array(z.string().regex(/^[UWS][A-Z0-9]{2,}$/, 'a Slack user ID (U…, W…) or user-group ID (S…)')).default([]),
      })
      .strict()
      .optional(),
    returns: ReturnsFileConfig.optional(),
    /** Validated by src/rules/schema.ts, whose errors name the rule. */
    rules: z.unknown().optional(),
    rateShopping: z.unknown().optional(),
    reports: ReportsFileConfig.optional(),
    digest: DigestFileConfig.optional(),
    inventory: InventoryFileConfig.optional(),
  })
  .strict();

export type AccountConfig = z.infer<typeof AccountConfig> & { refreshToken?: string };

export interface Config {
  configPath?: string;
  accounts: AccountConfig[];
  amazon: {
    clientId?: string;
    clientSecret?: string;
    spApiUrl?: string;
    lwaUrl?: string;
  };
  shipstation: {
    apiKey?: string;
    apiSecret?: string;
    baseUrl: string;
    /**
     * Where a person opens an order ("Open in ShipStation"): ShipStation's web app when `baseUrl` is
     * ShipStation's API, the simulator's order page in the sandbox; absent for any other API (a
     * proxy, a test double), where Dockhand cannot know where its orders are seen.
     */
    appUrl?: string;
  };
  dataDir: string;
  storeUrl?: string;
  secretKey?: string;
  lookbackDays: number;
  sync: { intervalSeconds: number; overlapSeconds: number };
  retention: { buyerDataDays: number; ordersDays: number; factsDays: number };
  writeback: {
    pollSeconds: number;
    lookbackHours: number;
    leadTimesMinutes: number[];
    reconcileMinutes: number;
    priorityTag: string;
    /** SHIPSTATION_WEBHOOK_SECRET: the `secret` query parameter SHIP_NOTIFY calls must carry. */
    webhookSecret?: string;
    /** DOCKHAND_PUBLIC_URL: where ShipStation can reach this app; `start` then registers the webhook. */
    publicUrl?: string;
  };
  /** ORDER_CHANGE notifications through SQS; absent: polling only. */
  events?: { sqsQueueUrl: string; concurrency: number; pollingSlowdown: number; sqsEndpoint?: string };
  slack: {
    botToken?: string;
    signingSecret?: string;
    /** Socket Mode when set: no public URL needed. */
    appToken?: string;
    /**
     * SLACK_API_URL as the WebClient's `slackApiUrl` takes it: always ending in `/api/`
     * (`https://slack.com/api/`), whichever form was given. Absent: Slack's own.
     */
    apiUrl?: string;
    /** HOST: the interface the HTTP port listens on; absent: all of them (the sandbox forces 127.0.0.1). */
    host?: string;
    /** HTTP port for Slack requests at /slack/events, /healthz and webhooks. */
    port: number;
    channels: { default?: string; alerts?: string; digest?: string; returns?: string; inventory?: string };
    managers: string[];
  };
  returns: ReturnsConfig;
  /** True when no Amazon credentials are set: `npm start` then runs against the sandbox. */
  useSandbox: boolean;
  /** The `rules:` section, in file order (src/rules). */
  rules: Rule[];
  rateShopping: RateShoppingConfig;
  /** ShipStation API v2 (rate shopping across carriers in one call), when SHIPSTATION_V2_API_KEY is set. */
  shipstationV2?: { apiKey: string; baseUrl: string };
  /** KPI reports and the daily digest. */
  reports: ReportsConfig;
  inventory: InventoryConfig;
}

export const SHIPSTATION_V2_URL = 'https://api.shipstation.com';

export const SHIPSTATION_V1_URL = 'https://ssapi.shipstation.com';
/** ShipStation's web app, where staff see the orders the v1 API holds. */
export const SHIPSTATION_APP_URL = 'https://ship.shipstation.com';

export type Env = Record<string, string | undefined>;

/** Reads `.env` (if present) under the real environment: real variables win. */
export function readEnv(cwd = process.cwd(), processEnv: Env = process.env): Env {
  const file = path.join(cwd, '.env');
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  return { ...fromFile, ...processEnv };
}

/** The account's time zone: its own setting, else its first marketplace's usual one. */
export function timeZoneOf(account: Pick<AccountConfig, 'timeZone' | 'marketplaceIds'>): string {
  return account.timeZone ?? defaultTimeZone(account.marketplaceIds[0] ?? '');
}

function blank(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function invalid(where: string, key: string, expected: string): DockhandError {
  return new DockhandError('config.invalid', `${where}: ${key}: ${expected}`, {
    hint: `Fix ${key} in ${where} and run \`dockhand config check\`.`,
  });
}

function loadFile(file: string): z.infer<typeof FileConfig> {
  const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new DockhandError('config.invalid', `${file}: not valid YAML: ${doc.errors[0]!.message}`, {
      hint: 'Fix the YAML syntax (indentation, quotes) and try again.',
    });
  }
  const parsed = FileConfig.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join('.') || '(top level)';
    throw invalid(file, key, issue.message);
  }
  return parsed.data;
}

function parseNumber(env: Env, name: string, check: (n: number) => boolean, expected: string): number | undefined {
  const raw = blank(env[name]);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || !check(n)) throw invalid('environment', name, `${expected}, got "${raw}"`);
  return n;
}

function parseUrl(env: Env, name: string): string | undefined {
  const raw = blank(env[name]);
  if (raw === undefined) return undefined;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('protocol');
  } catch {
    throw invalid('environment', name, `an http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

/**
 * Slack's SDKs name the Web API base `https://slack.com/api/` (GovSlack `https://slack-gov.com/api/`),
 * and method names are appended to it; others write the bare origin. Both are accepted, with or
 * without a trailing slash, and come out in the SDK's form, so `/api/` is never doubled. Pure.
 */
export function slackApiBaseUrl(raw: string): string {
  const u = new URL(raw);
  const base = u.pathname.replace(/\/+$/, '');
  u.pathname = `${/\/api$/.test(base) ? base : `${base}/api`}/`;
  return u.toString();
}

function parseSlackApiUrl(env: Env): string | undefined {
  const raw = parseUrl(env, 'SLACK_API_URL');
  if (raw === undefined) return undefined;
  const u = new URL(raw);
  if (u.search || u.hash) throw invalid('environment', 'SLACK_API_URL', `a base URL such as https://slack.com/api/ without a query or fragment, got "${raw}"`);
  return slackApiBaseUrl(raw);
}

/** An IP address or a host name (`0.0.0.0`, `::`, `127.0.0.1`, `localhost`). */
function parseHost(env: Env): string | undefined {
  const raw = blank(env.HOST);
  if (raw === undefined) return undefined;
  if (isIP(raw) === 0 && !/^[a-z0-9][a-z0-9.-]{0,252}$/i.test(raw)) {
    throw invalid('environment', 'HOST', `an IP address (0.0.0.0, ::, 127.0.0.1) or a host name, got "${raw}"`);
  }
  return raw;
}

function checkMarketplaces(where: string, key: string, region: Region, ids: string[]): void {
  ids.forEach((id, i) => {
    const m = marketplaceById(id);
    if (!m) throw invalid(where, `${key}[${i}]`, `"${id}" is not an Amazon marketplace ID`);
    if (m.region !== region) {
      throw invalid(where, `${key}[${i}]`, `marketplace ${id} (${m.country}) belongs to region ${m.region}, not ${region}`);
    }
  });
}

/**
 * Builds the Config from the environment and the optional YAML file. Throws
 * DockhandError('config.invalid') naming the file (or "environment"), the key and what is expected.
 */
export function loadConfig(env: Env = readEnv(), cwd = process.cwd()): Config {
  const explicitPath = blank(env.DOCKHAND_CONFIG);
  const configPath = path.resolve(cwd, explicitPath ?? 'dockhand.yml');
  let file: z.infer<typeof FileConfig> | undefined;
  if (existsSync(configPath)) file = loadFile(configPath);
  else if (explicitPath) {
    throw new DockhandError('config.missing', `DOCKHAND_CONFIG points at ${configPath}, which does not exist`, {
      hint: 'Create the file or unset DOCKHAND_CONFIG to configure one account from the environment.',
    });
  }

  const lookbackFromEnv = parseNumber(env, 'AMAZON_SYNC_LOOKBACK_DAYS', (n) => n > 0 && n <= 30, 'a number of days from 1 to 30');
  const clientId = blank(env.SELLING_PARTNER_APP_CLIENT_ID);
  const clientSecret = blank(env.SELLING_PARTNER_APP_CLIENT_SECRET);

  let accounts: AccountConfig[];
  if (file?.accounts && file.accounts.length > 0) {
    const seen = new Set<string>();
    accounts = file.accounts.map((a, i) => {
      if (seen.has(a.id)) throw invalid(configPath, `accounts[${i}].id`, `"${a.id}" is used twice`);
      seen.add(a.id);
      checkMarketplaces(configPath, `accounts[${i}].marketplaceIds`, a.region, a.marketplaceIds);
      const refreshToken = blank(env[a.refreshTokenEnv]);
      return refreshToken ? { ...a, refreshToken } : { ...a };
    });
  } else {
    const regionRaw = blank(env.AMAZON_REGION) ?? 'na';
    if (!['na', 'eu', 'fe'].includes(regionRaw)) throw invalid('environment', 'AMAZON_REGION', `one of na, eu, fe, got "${regionRaw}"`);
    const region = regionRaw as Region;
    const ids = (blank(env.AMAZON_MARKETPLACE_IDS) ?? (region === 'na' ? 'ATVPDKIKX0DER' : ''))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (ids.length === 0) throw invalid('environment', 'AMAZON_MARKETPLACE_IDS', `at least one marketplace ID for region ${region}`);
    checkMarketplaces('environment', 'AMAZON_MARKETPLACE_IDS', region, ids);
    const refreshToken = blank(env.AMAZON_REFRESH_TOKEN);
    accounts = [
      {
        id: 'default',
        region,
        marketplaceIds: ids,
        mode: 'import',
        refreshTokenEnv: 'AMAZON_REFRESH_TOKEN',
        shipstation: {},
        ...(refreshToken ? { refreshToken } : {}),
      },
    ];
  }

  const rulesParsed = parseRules(file?.rules);
  const rateShopping = parseRateShopping(file?.rateShopping);
  const ruleIssue = rulesParsed.issues[0] ?? rateShopping.issues[0];
  if (ruleIssue) {
    throw new DockhandError('config.invalid', `${configPath}: ${formatRuleIssue(ruleIssue)}`, { hint: 'Fix the rule and run `dockhand rules check`, which lists every problem.' });
  }
  const v2Key = blank(env.SHIPSTATION_V2_API_KEY);

  const useSandbox = !clientId && !clientSecret && accounts.every((a) => !a.refreshToken);

  return {
    ...(file ? { configPath } : {}),
    accounts,
    amazon: {
      ...(clientId ? { clientId } : {}),
      ...(clientSecret ? { clientSecret } : {}),
      ...opt('spApiUrl', parseUrl(env, 'AMAZON_SP_API_URL')),
      ...opt('lwaUrl', parseUrl(env, 'AMAZON_LWA_URL')),
    },
    shipstation: withShipStationAppUrl({
      ...opt('apiKey', blank(env.SHIPSTATION_API_KEY)),
      ...opt('apiSecret', blank(env.SHIPSTATION_API_SECRET)),
      baseUrl: parseUrl(env, 'SHIPSTATION_API_URL') ?? SHIPSTATION_V1_URL,
    }),
    dataDir: path.resolve(cwd, blank(env.DOCKHAND_DATA_DIR) ?? 'data'),
    ...opt('storeUrl', blank(env.DOCKHAND_STORE_URL)),
    ...opt('secretKey', blank(env.DOCKHAND_SECRET_KEY)),
    lookbackDays: lookbackFromEnv ?? file?.sync.lookbackDays ?? 3,
    sync: {
      intervalSeconds: file?.sync.intervalSeconds ?? 60,
      overlapSeconds: file?.sync.overlapSeconds ?? 60,
    },
    retention: {
      buyerDataDays: file?.retention.buyerDataDays ?? 30,
      ordersDays: Math.max(file?.retention.ordersDays ?? 90, file?.retention.buyerDataDays ?? 30),
      factsDays: file?.retention.factsDays ?? 400,
    },
    writeback: {
      pollSeconds: file?.writeback?.pollSeconds ?? 60,
      lookbackHours: file?.writeback?.lookbackHours ?? 48,
      leadTimesMinutes: [...(file?.writeback?.leadTimesMinutes ?? [240, 60])].sort((a, b) => b - a),
      reconcileMinutes: file?.writeback?.reconcileMinutes ?? 10,
      priorityTag: file?.writeback?.priorityTag ?? 'Priority',
      ...opt('webhookSecret', blank(env.SHIPSTATION_WEBHOOK_SECRET)),
      ...opt('publicUrl', parseUrl(env, 'DOCKHAND_PUBLIC_URL')),
    },
    ...(file?.events ? { events: file.events } : {}),
    slack: {
      ...opt('botToken', blank(env.SLACK_BOT_TOKEN)),
      ...opt('signingSecret', blank(env.SLACK_SIGNING_SECRET)),
      ...opt('appToken', blank(env.SLACK_APP_TOKEN)),
      ...opt('apiUrl', parseSlackApiUrl(env)),
      ...opt('host', parseHost(env)),
      port: parseNumber(env, 'PORT', (n) => Number.isInteger(n) && n >= 0 && n < 65536, 'a TCP port number') ?? 3000,
      channels: file?.slack?.channels ?? {},
      managers: file?.slack?.managers ?? [],
    },
    returns: file?.returns ?? DEFAULT_RETURNS_CONFIG,
    useSandbox,
    rules: rulesParsed.rules,
    rateShopping: rateShopping.config,
    ...(v2Key ? { shipstationV2: { apiKey: v2Key, baseUrl: parseUrl(env, 'SHIPSTATION_V2_API_URL') ?? SHIPSTATION_V2_URL } } : {}),
    reports: { timeZone: file?.reports?.timeZone ?? timeZoneOf(accounts[0]!), digestTime: file?.digest?.time ?? '08:00' },
    inventory: inventoryConfigOf(file?.inventory, env),
  };
}

/** ShipStation's web app goes with ShipStation's own API only (see `Config.shipstation.appUrl`). */
function withShipStationAppUrl(s: Omit<Config['shipstation'], 'appUrl'>): Config['shipstation'] {
  return s.baseUrl === SHIPSTATION_V1_URL ? { ...s, appUrl: SHIPSTATION_APP_URL } : s;
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** What is missing to run for real, one line each (no secret values). */
export function missingForLive(config: Config): string[] {
  const missing: string[] = [];
  if (!config.amazon.clientId) missing.push('SELLING_PARTNER_APP_CLIENT_ID');
  if (!config.amazon.clientSecret) missing.push('SELLING_PARTNER_APP_CLIENT_SECRET');
  for (const a of config.accounts) if (!a.refreshToken) missing.push(`${a.refreshTokenEnv} (account ${a.id})`);
  if (!config.shipstation.apiKey) missing.push('SHIPSTATION_API_KEY');
  if (!config.shipstation.apiSecret) missing.push('SHIPSTATION_API_SECRET');
  return missing;
}

/** What Slack messages need from the config besides their data: where "Open in ShipStation" leads. */
export function renderContextOf(config: Pick<Config, 'shipstation'>): RenderContext {
  return config.shipstation.appUrl !== undefined ? { shipstationAppUrl: config.shipstation.appUrl } : {};
}
