import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { readBoundedBody } from '../domain/listen';
import type { Logger } from '../log/logger';
import type { StockLevelInput } from '../store/inventory';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from './signature';

/**
 * `POST /webhooks/stock`: the ERP posts stock levels, signed as Dockhand signs its own pushes.
 * 204 when stored; 400 naming the bad entry; 401 for a missing, forged or stale (> 5 min)
 * signature. The levels are stored before the answer, and acted on right after.
 */
export const STOCK_WEBHOOK_PATH = '/webhooks/stock';
const MAX_BODY = 5 * 1024 * 1024;

const Level = z.object({ sku: z.string().min(1), onHand: z.number().int().nonnegative(), warehouse: z.string().min(1).optional() }).strict();
const Body = z.object({ levels: z.array(z.unknown()).min(1) }).strict();

export interface StockWebhookContext {
  secret: string | undefined;
  now: () => number;
  logger: Logger;
  /** Stores the levels; resolves with the SKUs whose stock changed. */
  store(levels: StockLevelInput[]): Promise<string[]>;
  /** Acts on the changed SKUs (not awaited by the answer). */
  onChanged(skus: string[]): void;
}

/** The body's levels, or what is wrong with it (naming the entry). Pure. */
export function parseStockBody(raw: string): { levels: StockLevelInput[] } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { error: 'the body is not JSON' };
  }
  const body = Body.safeParse(json);
  if (!body.success) return { error: 'the body must be {"levels":[{"sku":…,"onHand":…,"warehouse"?:…}, …]} with at least one level' };
  const levels: StockLevelInput[] = [];
  for (const [i, entry] of body.data.levels.entries()) {
    const l = Level.safeParse(entry);
    if (!l.success) {
      const issue = l.error.issues[0];
      const sku = typeof (entry as { sku?: unknown } | null)?.sku === 'string' ? ` (sku ${(entry as { sku: string }).sku})` : '';
      return { error: `levels[${i}]${sku}: ${issue?.path.join('.') || 'entry'}: ${issue?.message ?? 'invalid'}` };
    }
    levels.push({ sku: l.data.sku, onHand: l.data.onHand, ...(l.data.warehouse ? { warehouse: l.data.warehouse } : {}) });
  }
  return { levels };
}

export function handleStockWebhook(ctx: StockWebhookContext, req: IncomingMessage, res: ServerResponse): void {
  const answer = (status: number, error?: string) => {
    if (error === undefined) res.writeHead(status).end();
    else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
  };
  readBoundedBody(req, MAX_BODY, (body) => {
    void (async () => {
      if (!body) return answer(413, 'the body is larger than 5 MB');
      const raw = body.toString('utf8');
      if (!ctx.secret) return answer(401, 'DOCKHAND_ERP_WEBHOOK_SECRET is not set: stock webhooks are refused');
      const header = (name: string) => [req.headers[name.toLowerCase()]].flat()[0];
      const verdict = verifySignature(ctx.secret, { timestamp: header(TIMESTAMP_HEADER), signature: header(SIGNATURE_HEADER) }, raw, ctx.now());
      if (!verdict.ok) {
        ctx.logger.warn({ job: 'stock-webhook', reason: verdict.reason }, 'stock webhook refused');
        return answer(401, verdict.reason === 'stale' ? 'the timestamp is more than 5 minutes off' : 'the signature does not match');
      }
      const parsed = parseStockBody(raw);
      if ('error' in parsed) return answer(400, parsed.error);
      const changed = await ctx.store(parsed.levels);
      answer(204);
      if (changed.length > 0) ctx.onChanged(changed);
    })().catch((e: unknown) => {
      ctx.logger.error({ job: 'stock-webhook', err: (e as Error).message }, 'stock webhook failed');
      if (!res.headersSent) answer(500, 'the levels could not be stored; send them again');
    });
  });
}
