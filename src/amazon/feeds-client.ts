import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { DockhandError } from '../domain/errors';
import { createSpCaller, type SpCallerOptions } from './sp-call';

/**
 * The Feeds API 2021-06-30 (feeds_2021-06-30.json), for any feed type: create a feed document,
 * upload its content to the presigned URL (any content type), create the feed, poll it to a
 * final status and download its result document (gunzipped when Amazon compressed it).
 */

/** Usage plans from the model's operation descriptions. */
export const FEEDS_USAGE_PLANS = {
  createFeedDocument: { ratePerSecond: 0.5, burst: 15 },
  createFeed: { ratePerSecond: 0.0083, burst: 15 },
  getFeed: { ratePerSecond: 2, burst: 15 },
  getFeedDocument: { ratePerSecond: 0.0222, burst: 10 },
  getFeeds: { ratePerSecond: 0.0222, burst: 10 },
};

export const CreateFeedDocumentResponse = z.object({ feedDocumentId: z.string(), url: z.string() });
export const CreateFeedResponse = z.object({ feedId: z.string() });
export const Feed = z.object({
  feedId: z.string(),
  feedType: z.string(),
  marketplaceIds: z.array(z.string()).optional(),
  createdTime: z.string(),
  processingStatus: z.enum(['CANCELLED', 'DONE', 'FATAL', 'IN_PROGRESS', 'IN_QUEUE']),
  processingStartTime: z.string().optional(),
  processingEndTime: z.string().optional(),
  resultFeedDocumentId: z.string().optional(),
});
export type Feed = z.infer<typeof Feed>;
export const FeedDocument = z.object({ feedDocumentId: z.string(), url: z.string(), compressionAlgorithm: z.literal('GZIP').optional() });
export type FeedDocument = z.infer<typeof FeedDocument>;
export const GetFeedsResponse = z.object({ feeds: z.array(Feed), nextToken: z.string().optional() });

export interface FeedsClient {
  createFeedDocument(contentType: string): Promise<{ feedDocumentId: string; url: string }>;
  /** PUTs `content` to a presigned upload URL with the same content type the document was created with. */
  upload(url: string, content: Buffer | string, contentType: string): Promise<void>;
  createFeed(spec: { feedType: string; marketplaceIds: string[]; inputFeedDocumentId: string; feedOptions?: Record<string, string> }): Promise<string>;
  getFeed(feedId: string): Promise<Feed>;
  /** getFeeds: the feeds of some types created in a window, every page followed (nextToken). */
  getFeeds(query: { feedTypes: string[]; createdSince?: string; createdUntil?: string; marketplaceIds?: string[] }): Promise<Feed[]>;
  /** getFeed until DONE, CANCELLED or FATAL (or `timeoutMs`). */
  waitForFeed(feedId: string, opts?: { pollMs?: number; timeoutMs?: number }): Promise<Feed>;
  getFeedDocument(feedDocumentId: string): Promise<FeedDocument>;
  /** Downloads a document's content, gunzipped when it is compressed. */
  download(doc: FeedDocument): Promise<Buffer>;
  /** All of it: document, upload, feed, wait, and the result document's content (when there is one). */
  submit(feedType: string, marketplaceIds: string[], content: string, contentType: string, opts?: { pollMs?: number; timeoutMs?: number }): Promise<{ feed: Feed; result?: Buffer }>;
  close(): Promise<void>;
}

export type FeedsClientOptions = SpCallerOptions;

const FINAL = new Set(['DONE', 'CANCELLED', 'FATAL']);

