import { request as httpsRequest } from 'node:https';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { SpApiSimulator } from '../../../src/sandbox/amazon/sp-api-simulator';
import { SANDBOX_LWA_CREDENTIALS } from '../../../src/sandbox/amazon/sp-api-simulator';
import { readSpec } from '../../support/specs';

type SpecFile = 'orders_2026-01-01.json' | 'ordersV0.json' | 'notifications.json' | 'reports_2021-06-30.json' | 'listingsItems_2021-08-01.json' | 'feeds_2021-06-30.json' | 'financesV0.json';

const ajvBySpec = new Map<SpecFile, { ajv: Ajv; definitions: unknown }>();

/**
 * A validator for one Swagger 2 definition of an official SP-API model, so the simulator's
 * output is checked against Amazon's schema rather than against our own reading of it.
 */
export function specValidator(file: SpecFile, definition: string): ValidateFunction {
  let entry = ajvBySpec.get(file);
  if (!entry) {
    const spec = JSON.parse(readSpec(`amazon/${file}`)) as { definitions: unknown };
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    entry = { ajv, definitions: spec.definitions };
    ajvBySpec.set(file, entry);
  }
  return entry.ajv.compile({ $ref: `#/definitions/${definition}`, definitions: entry.definitions });
}

let orderChange: ValidateFunction | undefined;

/**
 * A validator for OrderChangeNotification.json, a draft-07 JSON schema (not Swagger). Its
 * `$schema` URI lacks the trailing '#', which ajv doesn't know, so meta-validation is skipped.
 */
export function orderChangeValidator(): ValidateFunction {
  if (!orderChange) {
    const schema = JSON.parse(readSpec('amazon/OrderChangeNotification.json')) as object;
    const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    orderChange = ajv.compile(schema);
  }
  return orderChange;
}

const draft07 = new Map<string, ValidateFunction>();

/**
 * A validator for one of Amazon's draft-07 JSON schemas (the listings feed and its processing
 * report); their `$schema` URIs lack the trailing '#', so meta-validation is skipped as above.
 */
export function jsonSchemaValidator(file: 'listings-feed-schema-v2.json' | 'listings-feed-processing-report-schema-v2.json'): ValidateFunction {
  let v = draft07.get(file);
  if (!v) {
    const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    v = ajv.compile(JSON.parse(readSpec(`amazon/${file}`)) as object);
    draft07.set(file, v);
  }
  return v;
}

/** Asserts-friendly: returns ajv's errors as text, or '' when valid. */
export function schemaErrors(validate: ValidateFunction, value: unknown): string {
  return validate(value) ? '' : JSON.stringify(validate.errors, null, 1);
}

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

/** One HTTPS call to the simulator, trusting only its sandbox CA. */
export function call(
  sim: Pick<SpApiSimulator, 'url' | 'caCertPem'>,
  method: string,
  path: string,
  opts: { token?: string; body?: string; contentType?: string } = {},
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, sim.url);
    const req = httpsRequest(
      url,
      {
        method,
        ca: sim.caCertPem,
        headers: {
          ...(opts.token ? { 'x-amz-access-token': opts.token } : {}),
          ...(opts.body !== undefined ? { 'content-type': opts.contentType ?? 'application/json' } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** Exchanges the sandbox refresh token for an access token. */
export async function accessToken(sim: SpApiSimulator): Promise<string> {
  const reply = await call(sim, 'POST', '/auth/o2/token', {
    body: JSON.stringify({
      grant_type: 'refresh_token',
      refresh_token: SANDBOX_LWA_CREDENTIALS.refreshToken,
      client_id: SANDBOX_LWA_CREDENTIALS.clientId,
      client_secret: SANDBOX_LWA_CREDENTIALS.clientSecret,
    }),
  });
  if (reply.status !== 200) throw new Error(`LWA refused: ${reply.text}`);
  return (reply.json as { access_token: string }).access_token;
}

/** A client_credentials (grantless) token for `scope`, as amazon-sp-api requests one. */
export async function grantlessToken(sim: SpApiSimulator, scope = 'sellingpartnerapi::notifications'): Promise<string> {
  const reply = await call(sim, 'POST', '/auth/o2/token', {
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope,
      client_id: SANDBOX_LWA_CREDENTIALS.clientId,
      client_secret: SANDBOX_LWA_CREDENTIALS.clientSecret,
    }).toString(),
    contentType: 'application/x-www-form-urlencoded',
  });
  if (reply.status !== 200) throw new Error(`LWA refused: ${reply.text}`);
  return (reply.json as { access_token: string }).access_token;
}

/** A manually advanced clock for rate limits, token expiry and the two-minute rule. */
export function fakeClock(startIso = '2026-03-02T12:00:00.000Z'): { now: () => number; advance: (ms: number) => void; set: (ms: number) => void } {
  let current = Date.parse(startIso);
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    set: (ms) => {
      current = ms;
    },
  };
}
