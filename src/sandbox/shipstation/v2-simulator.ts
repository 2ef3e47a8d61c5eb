import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { listenOnLoopback } from '../listen';
import { quote, SIM_CARRIERS } from './rates';
import { FixedRateWindow } from './rate-window';

/** API v2 allows 200 requests a minute per API key, and answers more with 429 and Retry-After (https://docs.shipstation.com/rate-limits). */
export const V2_REQUESTS_PER_MINUTE = 200;

/**
 * A loopback ShipStation API v2 (https://api.shipstation.com), written from
 * test/specs/shipstation/shipstation-v2-openapi.yaml: the `API-Key` header, JSON errors in the
 * spec's error_response_body shape, and a registry of routes so each v2 feature plugs its
 * endpoints in (`routes` option). Built in: GET /v2/carriers and POST /v2/rates, quoting the same
 * price list as the v1 simulator's getrates, with estimated delivery dates.
 */

export interface V2Route {
  method: string;
  pattern: RegExp;
  handler: (ctx: { body: unknown; query: URLSearchParams; match: RegExpExecArray }) => { status?: number; body: unknown };
}

export interface ShipStationV2SimulatorOptions {
  apiKey: string;
  host?: string;
  port?: number;
  clock?: () => number;
  /** More endpoints (inventory, …) registered next to the built-in ones. */
  routes?: V2Route[];
  /**
   * Enforces the 200-a-minute limit over a window of 60 s / `rateScale` (as the v1 simulator
   * scales its window); unset, nothing is limited.
   */
  rateScale?: number;
}

