import { request } from 'node:https';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { z } from 'zod';
import { DockhandError } from '../domain/errors';
import { silentLogger, type Logger } from '../log/logger';
import { classifyThrown, createSellingPartner, TLS_HINT, type AmazonCredentials, type CallParams, type RawResult } from './selling-partner';

/**
 * A thin client of the Reports API 2021-06-30 (reports_2021-06-30.json), for any report type:
 * createReport, getReport (and polling it until DONE, CANCELLED or FATAL), getReportDocument,
 * and downloading the document from its pre-signed URL, gunzipped when Amazon says GZIP. The
 * SP-API calls go through amazon-sp-api with the same endpoint overrides as the orders client
 * (AMAZON_SP_API_URL, AMAZON_LWA_URL, the CA); the document URL is fetched as given, its
 * certificate checked against that URL. Report contents are parsed by whoever asked for them.
 */

export const CreateReportResponse = z.object({ reportId: z.string() });
export const Report = z.object({
  reportId: z.string(),
  reportType: z.string(),
  processingStatus: z.enum(['CANCELLED', 'DONE', 'FATAL', 'IN_PROGRESS', 'IN_QUEUE']),
  createdTime: z.string(),
  marketplaceIds: z.array(z.string()).optional(),
  dataStartTime: z.string().optional(),
  dataEndTime: z.string().optional(),
  processingStartTime: z.string().optional(),
  processingEndTime: z.string().optional(),
  reportDocumentId: z.string().optional(),
});
export type Report = z.infer<typeof Report>;
export const ReportDocument = z.object({ reportDocumentId: z.string(), url: z.string(), compressionAlgorithm: z.literal('GZIP').optional() });
export type ReportDocument = z.infer<typeof ReportDocument>;

export interface ReportSpecification {
  reportType: string;
  marketplaceIds: string[];
  dataStartTime?: string;
  dataEndTime?: string;
  reportOptions?: Record<string, string>;
}

