import { DockhandError } from '../domain/errors';

/**
 * Turning ShipStation v1 failures into DockhandErrors. Pure: status + body text in, error out.
 *
 * ShipStation runs on ASP.NET Web API, so error bodies look like
 *   400 {"Message":"The request is invalid.","ModelState":{"apiOrder.orderDate":["..."]}}
 *   500 {"Message":"An error has occurred.","ExceptionMessage":"...","StackTrace":"..."}
 * and a bad key/secret gets a bare 401 with no JSON. 429 bodies vary (`{"message": ...}`).
 */

const MAX_MESSAGE = 400;

/** ShipStation's own words from an error body, or undefined when it said nothing useful. */
export function shipStationMessage(bodyText: string | undefined): string | undefined {
  const text = (bodyText ?? '').trim();
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text.slice(0, MAX_MESSAGE);
  }
  if (typeof parsed === 'string') return parsed.slice(0, MAX_MESSAGE);
  if (parsed === null || typeof parsed !== 'object') return text.slice(0, MAX_MESSAGE);
  const o = parsed as Record<string, unknown>;
  const parts: string[] = [];
  const message = o.Message ?? o.message ?? o.error ?? o.errorMessage;
  if (typeof message === 'string') parts.push(message);
  if (typeof o.ExceptionMessage === 'string') parts.push(o.ExceptionMessage);
  if (o.ModelState && typeof o.ModelState === 'object') {
    for (const [key, msgs] of Object.entries(o.ModelState as Record<string, unknown>)) {
      const list = Array.isArray(msgs) ? msgs.map(String) : [String(msgs)];
      parts.push(`${key}: ${list.join(' ')}`);
    }
  }
  const joined = parts.join(' ').trim();
  return (joined || text).slice(0, MAX_MESSAGE);
}

const PLAN_WORDS = /\b(plan|subscription|upgrade|payment required|billing)\b/i;

/**
 * True when ShipStation refused because the account's plan has no API access.
 * ShipStation answers 402 Payment Required once a plan no longer includes the API
 * (https://hub.acctivate.com/articles/shipstation-payment-required-402-error). We also accept a
 * 401/403 whose body talks about the plan, because the wording and status have varied and a
 * "check your key" hint would send the user the wrong way.
 */
export function isPlanRefusal(status: number, bodyText: string | undefined): boolean {
  if (status === 402) return true;
  if (status === 401 || status === 403) return PLAN_WORDS.test(bodyText ?? '');
  return false;
}

/** Maps a non-2xx ShipStation answer to the DockhandError the rest of Dockhand sees. */
export function errorForResponse(status: number, bodyText: string | undefined, what: string): DockhandError {
  const said = shipStationMessage(bodyText);
  const suffix = said ? `: ${said}` : '';
  if (isPlanRefusal(status, bodyText)) {
    return new DockhandError('shipstation.plan_refused', `ShipStation refused ${what} because the plan has no API access (HTTP ${status})${suffix}`, {
      status,
      hint: 'Upgrade the ShipStation plan to one that includes API access, generate new API keys under Settings → Account → API Settings, and put them in the config.',
    });
  }
  if (status === 401 || status === 403) {
    return new DockhandError('shipstation.auth_rejected', `ShipStation rejected the API key or secret for ${what} (HTTP ${status})`, {
      status,
      hint: 'Copy the API Key and API Secret from ShipStation → Settings → Account → API Settings into the config; regenerating keys invalidates the old pair.',
    });
  }
  if (status === 429) {
    return new DockhandError('shipstation.rate_limited', `ShipStation rate limit hit for ${what}`, {
      status,
      transient: true,
      hint: 'ShipStation allows 40 calls per minute per API key. If another tool shares this key, give Dockhand its own key.',
    });
  }
  if (status >= 500) {
    return new DockhandError('shipstation.unreachable', `ShipStation failed on ${what} (HTTP ${status})${suffix}`, {
      status,
      transient: true,
      hint: 'ShipStation had a server error; Dockhand retries on the next run. Check status.shipstation.com if it persists.',
    });
  }
  return new DockhandError('shipstation.rejected', `ShipStation rejected ${what} (HTTP ${status})${suffix}`, {
    status,
    hint: 'Fix what ShipStation names in the message, then press Retry.',
  });
}

const TRANSIENT_NETWORK = new Set(['ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'UND_ERR_SOCKET']);

/** Maps a request that got no HTTP answer (timeout, reset, DNS) to `shipstation.unreachable`. */
export function errorForNetwork(cause: unknown, what: string): DockhandError {
  const code = (cause as { code?: unknown } | undefined)?.code;
  const codeText = typeof code === 'string' ? code : 'unknown';
  return new DockhandError('shipstation.unreachable', `No answer from ShipStation for ${what} (${codeText})`, {
    cause,
    transient: typeof code !== 'string' || TRANSIENT_NETWORK.has(code),
    hint: 'Check this machine can reach ssapi.shipstation.com (network, proxy, firewall), then press Retry.',
  });
}
