import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAmazonOrdersClient } from '../../src/amazon/orders-client';
import { TLS_HINT } from '../../src/amazon/selling-partner';
import { openRuntime } from '../../src/cli/runtime';
import { loadConfig, type Config } from '../../src/config/config';
import { DockhandError } from '../../src/domain/errors';
import { silentLogger } from '../../src/log/logger';
import { startShipStationSimulator, type ShipStationSimulator } from '../../src/sandbox/shipstation/simulator';
import { run as runSync } from '../../src/sync/sync-orders.job';
import { startAmazonDouble, type AmazonDouble } from '../support/amazon-double';
import { ROOT, runCli } from '../support/cli';
import { issueTestCertificates, type TestCertificates } from '../support/test-ca';

/**
 * AMAZON_SP_API_URL and AMAZON_LWA_URL behave as any SDK's endpoint override: TLS is checked
 * against the host of the URL given (here 127.0.0.1), not Amazon's. The Amazon side is a
 * double written from the spec in test/support (not the bundled simulator, not its CA); the
 * ShipStation side is the bundled simulator.
 */

const CLIENT = { clientId: 'amzn1.application-oa2-client.double', clientSecret: 'double-secret', refreshToken: 'Atzr|double-refresh' };
const SHIPSTATION = { apiKey: 'double-ss-key', apiSecret: 'double-ss-secret' };
const US = 'ATVPDKIKX0DER';

/** A merchant-fulfilled order ready to ship, shaped as the spec's `Order` with its example's datasets. */
function mfnOrder(orderId: string, sellerSku: string, now: number): Record<string, unknown> {
  const at = (hours: number) => new Date(now + hours * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const usd = (amount: string) => ({ amount, currencyCode: 'USD' });
  return {
    orderId,
    createdTime: at(-3),
    lastUpdatedTime: at(-2),
    programs: [],
    salesChannel: { channelName: 'AMAZON', marketplaceId: US, marketplaceName: 'Amazon.com' },
    buyer: { buyerName: 'Dana Double', buyerEmail: 'dana-double@marketplace.amazon.com' },
    recipient: {
      deliveryAddress: {
        name: 'Dana Double',
        addressLine1: '410 Terry Ave N',
        city: 'Seattle',
        stateOrRegion: 'WA',
        postalCode: '98109',
        countryCode: 'US',
        phone: '206-555-0100',
        addressType: 'RESIDENTIAL',
      },
    },
    proceeds: { grandTotal: usd('24.99'), breakdowns: [{ type: 'ITEM', subtotal: usd('24.99') }] },
    fulfillment: {
      fulfillmentStatus: 'UNSHIPPED',
      fulfilledBy: 'MERCHANT',
      fulfillmentServiceLevel: 'STANDARD',
      shipByWindow: { earliestDateTime: at(-3), latestDateTime: at(30) },
      deliverByWindow: { earliestDateTime: at(48), latestDateTime: at(96) },
    },
    orderItems: [
      {
        orderItemId: `${orderId.replace(/-/g, '')}01`,
        quantityOrdered: 1,
        product: { asin: 'B0DOUBLE01', title: 'Double-checked widget', sellerSku, price: { unitPrice: usd('24.99') } },
        proceeds: { proceedsTotal: usd('24.99'), breakdowns: [{ type: 'ITEM', subtotal: usd('24.99') }] },
        fulfillment: { quantityFulfilled: 0, quantityUnfulfilled: 1 },
      },
    ],
  };
}

const ORDER_IDS = ['113-4100001-0000001', '113-4100001-0000002'];

let root: string;
let shipstation: ShipStationSimulator;
let double: AmazonDouble | undefined;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'dockhand-override-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function start(names: Parameters<typeof issueTestCertificates>[0]): Promise<{ tls: TestCertificates; caPath: string; dataDir: string }> {
  const tls = issueTestCertificates(names);
  const dir = mkdtempSync(path.join(root, 'run-'));
  const caPath = path.join(dir, 'double-ca.pem');
  writeFileSync(caPath, tls.caCertPem);
  const now = Date.now();
  double = await startAmazonDouble({ tls, client: CLIENT, orders: ORDER_IDS.map((id, i) => mfnOrder(id, `DOUBLE-SKU-${i + 1}`, now)) });
  shipstation = await startShipStationSimulator({ ...SHIPSTATION, rateScale: 1000 });
  return { tls, caPath, dataDir: path.join(dir, 'data') };
}

/** Live settings, as a user would set them to point Dockhand at another endpoint. */
function liveEnv(dataDir: string): Record<string, string> {
  return {
    DOCKHAND_DATA_DIR: dataDir,
    DOCKHAND_SECRET_KEY: 'override-test',
    SELLING_PARTNER_APP_CLIENT_ID: CLIENT.clientId,
    SELLING_PARTNER_APP_CLIENT_SECRET: CLIENT.clientSecret,
    AMAZON_REFRESH_TOKEN: CLIENT.refreshToken,
    AMAZON_SP_API_URL: double!.url,
    AMAZON_LWA_URL: double!.lwaUrl,
    SHIPSTATION_API_KEY: SHIPSTATION.apiKey,
    SHIPSTATION_API_SECRET: SHIPSTATION.apiSecret,
    SHIPSTATION_API_URL: shipstation.url,
  };
}

