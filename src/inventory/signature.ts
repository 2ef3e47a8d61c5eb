import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Dockhand's webhook signature, for the ERP push and the incoming POST /webhooks/stock:
 * `X-Dockhand-Timestamp: <Unix seconds>` and `X-Dockhand-Signature: v1=<hex HMAC-SHA256 of
 * "<timestamp>.<body>">` under DOCKHAND_ERP_WEBHOOK_SECRET. Pure, clock injected.
 */
export const TIMESTAMP_HEADER = 'X-Dockhand-Timestamp';
export const SIGNATURE_HEADER = 'X-Dockhand-Signature';
/** A timestamp further than this from our clock is refused (replays). */
export const MAX_SKEW_SECONDS = 5 * 60;

export function signBody(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function signedHeaders(secret: string, body: string, nowMs: number): Record<string, string> {
  const ts = Math.floor(nowMs / 1000);
  return { [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: signBody(secret, ts, body) };
}

export type SignatureVerdict = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'forged' };

export function verifySignature(secret: string, headers: { timestamp?: string; signature?: string }, body: string, nowMs: number): SignatureVerdict {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature) return { ok: false, reason: 'missing' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'forged' };
  const ts = Number(timestamp);
  if (Math.abs(nowMs / 1000 - ts) > MAX_SKEW_SECONDS) return { ok: false, reason: 'stale' };
  // Several v1 entries (a secret being rotated) are accepted, as Slack and Stripe do.
  const expected = Buffer.from(signBody(secret, ts, body));
  const match = signature.split(',').some((s) => {
    const given = Buffer.from(s.trim());
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return match ? { ok: true } : { ok: false, reason: 'forged' };
}
