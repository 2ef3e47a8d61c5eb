import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { ApiError } from './api-error';

/**
 * The Reports API (2021-06-30) as the SP-API simulator serves it, from reports_2021-06-30.json:
 * createReport queues a report, getReport shows it IN_QUEUE, then IN_PROGRESS, then DONE with a
 * reportDocumentId (one step per look, as Amazon's take minutes), getReportDocument gives a
 * pre-signed URL of the GZIP'd document. Which documents exist is a registry: a report type
 * maps to a generator, and a type nobody registered ends FATAL, as Amazon's do for a type the
 * seller's roles don't allow. The returns work registers GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE here.
 */

export type ReportsOperation = 'createReport' | 'getReport' | 'getReportDocument';

/** Usage plans from each operation's description in reports_2021-06-30.json. */
export const REPORTS_USAGE_PLANS: Readonly<Record<ReportsOperation, { rate: number; burst: number }>> = {
  createReport: { rate: 0.0167, burst: 15 },
  getReport: { rate: 2, burst: 15 },
  getReportDocument: { rate: 0.0167, burst: 15 },
};

export interface ReportRequest {
  reportType: string;
  marketplaceIds: string[];
  dataStartTime?: string;
  dataEndTime?: string;
  reportOptions?: Record<string, string>;
}

/**
 * Makes a document for a request; `contentType` is what Amazon would serve it as. undefined: the
 * report ends CANCELLED without a document, as Amazon's do when there is no data in the window.
 */
export type ReportGenerator = (req: ReportRequest, now: Date) => { content: string | Buffer; contentType?: string } | undefined;

interface StoredReport {
  reportId: string;
  request: ReportRequest;
  createdTime: string;
  processingStatus: 'IN_QUEUE' | 'IN_PROGRESS' | 'DONE' | 'CANCELLED' | 'FATAL';
  processingStartTime?: string;
  processingEndTime?: string;
  reportDocumentId?: string;
}

interface StoredDocument {
  id: string;
  bytes: Buffer;
  contentType: string;
}

export interface ReportsApi {
  /** Adds (or replaces) the generator of a report type. */
  register(reportType: string, generator: ReportGenerator): void;
  createReport(body: string): { status: number; body: unknown };
  getReport(reportId: string): { status: number; body: unknown };
  getReportDocument(documentId: string): { status: number; body: unknown };
  /** The document's bytes at its pre-signed URL path, or undefined. */
  document(documentId: string): StoredDocument | undefined;
  /** The reports requested, oldest first. */
  requests(): Array<ReportRequest & { reportId: string; processingStatus: string }>;
}

export const REPORT_DOCUMENT_PATH = '/_sandbox/report-documents/';

