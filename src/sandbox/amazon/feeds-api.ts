import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { ApiError, invalidInput, type ApiResult } from './api-error';
import type { FeedOutcome, FeedProcessor } from './listings-api';

/**
 * The Feeds API 2021-06-30 for the simulator (feeds_2021-06-30.json), for any feed type:
 * createFeedDocument hands out a presigned upload URL on this server, the content is PUT there
 * (with the content type the document was created with, as S3 checks it), createFeed queues the
 * feed, getFeed reports it IN_QUEUE, IN_PROGRESS and then DONE or FATAL, and the result document
 * (gzipped, as Amazon serves processing reports) is downloaded from its presigned URL. What a feed
 * type does is a processor registered for it (`register`), so another feature adds its own.
 */

export type FeedsOperation = 'createFeedDocument' | 'createFeed' | 'getFeed' | 'getFeedDocument' | 'getFeeds';

/** Usage plans from the model's operation descriptions. */
export const FEEDS_USAGE_PLANS: Readonly<Record<FeedsOperation, { rate: number; burst: number }>> = {
  createFeedDocument: { rate: 0.5, burst: 15 },
  createFeed: { rate: 0.0083, burst: 15 },
  getFeed: { rate: 2, burst: 15 },
  getFeedDocument: { rate: 0.0222, burst: 10 },
  getFeeds: { rate: 0.0222, burst: 10 },
};

/** Where presigned document URLs point: not an SP-API path, and no access token is asked for. */
export const FEED_DOCUMENT_PATH = '/sandbox-feed-documents/';
const MAX_DOCUMENT_BYTES = 100 * 1024 * 1024;

export interface SimFeed {
  feedId: string;
  feedType: string;
  marketplaceIds: string[];
  createdTime: string;
  processingStatus: 'IN_QUEUE' | 'IN_PROGRESS' | 'DONE' | 'FATAL' | 'CANCELLED';
  inputFeedDocumentId: string;
  resultFeedDocumentId?: string;
  /** The uploaded content, as processed. */
  content?: Buffer;
}

interface SimDocument {
  id: string;
  contentType: string;
  content?: Buffer;
  compressed: boolean;
}

