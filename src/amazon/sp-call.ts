import { setTimeout as sleep } from 'node:timers/promises';
import Bottleneck from 'bottleneck';
import type { z } from 'zod';
import { DockhandError } from '../domain/errors';
import { silentLogger, type Logger } from '../log/logger';
import { nextRetryDelayMs } from './pacer';
import { classifyThrown, createSellingPartner, TLS_HINT, type AmazonCredentials, type CallParams, type RawResult } from './selling-partner';

/**
 * One SP-API call as the Listings Items and Feeds clients make it: paced by the operation's own
 * usage plan (a token bucket per operation), retried on 429, 5xx and network failures with
 * backoff, the access token refreshed once when Amazon says it expired, and every failure
 * mapped to a DockhandError with a code and a hint. amazon-sp-api only moves the bytes.
 */

export interface UsagePlan {
  ratePerSecond: number;
  burst: number;
}

export interface SpCallerOptions extends AmazonCredentials {
  logger?: Logger;
  maxRetries?: number;
  retryBaseMs?: number;
  timeoutMs?: number;
  random?: () => number;
}

export interface SpCaller {
  /** Sends `params()` (a factory: the library edits it in place), paced under `op`'s plan. */
  send(op: string, what: string, params: () => CallParams): Promise<RawResult>;
  parse<T>(res: RawResult, schema: z.ZodType<T>, what: string): T;
  close(): Promise<void>;
}

const AUTH_HINT = 'Check SELLING_PARTNER_APP_CLIENT_ID, SELLING_PARTNER_APP_CLIENT_SECRET and the refresh token, and that the app has the Product Listing role.';
const UNREACHABLE_HINT = 'Amazon did not answer; Dockhand tries again on the next pass.';

function fromThrown(e: unknown, what: string): DockhandError {
  if (e instanceof DockhandError) return e;
  const { kind, code, message } = classifyThrown(e);
  if (kind === 'lwa_refused') return new DockhandError('amazon.auth_rejected', `Login with Amazon refused our credentials (${code}) during ${what}`, { hint: AUTH_HINT, cause: e });
  if (kind === 'tls') return new DockhandError('amazon.unreachable', `TLS check failed (${code}) during ${what}: ${message}`, { hint: TLS_HINT, cause: e });
  if (kind === 'network' || kind === 'lwa_unavailable') return new DockhandError('amazon.unreachable', `Amazon unreachable (${code}) during ${what}: ${message}`, { hint: UNREACHABLE_HINT, cause: e, transient: true });
  return new DockhandError('internal', `${what} failed: ${message}`, { cause: e });
}

function firstError(body: string): { code: string; message: string; details?: string } | undefined {
  try {
    const e = (JSON.parse(body) as { errors?: Array<{ code: string; message: string; details?: string }> }).errors?.[0];
    return e && typeof e.code === 'string' ? e : undefined;
  } catch {
    return undefined;
  }
}

export function createSpCaller(opts: SpCallerOptions, plans: Record<string, UsagePlan>, endpointsVersions: Record<string, string>): SpCaller {
  const log = (opts.logger ?? silentLogger).child({ component: 'amazon-sp-call' });
  const maxRetries = opts.maxRetries ?? 5;
  const retryBaseMs = opts.retryBaseMs ?? 500;
  const random = opts.random ?? Math.random;
  const timeouts = { deadline: opts.timeoutMs ?? 30_000 };
  const { sp, agent } = createSellingPartner(opts, { timeouts, endpointsVersions, hints: { auth: AUTH_HINT, config: 'Check AMAZON_REGION and the Amazon credentials.' } });
  const limiters = new Map<string, Bottleneck>();
  const limiterFor = (op: string): Bottleneck => {
    let l = limiters.get(op);
    if (!l) {
      const plan = plans[op] ?? { ratePerSecond: 1, burst: 1 };
      // A token bucket: `burst` at once, one more every 1/rate seconds.
      const every = Math.max(1, Math.round(1000 / plan.ratePerSecond));
      l = new Bottleneck({ reservoir: plan.burst, reservoirIncreaseAmount: 1, reservoirIncreaseInterval: every, reservoirIncreaseMaximum: plan.burst });
      limiters.set(op, l);
    }
    return l;
  };

  return {
    async send(op, what, params) {
      let refreshed = false;
      for (let attempt = 0; ; attempt++) {
        const backoff = (throttled: boolean) => nextRetryDelayMs({ attempt: attempt + 1, ratePerSecond: plans[op]?.ratePerSecond ?? 1, throttled, jitter: random(), baseMs: retryBaseMs });
        let res: RawResult;
        try {
          res = await limiterFor(op).schedule(() => sp.callAPI({ ...params(), options: { raw_result: true, timeouts } }));
        } catch (e) {
          const err = fromThrown(e, what);
          if (err.transient && attempt < maxRetries) {
            await sleep(backoff(false));
            continue;
          }
          throw err;
        }
        const status = res.statusCode;
        if (status >= 200 && status < 300) return res;
        const requestId = [res.headers['x-amzn-requestid']].flat()[0] ?? 'n/a';
        const first = firstError(res.body);
        const detail = first ? `${first.code}: ${first.message}` : `HTTP ${status}`;
        if (status === 403 && first?.code === 'Unauthorized' && /access token.*expired/i.test(first.details ?? '') && !refreshed) {
          refreshed = true;
          await sp.refreshAccessToken().catch((e: unknown) => {
            throw fromThrown(e, `refreshing the access token for ${what}`);
          });
          continue;
        }
        if (status === 401 || status === 403) throw new DockhandError('amazon.auth_rejected', `Amazon refused ${what} (${status} ${detail}, request ${requestId})`, { hint: AUTH_HINT, status });
        if ((status === 429 || status >= 500) && attempt < maxRetries) {
          log.warn({ op, status, attempt: attempt + 1, requestId }, 'retrying SP-API call');
          await sleep(backoff(status === 429));
          continue;
        }
        if (status === 429) throw new DockhandError('amazon.rate_limited', `Amazon throttled ${what} ${attempt + 1} times (request ${requestId})`, { hint: 'Dockhand tries again on the next pass.', status, transient: true });
        if (status >= 500) throw new DockhandError('amazon.unreachable', `Amazon failed ${what} (${status} ${detail}, request ${requestId})`, { hint: UNREACHABLE_HINT, status, transient: true });
        throw new DockhandError('amazon.rejected', `Amazon rejected ${what} (${status} ${detail}, request ${requestId})`, { hint: 'Amazon refused the request as sent; the message says which part.', status });
      }
    },
    parse(res, schema, what) {
      let json: unknown;
      try {
        json = JSON.parse(res.body);
      } catch (e) {
        throw new DockhandError('amazon.unparseable', `Amazon answered ${what} with a body that is not JSON`, { hint: UNREACHABLE_HINT, cause: e, status: res.statusCode, transient: true });
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new DockhandError('amazon.unparseable', `Amazon answered ${what} with an unexpected shape: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`, {
          hint: 'Amazon may have changed the API; check for a Dockhand update.',
          status: res.statusCode,
        });
      }
      return parsed.data;
    },
    async close() {
      await Promise.all([...limiters.values()].map((l) => l.stop({ dropWaitingJobs: true }).catch(() => undefined)));
      agent?.destroy();
    },
  };
}