function expectOrdersImported(): void {
  for (const id of ORDER_IDS) expect(shipstation.getByOrderNumber(id), id).toHaveLength(1);
  expect(shipstation.orders()).toHaveLength(ORDER_IDS.length);
}

function expectCheckedAgainstTheUrlHost(): void {
  const authority = new URL(double!.url).host;
  expect(double!.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['POST /auth/o2/token 200', 'GET /orders/2026-01-01/orders 200']);
  for (const r of double!.requests) {
    // The Host header names the override, as an SDK's would; an IP literal is sent no SNI.
    expect(r.host).toBe(authority);
    expect(r.servername).toBeUndefined();
  }
  const search = double!.requests[1]!.query;
  expect(search.get('marketplaceIds')).toBe(US);
  expect(search.get('fulfilledBy')).toBe('MERCHANT');
}

describe('endpoint overrides, against a second Amazon double on 127.0.0.1', { timeout: 60_000 }, () => {
  afterEach(async () => {
    await double?.close();
    double = undefined;
    await shipstation.close();
  });

  it('imports through a double with a certificate for 127.0.0.1 whose CA is in NODE_EXTRA_CA_CERTS (dockhand sync --once)', async () => {
    const { caPath, dataDir } = await start({ ips: ['127.0.0.1'] });
    const r = await runCli(['sync', '--once'], { ...liveEnv(dataDir), NODE_EXTRA_CA_CERTS: caPath });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/sync default: 2 seen in 1 page\(s\): 2 created/);
    // Node warns when a servername is an IP; none was set.
    expect(r.stderr).not.toMatch(/TLS ServerName/);
    expectOrdersImported();
    expectCheckedAgainstTheUrlHost();
  });

  it('imports through the same double with its CA given to the runtime in-process', async () => {
    const { tls, dataDir } = await start({ ips: ['127.0.0.1'] });
    // The runtime's CA option, as applySandbox sets it for `npm start`'s sandbox.
    const config = { ...loadConfig(liveEnv(dataDir), dataDir), sandboxCa: tls.caCertPem } as Config;
    const rt = await openRuntime(config, silentLogger);
    try {
      const summary = await runSync({ accountId: 'default' }, rt.contextFor(rt.config.accounts[0]!));
      expect(summary).toMatchObject({ seen: 2, created: 2, quarantined: 0 });
    } finally {
      await rt.close();
    }
    expectOrdersImported();
    expectCheckedAgainstTheUrlHost();
  });

  it('refuses a certificate for another name, naming the host it expected and the names the certificate has', async () => {
    const { tls } = await start({ dns: ['other.example'] });
    const client = createAmazonOrdersClient({ region: 'na', ...CLIENT, spApiUrl: double!.url, lwaUrl: double!.lwaUrl, ca: tls.caCertPem, maxRetries: 0 });
    let err: unknown;
    try {
      await client.searchOrders({ marketplaceIds: [US], lastUpdatedAfter: new Date(Date.now() - 86_400_000).toISOString() });
    } catch (e) {
      err = e;
    } finally {
      await client.close();
    }
    expect(err).toBeInstanceOf(DockhandError);
    const e = err as DockhandError;
    expect(e.code).toBe('amazon.unreachable');
    expect(e.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(e.message).toMatch(/not valid for 127\.0\.0\.1, the host Dockhand expected; it names DNS:other\.example/);
    expect(e.hint).toBe(TLS_HINT);
    // The handshake failed: no HTTP request reached the double.
    expect(double!.requests).toEqual([]);
  });

  it('exits 1 from sync --once on a certificate for another name, even with its CA trusted, and imports nothing', async () => {
    const { caPath, dataDir } = await start({ dns: ['other.example'] });
    const r = await runCli(['sync', '--once'], { ...liveEnv(dataDir), NODE_EXTRA_CA_CERTS: caPath });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
    expect(r.stderr).toMatch(/127\.0\.0\.1, the host Dockhand expected; it names DNS:other\.example/);
    expect(shipstation.orders()).toEqual([]);
    expect(double!.requests).toEqual([]);
  });

  it('refuses a certificate for 127.0.0.1 from a CA it was not given', async () => {
    await start({ ips: ['127.0.0.1'] });
    const stranger = issueTestCertificates({ ips: ['127.0.0.1'] }).caCertPem;
    const client = createAmazonOrdersClient({ region: 'na', ...CLIENT, spApiUrl: double!.url, lwaUrl: double!.lwaUrl, ca: stranger, maxRetries: 0 });
    const err = await client.searchOrders({ marketplaceIds: [US], lastUpdatedAfter: new Date(Date.now() - 86_400_000).toISOString() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await client.close();
    expect(err).toMatchObject({ code: 'amazon.unreachable', message: expect.stringMatching(/UNABLE_TO_VERIFY_LEAF_SIGNATURE/) });
    expect(double!.requests).toEqual([]);
  });
});

describe('certificate checks', () => {
  function sources(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const p = path.join(dir, name);
      return statSync(p).isDirectory() ? sources(p) : /\.(ts|mjs|js)$/.test(name) ? [p] : [];
    });
  }

  it('are never switched off anywhere in src/', () => {
    const offenders = sources(path.join(ROOT, 'src')).filter((file) =>
      /rejectUnauthorized\s*:\s*false|NODE_TLS_REJECT_UNAUTHORIZED|checkServerIdentity\s*:/.test(readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