export interface FeedsApi {
  register(feedType: string, processor: FeedProcessor): void;
  /** Called with each feed as createFeed accepts it, before the answer is sent (a test may kill its caller there). */
  onCreated(listener: ((feed: SimFeed) => void) | undefined): void;
  feeds(): SimFeed[];
  createFeedDocument(raw: string, baseUrl: string): ApiResult;
  createFeed(raw: string): ApiResult;
  getFeed(feedId: string): ApiResult;
  /** getFeeds: by feedTypes (required without nextToken), processingStatuses, marketplaceIds, createdSince/Until, pageSize; or nextToken alone. */
  getFeeds(query: URLSearchParams): ApiResult;
  getFeedDocument(documentId: string, baseUrl: string): ApiResult;
  /** Serves the presigned URLs: PUT uploads, GET downloads. True when it answered. */
  serveDocument(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
}

export function createFeedsApi(opts: { clock: () => number; processingMs?: number }): FeedsApi {
  const processors = new Map<string, FeedProcessor>();
  const documents = new Map<string, SimDocument>();
  const feeds = new Map<string, SimFeed & { dueAt: number }>();
  const processingMs = opts.processingMs ?? 0;
  let created: ((feed: SimFeed) => void) | undefined;
  const json = (raw: string): Record<string, unknown> => {
    try {
      const v = JSON.parse(raw) as unknown;
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw invalidInput('The request body is not a JSON object.');
  };
  const urlOf = (baseUrl: string, id: string) => `${baseUrl}${FEED_DOCUMENT_PATH}${id}?X-Amz-Expires=300&X-Amz-Signature=${randomUUID().replace(/-/g, '')}`;

  /** A feed moves on when asked about: queued, in progress, then processed once its time is up. */
  const advance = (feed: SimFeed & { dueAt: number }) => {
    const now = opts.clock();
    if (feed.processingStatus === 'IN_QUEUE') feed.processingStatus = 'IN_PROGRESS';
    if (feed.processingStatus !== 'IN_PROGRESS' || now < feed.dueAt) return;
    const input = documents.get(feed.inputFeedDocumentId)!;
    const processor = processors.get(feed.feedType);
    const outcome: FeedOutcome = processor ? processor({ feedId: feed.feedId, feedType: feed.feedType, marketplaceIds: feed.marketplaceIds, content: input.content!, contentType: input.contentType }) : { status: 'FATAL' };
    feed.processingStatus = outcome.status;
    feed.content = input.content!;
    if (outcome.report !== undefined) {
      const id = `amzn1.tortuga.4.na.${randomUUID()}`;
      documents.set(id, { id, contentType: outcome.contentType ?? 'application/json', content: gzipSync(outcome.report), compressed: true });
      feed.resultFeedDocumentId = id;
    }
  };

  const wire = (f: SimFeed) => ({
    feedId: f.feedId,
    feedType: f.feedType,
    marketplaceIds: f.marketplaceIds,
    createdTime: f.createdTime,
    processingStatus: f.processingStatus,
    ...(f.processingStatus === 'DONE' || f.processingStatus === 'FATAL' ? { processingEndTime: new Date(opts.clock()).toISOString() } : {}),
    ...(f.resultFeedDocumentId ? { resultFeedDocumentId: f.resultFeedDocumentId } : {}),
  });

  return {
    register(feedType, processor) {
      processors.set(feedType, processor);
    },
    onCreated(listener) {
      created = listener;
    },
    feeds: () => [...feeds.values()].map(({ dueAt: _dueAt, ...f }) => ({ ...f })),
    createFeedDocument(raw, baseUrl) {
      const body = json(raw);
      if (typeof body.contentType !== 'string' || body.contentType.length === 0) throw invalidInput('contentType is required.');
      const id = `amzn1.tortuga.4.na.${randomUUID()}`;
      documents.set(id, { id, contentType: body.contentType, compressed: false });
      return { status: 201, body: { feedDocumentId: id, url: urlOf(baseUrl, id) } };
    },
    createFeed(raw) {
      const body = json(raw);
      const { feedType, marketplaceIds, inputFeedDocumentId } = body;
      if (typeof feedType !== 'string' || !feedType) throw invalidInput('feedType is required.');
      if (!Array.isArray(marketplaceIds) || marketplaceIds.length < 1 || marketplaceIds.length > 25 || marketplaceIds.some((m) => typeof m !== 'string')) throw invalidInput('marketplaceIds must list 1 to 25 marketplace IDs.');
      if (typeof inputFeedDocumentId !== 'string') throw invalidInput('inputFeedDocumentId is required.');
      const doc = documents.get(inputFeedDocumentId);
      if (!doc) throw invalidInput(`inputFeedDocumentId ${inputFeedDocumentId} is unknown.`);
      if (!doc.content) throw invalidInput(`feed document ${inputFeedDocumentId} has no content: upload it before createFeed.`);
      if (!processors.has(feedType)) throw invalidInput(`Invalid feedType: ${feedType}.`);
      const feedId = String(50_000_000_000 + feeds.size + 1);
      const feed = { feedId, feedType, marketplaceIds: marketplaceIds as string[], createdTime: new Date(opts.clock()).toISOString(), processingStatus: 'IN_QUEUE' as const, inputFeedDocumentId, dueAt: opts.clock() + processingMs };
      feeds.set(feedId, feed);
      created?.({ ...feed });
      return { status: 202, body: { feedId } };
    },
    getFeed(feedId) {
      const feed = feeds.get(feedId);
      if (!feed) throw new ApiError(404, 'NotFound', `Feed ${feedId} not found.`);
      advance(feed);
      return { status: 200, body: wire(feed) };
    },
    getFeeds(query) {
      const known = new Set(['feedTypes', 'marketplaceIds', 'pageSize', 'processingStatuses', 'createdSince', 'createdUntil', 'nextToken']);
      for (const name of query.keys()) if (!known.has(name)) throw invalidInput(`${name} is not a parameter of getFeeds.`);
      const token = query.get('nextToken');
      if (token !== null && [...query.keys()].some((k) => k !== 'nextToken')) throw invalidInput('nextToken must be the only parameter when it is given.');
      const filter = token !== null ? (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, string>) : Object.fromEntries(query.entries());
      const list = (name: string) => (filter[name] ? filter[name]!.split(',') : undefined);
      const types = list('feedTypes');
      if (!types) throw invalidInput('Either feedTypes or nextToken is required.');
      if (types.length > 10) throw invalidInput('feedTypes may list at most 10 feed types.');
      const size = filter.pageSize === undefined ? 10 : Number(filter.pageSize);
      if (!Number.isInteger(size) || size < 1 || size > 100) throw invalidInput('pageSize must be between 1 and 100.');
      const dates = ['createdSince', 'createdUntil'].map((k) => (filter[k] === undefined ? undefined : Date.parse(filter[k]!)));
      if (dates.some((d) => d !== undefined && Number.isNaN(d))) throw invalidInput('createdSince and createdUntil must be ISO 8601 date-times.');
      // "The default is 90 days ago. Feeds are retained for a maximum of 90 days."
      const since = dates[0] ?? opts.clock() - 90 * 86_400_000;
      const until = dates[1] ?? opts.clock();
      const statuses = list('processingStatuses');
      const marketplaces = list('marketplaceIds');
      for (const f of feeds.values()) if (f.processingStatus === 'IN_QUEUE' || f.processingStatus === 'IN_PROGRESS') advance(f);
      const matching = [...feeds.values()].filter((f) => {
        const t = Date.parse(f.createdTime);
        return types.includes(f.feedType) && t >= since && t <= until && (!statuses || statuses.includes(f.processingStatus)) && (!marketplaces || f.marketplaceIds.some((m) => marketplaces.includes(m)));
      });
      const start = Number(filter.offset ?? 0);
      const page = matching.slice(start, start + size);
      const next = start + size < matching.length ? Buffer.from(JSON.stringify({ ...filter, offset: String(start + size) })).toString('base64url') : undefined;
      return { status: 200, body: { feeds: page.map(wire), ...(next ? { nextToken: next } : {}) } };
    },
    getFeedDocument(documentId, baseUrl) {
      const doc = documents.get(documentId);
      if (!doc || !doc.content) throw new ApiError(404, 'NotFound', `Feed document ${documentId} not found.`);
      return { status: 200, body: { feedDocumentId: doc.id, url: urlOf(baseUrl, doc.id), ...(doc.compressed ? { compressionAlgorithm: 'GZIP' } : {}) } };
    },
    async serveDocument(req, res, path) {
      if (!path.startsWith(FEED_DOCUMENT_PATH)) return false;
      const doc = documents.get(decodeURIComponent(path.slice(FEED_DOCUMENT_PATH.length)));
      const answer = (status: number, text: string) => res.writeHead(status, { 'content-type': 'application/xml' }).end(text);
      if (!doc) return answer(404, '<Error><Code>NoSuchKey</Code></Error>'), true;
      if (req.method === 'PUT') {
        // S3 signs the content type into a presigned PUT: another one is refused.
        if ((req.headers['content-type'] ?? '') !== doc.contentType) return answer(403, '<Error><Code>SignatureDoesNotMatch</Code></Error>'), true;
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const c of req as AsyncIterable<Buffer>) {
          size += c.length;
          if (size > MAX_DOCUMENT_BYTES) return answer(400, '<Error><Code>EntityTooLarge</Code></Error>'), true;
          chunks.push(c);
        }
        doc.content = Buffer.concat(chunks);
        res.writeHead(200, { etag: `"${randomUUID()}"` }).end();
        return true;
      }
      if (req.method === 'GET' && doc.content) {
        res.writeHead(200, { 'content-type': doc.contentType, 'content-length': String(doc.content.length) }).end(doc.content);
        return true;
      }
      answer(405, '<Error><Code>MethodNotAllowed</Code></Error>');
      return true;
    },
  };
}