export interface ShipStationV2Simulator {
  url: string;
  /** Calls by `METHOD /path`. */
  stats(): Record<string, number>;
  /** The next `count` calls answer 500. */
  failNext(count: number): void;
  close(): Promise<void>;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const carrierId = (code: string) => `se-${100 + SIM_CARRIERS.indexOf(code)}`;
const money = (amount: number) => ({ currency: 'usd', amount });

function errorBody(status: number, message: string, type = 'validation') {
  return { status, body: { request_id: randomUUID(), errors: [{ error_source: 'shipstation', error_type: type, error_code: status === 401 ? 'unauthorized' : 'invalid_field_value', message }] } };
}

const DAY = 86_400_000;

function ratesAnswer(body: unknown, now: number) {
  const b = isObject(body) ? body : {};
  const opts = isObject(b.rate_options) ? b.rate_options : undefined;
  const ids = Array.isArray(opts?.carrier_ids) ? (opts!.carrier_ids as unknown[]).filter((x): x is string => typeof x === 'string') : [];
  if (ids.length === 0) return errorBody(400, 'rate_options.carrier_ids must name at least one carrier');
  const shipment = isObject(b.shipment) ? b.shipment : undefined;
  const to = isObject(shipment?.ship_to) ? shipment!.ship_to : undefined;
  const from = isObject(shipment?.ship_from) ? shipment!.ship_from : undefined;
  const pkg = Array.isArray(shipment?.packages) && isObject(shipment!.packages[0]) ? (shipment!.packages[0] as Record<string, unknown>) : undefined;
  const w = isObject(pkg?.weight) ? pkg!.weight : undefined;
  if (!to || !from) return errorBody(400, 'shipment.ship_to and shipment.ship_from are required');
  if (!w || typeof w.value !== 'number' || !(w.value > 0)) return errorBody(400, 'shipment.packages[0].weight is required');
  const unit = String(w.unit ?? 'ounce');
  const oz = (w.value as number) * (unit === 'pound' ? 16 : unit === 'gram' ? 1 / 28.3495 : unit === 'kilogram' ? 35.274 : 1);
  const shipmentId = `se-${Math.floor(now / 1000) % 1_000_000_000}`;
  const shipDate = new Date(now).toISOString().slice(0, 10);
  const rates = [];
  const invalid = [];
  for (const id of ids) {
    const code = SIM_CARRIERS.find((c) => carrierId(c) === id);
    if (!code) {
      invalid.push(id);
      continue;
    }
    for (const q of quote(code, oz, String(from.postal_code ?? ''), String(to.postal_code ?? ''), from.country_code === to.country_code, to.address_residential_indicator === 'yes')) {
      rates.push({
        rate_id: `se-${randomUUID().slice(0, 8)}`,
        rate_type: 'shipment',
        carrier_id: id,
        shipping_amount: money(q.shipmentCost),
        insurance_amount: money(0),
        confirmation_amount: money(0),
        other_amount: money(q.otherCost),
        zone: q.zone,
        package_type: 'package',
        delivery_days: q.transitDays,
        guaranteed_service: q.service.days !== 'ground',
        estimated_delivery_date: new Date(now + q.transitDays * DAY).toISOString(),
        carrier_delivery_days: String(q.transitDays),
        ship_date: `${shipDate}T00:00:00Z`,
        negotiated_rate: false,
        service_type: q.service.serviceName,
        service_code: q.service.serviceCode,
        trackable: true,
        carrier_code: code,
        carrier_nickname: code,
        carrier_friendly_name: q.service.serviceName.split(' ')[0]!,
        validation_status: 'valid',
        warning_messages: [],
        error_messages: [],
      });
    }
  }
  return {
    status: 200,
    body: {
      shipment_id: shipmentId,
      ship_date: `${shipDate}T00:00:00Z`,
      created_at: new Date(now).toISOString(),
      modified_at: new Date(now).toISOString(),
      shipment_status: 'pending',
      rate_response: {
        rates,
        invalid_rates: [],
        rate_request_id: `se-${randomUUID().slice(0, 8)}`,
        shipment_id: shipmentId,
        created_at: new Date(now).toISOString(),
        status: invalid.length > 0 ? (rates.length > 0 ? 'partial' : 'error') : 'completed',
        errors: invalid.map((id) => ({ error_source: 'shipstation', error_type: 'validation', error_code: 'invalid_identifier', message: `carrier ${id} is not connected` })),
      },
    },
  };
}

export async function startShipStationV2Simulator(opts: ShipStationV2SimulatorOptions): Promise<ShipStationV2Simulator> {
  const clock = opts.clock ?? Date.now;
  const stats: Record<string, number> = {};
  let failures = 0;
  const limiter = opts.rateScale ? new FixedRateWindow(V2_REQUESTS_PER_MINUTE, 60_000 / opts.rateScale, clock) : undefined;
  const routes: V2Route[] = [
    {
      method: 'GET',
      pattern: /^\/v2\/carriers$/,
      handler: () => ({ body: { carriers: SIM_CARRIERS.map((c) => ({ carrier_id: carrierId(c), carrier_code: c, account_number: `acct_${c}`, requires_funded_amount: c === 'stamps_com', balance: 100, nickname: c, friendly_name: c, primary: true, has_multi_package_supporting_services: true, supports_label_messages: true, disabled_by_billing_plan: false })) } }),
    },
    { method: 'POST', pattern: /^\/v2\/rates$/, handler: ({ body }) => ratesAnswer(body, clock()) },
    ...(opts.routes ?? []),
  ];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const send = (status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    if (req.headers['api-key'] !== opts.apiKey) {
      const e = errorBody(401, 'The request was not authorized: check the API-Key header', 'security');
      return void send(e.status, e.body);
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const window = limiter?.take(opts.apiKey);
    if (window && !window.allowed) {
      stats['429'] = (stats['429'] ?? 0) + 1;
      const e = errorBody(429, 'You have exceeded the rate limit.', 'system');
      return void res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': String(window.resetSeconds) }).end(JSON.stringify({ ...e.body, errors: [{ ...e.body.errors[0], error_code: 'rate_limit_exceeded' }] }));
    }
    for (const r of routes) {
      const match = r.method === method ? r.pattern.exec(url.pathname.replace(/\/+$/, '')) : null;
      if (!match) continue;
      const key = `${method} ${url.pathname}`;
      stats[key] = (stats[key] ?? 0) + 1;
      if (failures > 0) {
        failures--;
        const e = errorBody(500, 'An error occurred', 'system');
        return void send(e.status, e.body);
      }
      let body: unknown;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
      } catch {
        const e = errorBody(400, 'The request body is not valid JSON');
        return void send(e.status, e.body);
      }
      const out = r.handler({ body, query: url.searchParams, match });
      return void send(out.status ?? 200, out.body);
    }
    const e = errorBody(404, `No resource at ${method} ${url.pathname}`, 'validation');
    send(e.status, e.body);
  }

  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  const url = await listenOnLoopback(server, opts, 'http');
  return {
    url,
    stats: () => ({ ...stats }),
    failNext: (n) => void (failures += n),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