export function createFeedsClient(opts: FeedsClientOptions): FeedsClient {
  const caller = createSpCaller(opts, FEEDS_USAGE_PLANS, { feeds: '2021-06-30' });
  /** Presigned URLs are plain HTTPS to S3 (or the sandbox): no SP-API token, the sandbox CA if given. */
  const transfer = (method: 'PUT' | 'GET', url: string, body?: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const u = new URL(url);
      const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
      const options: RequestOptions = { method, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) }, ...(opts.ca ? { ca: opts.ca } : {}), timeout: opts.timeoutMs ?? 60_000 };
      const req = send(u, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (e) => reject(new DockhandError('amazon.unreachable', `feed document ${method} failed: ${e.message}`, { hint: 'Dockhand tries again on the next pass.', cause: e, transient: true })));
      req.end(body);
    });

  const client: FeedsClient = {
    async createFeedDocument(contentType) {
      const res = await caller.send('createFeedDocument', 'createFeedDocument', () => ({ operation: 'feeds.createFeedDocument', body: { contentType } }));
      return caller.parse(res, CreateFeedDocumentResponse, 'createFeedDocument');
    },
    async upload(url, content, contentType) {
      const r = await transfer('PUT', url, Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'), { 'content-type': contentType });
      if (r.status < 200 || r.status >= 300) throw new DockhandError('amazon.rejected', `the feed document upload was refused (HTTP ${r.status})`, { hint: 'The presigned URL lasts 5 minutes; Dockhand creates a new document on the next pass.', status: r.status });
    },
    async createFeed(spec) {
      const res = await caller.send('createFeed', `createFeed ${spec.feedType}`, () => ({ operation: 'feeds.createFeed', body: structuredClone(spec) }));
      return caller.parse(res, CreateFeedResponse, 'createFeed').feedId;
    },
    async getFeed(feedId) {
      const res = await caller.send('getFeed', `getFeed ${feedId}`, () => ({ operation: 'feeds.getFeed', path: { feedId } }));
      return caller.parse(res, Feed, `getFeed ${feedId}`);
    },
    async getFeeds(query) {
      const out: Feed[] = [];
      let nextToken: string | undefined;
      // "Specifying nextToken with any other parameters will cause the request to fail."
      for (let page = 0; page < 50; page++) {
        const q = nextToken ? { nextToken } : { ...query, pageSize: 100 };
        const res = await caller.send('getFeeds', 'getFeeds', () => ({ operation: 'feeds.getFeeds', query: structuredClone(q) }));
        const parsed = caller.parse(res, GetFeedsResponse, 'getFeeds');
        out.push(...parsed.feeds);
        nextToken = parsed.nextToken;
        if (!nextToken) break;
      }
      return out;
    },
    async waitForFeed(feedId, o = {}) {
      const deadline = Date.now() + (o.timeoutMs ?? 30 * 60_000);
      for (;;) {
        const feed = await client.getFeed(feedId);
        if (FINAL.has(feed.processingStatus)) return feed;
        if (Date.now() > deadline) throw new DockhandError('amazon.unreachable', `feed ${feedId} is still ${feed.processingStatus}`, { hint: 'Amazon is slow to process it; its result is read on a later pass.', transient: true });
        await sleep(o.pollMs ?? 30_000);
      }
    },
    async getFeedDocument(feedDocumentId) {
      const res = await caller.send('getFeedDocument', `getFeedDocument ${feedDocumentId}`, () => ({ operation: 'feeds.getFeedDocument', path: { feedDocumentId } }));
      return caller.parse(res, FeedDocument, `getFeedDocument ${feedDocumentId}`);
    },
    async download(doc) {
      const r = await transfer('GET', doc.url);
      if (r.status !== 200) throw new DockhandError('amazon.unreachable', `feed document ${doc.feedDocumentId} download failed (HTTP ${r.status})`, { hint: 'Dockhand tries again on the next pass.', status: r.status, transient: true });
      return doc.compressionAlgorithm === 'GZIP' ? gunzipSync(r.body) : r.body;
    },
    async submit(feedType, marketplaceIds, content, contentType, o) {
      const doc = await client.createFeedDocument(contentType);
      await client.upload(doc.url, content, contentType);
      const feedId = await client.createFeed({ feedType, marketplaceIds, inputFeedDocumentId: doc.feedDocumentId });
      const feed = await client.waitForFeed(feedId, o);
      if (!feed.resultFeedDocumentId) return { feed };
      return { feed, result: await client.download(await client.getFeedDocument(feed.resultFeedDocumentId)) };
    },
    close: () => caller.close(),
  };
  return client;
}
