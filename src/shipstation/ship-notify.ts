import { z } from 'zod';

/**
 * The body ShipStation v1 POSTs to a webhook's target_url (Webhook model,
 * https://www.shipstation.com/docs/api/models/webhook/). It carries no data and no signature:
 * only a URL to GET with our own API credentials. For SHIP_NOTIFY that is
 * `https://ssapi.shipstation.com/shipments?batchId=…&includeShipmentItems=False`.
 */
export const ShipNotifyPayload = z.looseObject({
  /** "Use this URL to get the resource that triggered the webhook. 200-character limit." */
  resource_url: z.url({ protocol: /^https?$/ }),
  /** ORDER_NOTIFY, ITEM_ORDER_NOTIFY, SHIP_NOTIFY, ITEM_SHIP_NOTIFY, FULFILLMENT_SHIPPED or FULFILLMENT_REJECTED. */
  resource_type: z.string().min(1),
});
export type ShipNotifyPayload = z.infer<typeof ShipNotifyPayload>;

/**
 * Whether `resourceUrl` points at the ShipStation API we are configured for: same scheme, host
 * and port as `baseUrl`, and no userinfo. Because the webhook is unsigned, anyone can POST one;
 * fetching an arbitrary URL with our Basic-auth credentials would hand them to whoever wrote
 * it. So `https://ssapi.shipstation.com@evil.example/` (userinfo trick, host is evil.example),
 * `https://ssapi.shipstation.com.evil.example/`, `http://` for an `https://` base and other
 * ports are all refused. Pure: parsing only, no DNS.
 */
export function isTrustedResourceUrl(resourceUrl: string, baseUrl: string): boolean {
  let target: URL;
  let base: URL;
  try {
    target = new URL(resourceUrl);
    base = new URL(baseUrl);
  } catch {
    return false;
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') return false;
  if (target.username !== '' || target.password !== '') return false;
  // URL normalises case, IDNs (to punycode), default ports and percent-encoding in hosts,
  // so comparing the parsed parts compares what a client would actually connect to.
  return target.protocol === base.protocol && target.hostname === base.hostname && target.port === base.port;
}