export interface ReportsClientOptions extends AmazonCredentials {
  logger?: Logger;
  timeoutMs?: number;
  /** Attempts for a 429, 5xx or network failure (default 4). */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface ReportsClient {
  /** Requests a report; Amazon makes it in the background. */
  createReport(spec: ReportSpecification): Promise<string>;
  getReport(reportId: string): Promise<Report>;
  /** Polls getReport until the report is DONE, CANCELLED or FATAL (or `timeoutMs` passes). */
  waitForReport(reportId: string, opts?: { pollMs?: number; timeoutMs?: number }): Promise<Report>;
  getReportDocument(reportDocumentId: string): Promise<ReportDocument>;
  /** The document's bytes, decompressed. */
  download(doc: ReportDocument): Promise<Buffer>;
  /** createReport → wait → document → download; throws when the report ends without a document. */
  fetchReport(spec: ReportSpecification, opts?: { pollMs?: number; timeoutMs?: number }): Promise<Buffer>;
  close(): void;
}

const AUTH_HINT = 'Check the Amazon credentials; a report the seller’s roles do not allow ends FATAL instead.';
const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createReportsClient(opts: ReportsClientOptions): ReportsClient {
  const log = (opts.logger ?? silentLogger).child({ component: 'amazon-reports', region: opts.region });
  const timeouts = { deadline: opts.timeoutMs ?? 30_000 };
  const sleep = opts.sleep ?? realSleep;
  const maxAttempts = opts.maxAttempts ?? 4;
  const { sp, agent } = createSellingPartner(opts, { timeouts, endpointsVersions: { reports: '2021-06-30' }, hints: { auth: AUTH_HINT, config: 'Check AMAZON_REGION and the Amazon credentials.' } });

  async function send<T>(what: string, schema: z.ZodType<T>, params: () => CallParams): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let res: RawResult;
      try {
        res = await sp.callAPI({ ...params(), options: { raw_result: true, timeouts } });
      } catch (e) {
        const f = classifyThrown(e);
        const transient = f.kind === 'network' || f.kind === 'lwa_unavailable';
        if (transient && attempt < maxAttempts) {
          await sleep(1000 * 2 ** (attempt - 1));
          continue;
        }
        const code = f.kind === 'lwa_refused' ? 'amazon.auth_rejected' : f.kind === 'unknown' ? 'internal' : 'amazon.unreachable';
        throw new DockhandError(code, `${what} failed: ${f.message}`, { hint: f.kind === 'tls' ? TLS_HINT : AUTH_HINT, cause: e, transient });
      }
      const status = res.statusCode;
      if (status >= 200 && status < 300) {
        let body: unknown;
        try {
          body = JSON.parse(res.body);
        } catch (e) {
          throw new DockhandError('amazon.unparseable', `${what}: Amazon's answer is not JSON`, { cause: e, hint: 'Tried again on the next run.' });
        }
        const parsed = schema.safeParse(body);
        if (!parsed.success) throw new DockhandError('amazon.unparseable', `${what}: unexpected answer (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`, { hint: 'Tried again on the next run.' });
        return parsed.data;
      }
      if ((status === 429 || status >= 500) && attempt < maxAttempts) {
        log.warn({ what, status, attempt }, 'retrying Reports API call');
        await sleep(status === 429 ? 60_000 / 4 : 1000 * 2 ** (attempt - 1));
        continue;
      }
      if (status === 401 || status === 403) throw new DockhandError('amazon.auth_rejected', `Amazon refused ${what} (${status})`, { hint: AUTH_HINT, status });
      if (status === 429) throw new DockhandError('amazon.rate_limited', `Amazon throttled ${what}`, { hint: 'Reports are read once a day; it is tried again tomorrow.', status, transient: true });
      if (status >= 500) throw new DockhandError('amazon.unreachable', `Amazon failed ${what} (${status})`, { hint: 'Tried again on the next run.', status, transient: true });
      throw new DockhandError('amazon.rejected', `Amazon rejected ${what} (${status}): ${res.body.slice(0, 300)}`, { hint: 'Check the report type and marketplaces.', status });
    }
  }

  const client: ReportsClient = {
    async createReport(spec) {
      return (await send('createReport', CreateReportResponse, () => ({ operation: 'createReport', endpoint: 'reports', body: spec }))).reportId;
    },
    getReport: (reportId) => send(`getReport ${reportId}`, Report, () => ({ operation: 'getReport', endpoint: 'reports', path: { reportId } })),
    async waitForReport(reportId, o = {}) {
      const deadline = Date.now() + (o.timeoutMs ?? 15 * 60_000);
      for (;;) {
        const r = await client.getReport(reportId);
        if (r.processingStatus === 'DONE' || r.processingStatus === 'CANCELLED' || r.processingStatus === 'FATAL') return r;
        if (Date.now() > deadline) throw new DockhandError('amazon.unreachable', `report ${reportId} is still ${r.processingStatus}`, { hint: 'Amazon is slow making it; it is asked for again on the next run.', transient: true });
        await sleep(o.pollMs ?? 30_000);
      }
    },
    getReportDocument: (reportDocumentId) => send(`getReportDocument ${reportDocumentId}`, ReportDocument, () => ({ operation: 'getReportDocument', endpoint: 'reports', path: { reportDocumentId } })),
    async download(doc) {
      const bytes = await fetchBytes(doc.url, opts.ca, opts.timeoutMs ?? 30_000);
      return doc.compressionAlgorithm === 'GZIP' ? promisify(gunzip)(bytes) : bytes;
    },
    async fetchReport(spec, o) {
      const r = await client.waitForReport(await client.createReport(spec), o);
      if (r.processingStatus !== 'DONE' || !r.reportDocumentId) {
        throw new DockhandError('amazon.rejected', `report ${spec.reportType} ended ${r.processingStatus}`, { hint: r.processingStatus === 'FATAL' ? 'The account’s roles may not allow this report, or Amazon had no data for it.' : 'Asked for again on the next run.' });
      }
      return client.download(await client.getReportDocument(r.reportDocumentId));
    },
    close: () => agent?.destroy(),
  };
  return client;
}

/** GET a pre-signed URL; its certificate is checked against that URL (the CA given, or Node's). */
function fetchBytes(url: string, ca: string | undefined, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', ...(ca ? { ca } : {}), timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300) resolve(Buffer.concat(chunks));
        else reject(new DockhandError('amazon.unreachable', `the report document could not be downloaded (HTTP ${res.statusCode})`, { hint: 'Its URL lives five minutes; it is asked for again on the next run.', transient: true }));
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => reject(new DockhandError('amazon.unreachable', `the report document could not be downloaded: ${e.message}`, { cause: e, hint: TLS_HINT, transient: true })));
    req.end();
  });
}
