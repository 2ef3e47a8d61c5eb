import { z } from 'zod';

/** `inventory:` in dockhand.yml (the schema config.ts embeds), and what the environment adds. */
export const InventoryFileConfig = z
  .object({
    /** Where stock levels come from. */
    source: z.enum(['shipstation-v2', 'csv', 'webhook']).default('csv'),
    bufferUnits: z.number().int().nonnegative().default(0),
    leadTimeDays: z.number().nonnegative().default(7),
    safetyDays: z.number().nonnegative().default(3),
    /** Push available quantities to every account that has a sellerId (accounts[].inventory overrides). */
    pushToAmazon: z.boolean().default(false),
    /** At least this many changed SKUs go out as one JSON_LISTINGS_FEED instead of patches. */
    feedThreshold: z.number().int().positive().default(200),
    /** Where each change of available quantity is POSTed, signed. */
    erpWebhookUrl: z.string().url().optional(),
    /** Seconds between passes (stock poll, statuses, pushes). */
    intervalSeconds: z.number().positive().default(60),
  })
  .strict();
export type InventoryFileConfig = z.infer<typeof InventoryFileConfig>;

/** `accounts[].inventory`: one account's override of the top-level push setting. */
export const AccountInventoryConfig = z.object({ pushToAmazon: z.boolean().optional() }).strict();

export interface InventoryConfig extends InventoryFileConfig {
  /** DOCKHAND_ERP_WEBHOOK_SECRET: signs ERP pushes and checks POST /webhooks/stock. */
  webhookSecret?: string;
  /** SHIPSTATION_V2_API_KEY. */
  shipstationV2ApiKey?: string;
  /** SHIPSTATION_V2_API_URL; default ShipStation's. */
  shipstationV2Url: string;
}

export const SHIPSTATION_V2_URL = 'https://api.shipstation.com';

type Env = Record<string, string | undefined>;

const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** The inventory settings from the file's section (absent: defaults) and the environment. */
export function inventoryConfigOf(file: InventoryFileConfig | undefined, env: Env): InventoryConfig {
  const parsed = file ?? InventoryFileConfig.parse({});
  const secret = blank(env.DOCKHAND_ERP_WEBHOOK_SECRET);
  const key = blank(env.SHIPSTATION_V2_API_KEY);
  return {
    ...parsed,
    ...(secret ? { webhookSecret: secret } : {}),
    ...(key ? { shipstationV2ApiKey: key } : {}),
    shipstationV2Url: (blank(env.SHIPSTATION_V2_API_URL) ?? SHIPSTATION_V2_URL).replace(/\/+$/, ''),
  };
}

/** Whether quantities go to Amazon for this account: its own setting, else the top level; never without a sellerId. */
export function pushesToAmazon(account: { sellerId?: string; inventory?: { pushToAmazon?: boolean } }, config: Pick<InventoryConfig, 'pushToAmazon'>): boolean {
  if (!account.sellerId) return false;
  return account.inventory?.pushToAmazon ?? config.pushToAmazon;
}
