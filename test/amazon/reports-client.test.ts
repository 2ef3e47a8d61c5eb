import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createReportsClient, type ReportsClient } from '../../src/amazon/reports-client';
import { silentLogger } from '../../src/log/logger';
import { accountHealthSource, healthFigures, isNearTarget, SellerPerformanceReport } from '../../src/reports/account-health';
import { SANDBOX_LWA_CREDENTIALS, startSpApiSimulator, type SpApiSimulator } from '../../src/sandbox/amazon/sp-api-simulator';
import { createSandboxTls, type SandboxTls } from '../../src/sandbox/tls';
import { accessToken, call, schemaErrors, specValidator } from '../sandbox/amazon/support';

/** The generic Reports API client against the simulator, whose answers are held to reports_2021-06-30.json. */

let tls: SandboxTls;
let sim: SpApiSimulator | undefined;
let client: ReportsClient | undefined;
beforeAll(() => {
  tls = createSandboxTls();
});
afterEach(async () => {
  client?.close();
  await sim?.close();
  sim = undefined;
  client = undefined;
});

async function setUp(): Promise<ReportsClient> {
  sim = await startSpApiSimulator({ tls });
  client = createReportsClient({ region: 'na', ...SANDBOX_LWA_CREDENTIALS, spApiUrl: sim.url, lwaUrl: sim.lwaUrl, ca: tls.caCertPem, logger: silentLogger, sleep: async () => undefined });
  return client;
}

describe('Reports API', () => {
  it('answers createReport, getReport and getReportDocument as the model says', async () => {
    await setUp();
    const token = await accessToken(sim!);
    const created = await call(sim!, 'POST', '/reports/2021-06-30/reports', { token, body: JSON.stringify({ reportType: 'GET_V2_SELLER_PERFORMANCE_REPORT', marketplaceIds: ['ATVPDKIKX0DER'] }), contentType: 'application/json' });
    expect([created.status, schemaErrors(specValidator('reports_2021-06-30.json', 'CreateReportResponse'), created.json)]).toEqual([202, '']);
    const id = (created.json as { reportId: string }).reportId;
    const seen: string[] = [];
    let report: { processingStatus: string; reportDocumentId?: string } = { processingStatus: '' };
    while (!['DONE', 'FATAL', 'CANCELLED'].includes(report.processingStatus)) {
      const got = await call(sim!, 'GET', `/reports/2021-06-30/reports/${id}`, { token });
      expect(schemaErrors(specValidator('reports_2021-06-30.json', 'Report'), got.json)).toBe('');
      report = got.json as typeof report;
      seen.push(report.processingStatus);
    }
    expect(seen).toEqual(['IN_QUEUE', 'IN_PROGRESS', 'DONE']);
    const doc = await call(sim!, 'GET', `/reports/2021-06-30/documents/${encodeURIComponent(report.reportDocumentId!)}`, { token });
    expect(schemaErrors(specValidator('reports_2021-06-30.json', 'ReportDocument'), doc.json)).toBe('');
    const bad = await call(sim!, 'POST', '/reports/2021-06-30/reports', { token, body: JSON.stringify({ reportType: 'X' }), contentType: 'application/json' });
    expect([bad.status, schemaErrors(specValidator('reports_2021-06-30.json', 'ErrorList'), bad.json)]).toEqual([400, '']);
  });

  it('fetches a report end to end, gunzipping its document, for any registered type', async () => {
    const c = await setUp();
    sim!.registerReportType('GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE', () => ({ content: 'Order ID\tReturn reason\n111-0000000-0000001\tDEFECTIVE\n', contentType: 'text/tab-separated-values' }));
    const bytes = await c.fetchReport({ reportType: 'GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE', marketplaceIds: ['ATVPDKIKX0DER'] }, { pollMs: 0 });
    expect(bytes.toString('utf8')).toContain('111-0000000-0000001\tDEFECTIVE');
  });

  it('says so when a report ends FATAL (a type the roles do not allow)', async () => {
    const c = await setUp();
    await expect(c.fetchReport({ reportType: 'GET_NOT_ALLOWED', marketplaceIds: ['ATVPDKIKX0DER'] }, { pollMs: 0 })).rejects.toMatchObject({ code: 'amazon.rejected', message: expect.stringContaining('FATAL') });
  });

  it("reads the seller performance report into Amazon's figures beside ours, once a day", async () => {
    const c = await setUp();
    let now = Date.parse('2026-12-01T12:00:00Z');
    const kept = new Map<string, { at: number; doc: string }>();
    const cache = { lastHealthReport: async (k: string) => kept.get(k), saveHealthReport: async (k: string, at: number, doc: string) => void kept.set(k, { at, doc }) };
    const health = accountHealthSource({ client: c, cache, marketplaceIds: ['ATVPDKIKX0DER'], logger: silentLogger, now: () => now, pollMs: 0 });
    const figures = await health({ onTime: { due: 100, onTime: 97, late: 3, rate: 0.97, lateByCause: { labelLate: 2, confirmationLate: 1, notShipped: 0 } }, orders: { received: 200, shipped: 190, cancelled: 2, openAtEnd: 5 } });
    expect(figures).toEqual([
      { name: 'Late shipment rate', amazon: 0.037, dockhand: 0.03, target: { below: 0.04 }, nearTarget: true },
      { name: 'Valid tracking rate', amazon: 0.9932, target: { above: 0.95 }, nearTarget: false },
      { name: 'Pre-fulfillment cancel rate', amazon: 0.0136, dockhand: 0.01, target: { below: 0.025 }, nearTarget: false },
    ]);
    now += 3_600_000;
    await health();
    // Another process (a restart, a second replica) finds the day's report kept and does not ask again.
    const again = accountHealthSource({ client: c, cache, marketplaceIds: ['ATVPDKIKX0DER'], logger: silentLogger, now: () => now, pollMs: 0 });
    expect(await again()).toHaveLength(3);
    expect(sim!.reportRequests()).toHaveLength(1);
    now += 86_400_000;
    await again();
    expect(sim!.reportRequests()).toHaveLength(2);
  });
});

describe('close to target', () => {
  it.each([
    [0.031, { below: 0.04 }, false],
    [0.032, { below: 0.04 }, true],
    [0.05, { below: 0.04 }, true],
    [0.961, { above: 0.95 }, false],
    [0.96, { above: 0.95 }, true],
    [0.94, { above: 0.95 }, true],
  ])('%f against %o: %s', (rate, target, near) => expect(isNearTarget(rate, target)).toBe(near));

  it('takes the target the report states over the published one', () => {
    const doc = SellerPerformanceReport.parse({ performanceMetrics: [{ lateShipmentRate: { rate: 0.01, targetValue: 0.012, targetCondition: 'LESS_THAN' } }] });
    expect(healthFigures(doc, undefined)).toEqual([{ name: 'Late shipment rate', amazon: 0.01, target: { below: 0.012 }, nearTarget: true }]);
  });
});
