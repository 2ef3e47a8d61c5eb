import axios, { type AxiosInstance } from 'axios';
import { z } from 'zod';
import { DockhandError } from '../domain/errors';
import { silentLogger, type Logger } from '../log/logger';
import { errorForNetwork, errorForResponse } from './errors';

/**
 * ShipStation API v2 (https://api.shipstation.com, test/specs/shipstation/shipstation-v2-openapi.yaml):
 * the base every v2 endpoint shares (the `API-Key` header, JSON, errors) and POST /v2/rates, which
 * quotes several carriers in one call with estimated delivery dates. Thin: one method per
 * endpoint, zod-parsed answers, no decisions. Another v2 feature registers its endpoints on
 * `V2Base.call` rather than opening a second client.
 */

export interface ShipStationV2Options {
  /** `https://api.shipstation.com` in production (SHIPSTATION_V2_API_URL overrides it, as SHIPSTATION_API_URL does for v1). */
  baseUrl: string;
  apiKey: string;
  logger?: Logger;
  timeoutMs?: number;
  /** Injected for tests: waits out a 429's Retry-After. */
  sleep?: (ms: number) => Promise<void>;
}

/** Retries of a call ShipStation answered 429 (every v2 call here only reads or quotes, so a retry is safe). */
const MAX_RATE_LIMITED_RETRIES = 3;

const Money = z.looseObject({ currency: z.string().nullish(), amount: z.number() });

export const V2Carrier = z.looseObject({ carrier_id: z.string(), carrier_code: z.string().nullish(), nickname: z.string().nullish() });
export type V2Carrier = z.infer<typeof V2Carrier>;

export const V2Rate = z.looseObject({
  rate_id: z.string().nullish(),
  carrier_id: z.string().nullish(),
  carrier_code: z.string().nullish(),
  service_code: z.string().nullish(),
  package_type: z.string().nullish(),
  shipping_amount: Money,
  other_amount: Money.nullish(),
  insurance_amount: Money.nullish(),
  confirmation_amount: Money.nullish(),
  delivery_days: z.number().int().nullish(),
  estimated_delivery_date: z.string().nullish(),
});
export type V2Rate = z.infer<typeof V2Rate>;

export const V2RatesResponse = z.looseObject({
  rate_response: z.looseObject({
    rates: z.array(V2Rate).nullish(),
    invalid_rates: z.array(z.unknown()).nullish(),
    status: z.string().nullish(),
    errors: z.array(z.looseObject({ message: z.string().nullish() })).nullish(),
  }),
});
export type V2RatesResponse = z.infer<typeof V2RatesResponse>;

/** A v2 address (ship_to / ship_from of a shipment). Buyer data: never log. */
export interface V2Address {
  name: string;
  phone: string;
  address_line1: string;
  city_locality: string;
  state_province: string;
  postal_code: string;
  country_code: string;
  address_residential_indicator?: 'yes' | 'no' | 'unknown';
}

export interface V2RatesRequest {
  rate_options: { carrier_ids: string[]; service_codes?: string[]; package_types?: string[] };
  shipment: {
    ship_to: V2Address;
    ship_from: V2Address;
    packages: Array<{ weight: { value: number; unit: 'ounce' }; dimensions?: { unit: 'inch'; length: number; width: number; height: number } }>;
  };
}

export interface ShipStationV2Client {
  /** GET /v2/carriers: the carriers connected to the account (v2 rates take carrier ids). */
  listCarriers(): Promise<V2Carrier[]>;
  /** POST /v2/rates. */
  calculateRates(body: V2RatesRequest): Promise<V2RatesResponse>;
  /** GET /v2/labels (e.g. `tracking_number`): the labels' JSON, read by the caller (returns). */
  listLabels(query: Record<string, string>): Promise<unknown>;
  /** POST /v2/labels/{label_id}/return: a return label for an outbound label. */
  createReturnLabel(labelId: string, body: Record<string, unknown>): Promise<unknown>;
}

export function createShipStationV2Client(opts: ShipStationV2Options): ShipStationV2Client {
  const log = (opts.logger ?? silentLogger).child({ component: 'shipstation-v2' });
  const http: AxiosInstance = axios.create({
    baseURL: opts.baseUrl.replace(/\/+$/, ''),
    timeout: opts.timeoutMs ?? 30_000,
    headers: { Accept: 'application/json', 'API-Key': opts.apiKey },
    validateStatus: () => true,
    transformResponse: [(d: unknown) => d],
    responseType: 'text',
  });

  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  /** Until when the key's window is spent (a 429's Retry-After): later calls wait instead of meeting another 429. */
  let heldUntil = 0;

  async function call<S extends z.ZodType>(method: 'GET' | 'POST', path: string, what: string, schema: S, body?: unknown): Promise<z.infer<S>> {
    let res;
    for (let attempt = 0; ; attempt++) {
      if (heldUntil > Date.now()) await sleep(heldUntil - Date.now());
      try {
        res = await http.request<string>({ method, url: path, data: body, headers: body === undefined ? undefined : { 'Content-Type': 'application/json' } });
      } catch (e) {
        throw errorForNetwork(e, what);
      }
      if (res.status !== 429 || attempt >= MAX_RATE_LIMITED_RETRIES) break;
      // v2 allows 200 calls a minute per key (its own, apart from v1's 40) and names the wait in Retry-After.
      const seconds = Number(res.headers['retry-after']);
      heldUntil = Date.now() + (Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 60_000);
      log.warn({ path, attempt: attempt + 1, waitMs: heldUntil - Date.now() }, 'shipstation v2 rate limited; waiting');
    }
    log.debug({ method, path, status: res.status }, 'shipstation v2 call');
    const text = typeof res.data === 'string' ? res.data : '';
    if (res.status < 200 || res.status >= 300) throw errorForResponse(res.status, text, what);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new DockhandError('shipstation.unparseable', `ShipStation v2 answered ${what} with something that is not JSON`, { cause: e, status: res.status });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const where = parsed.error.issues.slice(0, 5).map((i) => i.path.join('.') || '(root)').join(', ');
      throw new DockhandError('shipstation.unparseable', `ShipStation v2's answer to ${what} has an unexpected shape at ${where}`, { cause: parsed.error, status: res.status });
    }
    return parsed.data;
  }

  return {
    async listCarriers() {
      const r = await call('GET', '/v2/carriers', 'list carriers', z.looseObject({ carriers: z.array(V2Carrier) }));
      return r.carriers;
    },
    calculateRates(body) {
      return call('POST', '/v2/rates', `rates (${body.rate_options.carrier_ids.length} carriers)`, V2RatesResponse, body);
    },
    listLabels: (query) => call('GET', `/v2/labels?${new URLSearchParams(query).toString()}`, 'list labels', z.unknown()),
    createReturnLabel: (labelId, body) => call('POST', `/v2/labels/${encodeURIComponent(labelId)}/return`, `return label for ${labelId}`, z.unknown(), body),
  };
}