export function createReportsApi(opts: { baseUrl: () => string; clock: () => number }): ReportsApi {
  const generators = new Map<string, ReportGenerator>();
  const reports = new Map<string, StoredReport>();
  const documents = new Map<string, StoredDocument>();
  const iso = () => new Date(opts.clock()).toISOString();

  /** One step of processing per look, so a client must poll as it would on Amazon. */
  function advance(r: StoredReport): void {
    if (r.processingStatus === 'IN_QUEUE') {
      r.processingStatus = 'IN_PROGRESS';
      r.processingStartTime = iso();
      return;
    }
    if (r.processingStatus !== 'IN_PROGRESS') return;
    const generate = generators.get(r.request.reportType);
    r.processingEndTime = iso();
    if (!generate) {
      r.processingStatus = 'FATAL';
      return;
    }
    const made = generate(r.request, new Date(opts.clock()));
    if (!made) {
      r.processingStatus = 'CANCELLED';
      return;
    }
    const { content, contentType } = made;
    const id = `amzn1.spdoc.1.4.na.${randomUUID()}`;
    documents.set(id, { id, bytes: gzipSync(typeof content === 'string' ? Buffer.from(content, 'utf8') : content), contentType: contentType ?? 'application/json' });
    r.reportDocumentId = id;
    r.processingStatus = 'DONE';
  }

  return {
    register: (type, generator) => void generators.set(type, generator),

    createReport(body) {
      let spec: unknown;
      try {
        spec = JSON.parse(body);
      } catch {
        throw new ApiError(400, 'InvalidInput', 'Request body is not valid JSON.');
      }
      const s = spec as Partial<ReportRequest> | null;
      if (!s || typeof s.reportType !== 'string' || s.reportType === '') throw new ApiError(400, 'InvalidInput', 'reportType is required.');
      if (!Array.isArray(s.marketplaceIds) || s.marketplaceIds.length === 0 || !s.marketplaceIds.every((m) => typeof m === 'string')) {
        throw new ApiError(400, 'InvalidInput', 'marketplaceIds is required.');
      }
      for (const t of ['dataStartTime', 'dataEndTime'] as const) {
        if (s[t] !== undefined && Number.isNaN(Date.parse(String(s[t])))) throw new ApiError(400, 'InvalidInput', `${t} is not an ISO 8601 date-time.`);
      }
      const reportId = String(50_000 + reports.size);
      reports.set(reportId, { reportId, request: s as ReportRequest, createdTime: iso(), processingStatus: 'IN_QUEUE' });
      return { status: 202, body: { reportId } };
    },

    getReport(reportId) {
      const r = reports.get(reportId);
      if (!r) throw new ApiError(404, 'NotFound', 'The requested report was not found.');
      const shown = {
        reportId: r.reportId,
        reportType: r.request.reportType,
        marketplaceIds: r.request.marketplaceIds,
        ...(r.request.dataStartTime ? { dataStartTime: r.request.dataStartTime } : {}),
        ...(r.request.dataEndTime ? { dataEndTime: r.request.dataEndTime } : {}),
        createdTime: r.createdTime,
        processingStatus: r.processingStatus,
        ...(r.processingStartTime ? { processingStartTime: r.processingStartTime } : {}),
        ...(r.processingEndTime ? { processingEndTime: r.processingEndTime } : {}),
        ...(r.reportDocumentId ? { reportDocumentId: r.reportDocumentId } : {}),
      };
      advance(r);
      return { status: 200, body: shown };
    },

    getReportDocument(documentId) {
      if (!documents.has(documentId)) throw new ApiError(404, 'NotFound', 'The requested report document was not found.');
      return { status: 200, body: { reportDocumentId: documentId, url: `${opts.baseUrl()}${REPORT_DOCUMENT_PATH}${encodeURIComponent(documentId)}`, compressionAlgorithm: 'GZIP' } };
    },

    document: (id) => documents.get(id),
    requests: () => [...reports.values()].map((r) => ({ ...r.request, reportId: r.reportId, processingStatus: r.processingStatus })),
  };
}

/** The sandbox seller's account health: good, with late shipments close to Amazon's 4 % limit. */
export const sellerPerformanceReport: ReportGenerator = (req, now) => {
  const to = new Date(now.getTime() - 86_400_000);
  const range = (days: number) => ({ reportingDateFrom: new Date(to.getTime() - days * 86_400_000).toISOString(), reportingDateTo: to.toISOString() });
  return {
    content: JSON.stringify({
      accountStatuses: req.marketplaceIds.map((marketplaceId) => ({ marketplaceId, status: 'NORMAL' })),
      performanceMetrics: req.marketplaceIds.map((marketplaceId) => ({
        marketplaceId,
        lateShipmentRate: { reportingDateRange: range(30), status: 'GOOD', targetValue: 0.04, targetCondition: 'LESS_THAN', orderCount: 2840, lateShipmentCount: 105, rate: 0.037 },
        validTrackingRate: { reportingDateRange: range(30), status: 'GOOD', targetValue: 0.95, targetCondition: 'GREATER_THAN', shipmentCount: 2790, validTrackingCount: 2771, rate: 0.9932 },
        preFulfillmentCancellationRate: { reportingDateRange: range(7), status: 'GOOD', targetValue: 0.025, targetCondition: 'LESS_THAN', orderCount: 660, cancellationCount: 9, rate: 0.0136 },
      })),
    }),
  };
};
