import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * One SQS standard queue held in memory: the visibility-timeout state machine and nothing else
 * (no HTTP, no timers). Time comes from the injected clock, so a test can move a message past
 * its visibility timeout without sleeping.
 *
 * Semantics follow the SQS API reference
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/):
 * - at-least-once: a received message that is not deleted becomes visible again when its
 *   visibility timeout ends, and the next receive counts it again (ApproximateReceiveCount);
 * - every receive issues a new receipt handle; DeleteMessage with an older one "will still
 *   succeed, but the message might not be deleted" (here: it is not deleted);
 * - deleting a message that is already gone succeeds.
 */

/** The queue attributes a caller may set through CreateQueue / defaults. */
export interface QueueSettings {
  /** Seconds, 0–43200; SQS default 30. */
  visibilityTimeout: number;
  /** Seconds, 0–900; SQS default 0. */
  delaySeconds: number;
  /** Seconds, 0–20; the long-poll wait used when a ReceiveMessage call names none. SQS default 0. */
  receiveMessageWaitTimeSeconds: number;
}

export const DEFAULT_QUEUE_SETTINGS: QueueSettings = {
  visibilityTimeout: 30,
  delaySeconds: 0,
  receiveMessageWaitTimeSeconds: 0,
};

interface StoredMessage {
  seq: number;
  messageId: string;
  body: string;
  md5OfBody: string;
  sentAt: number;
  /** Epoch ms before which receives skip the message (delay or visibility timeout). */
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt: number | null;
  /** Handle from the latest receive; only this one deletes or changes visibility. */
  currentHandle: string | null;
}

export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  receiveCount: number;
  sentAt: number;
  firstReceivedAt: number;
}

/** What a receipt handle refers to, decided without side effects. */
export type HandleLookup =
  | { kind: 'unknown' }
  /** Issued by this queue, but the message has since been deleted or received again. */
  | { kind: 'stale' }
  | { kind: 'current'; inFlight: boolean };

export type ChangeVisibilityResult = 'ok' | 'invalid-handle' | 'stale-handle' | 'not-in-flight';

/** Hex MD5 of the UTF-8 body: the SDK compares it with MD5OfBody and rejects a mismatch. */
export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

export class SimQueue {
  readonly createdAt: number;
  lastModifiedAt: number;
  settings: QueueSettings;
  receivedCount = 0;
  deletedCount = 0;

  private readonly messages = new Map<string, StoredMessage>();
  /** Every handle ever issued → message id, so a stale handle can be told from a forged one. */
  private readonly issuedHandles = new Map<string, string>();
  private nextSeq = 0;

  constructor(
    readonly name: string,
    private readonly clock: () => number,
    settings: Partial<QueueSettings> = {},
  ) {
    this.createdAt = clock();
    this.lastModifiedAt = this.createdAt;
    this.settings = { ...DEFAULT_QUEUE_SETTINGS, ...settings };
  }

  /** Enqueues a message; returns its MessageId. */
  send(body: string, delaySeconds = this.settings.delaySeconds): { messageId: string; md5OfBody: string } {
    const now = this.clock();
    const messageId = randomUUID();
    const md5OfBody = md5Hex(body);
    this.messages.set(messageId, {
      seq: this.nextSeq++,
      messageId,
      body,
      md5OfBody,
      sentAt: now,
      visibleAt: now + delaySeconds * 1000,
      receiveCount: 0,
      firstReceivedAt: null,
      currentHandle: null,
    });
    return { messageId, md5OfBody };
  }

  /**
   * Takes up to `max` visible messages, oldest first (or in random order when `shuffle`), and
   * hides each for `visibilityTimeout` seconds under a fresh receipt handle.
   */
  receive(max: number, visibilityTimeout: number, shuffle = false, random: () => number = Math.random): ReceivedMessage[] {
    const now = this.clock();
    const visible = [...this.messages.values()].filter((m) => m.visibleAt <= now).sort((a, b) => a.seq - b.seq);
    if (shuffle) {
      for (let i = visible.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [visible[i], visible[j]] = [visible[j]!, visible[i]!];
      }
    }
    return visible.slice(0, max).map((m) => {
      // Real handles are long opaque strings; length only matters to code that stores them.
      const receiptHandle = randomBytes(96).toString('base64');
      m.receiveCount += 1;
      m.firstReceivedAt ??= now;
      m.visibleAt = now + visibilityTimeout * 1000;
      m.currentHandle = receiptHandle;
      this.issuedHandles.set(receiptHandle, m.messageId);
      this.receivedCount += 1;
      return {
        messageId: m.messageId,
        receiptHandle,
        body: m.body,
        md5OfBody: m.md5OfBody,
        receiveCount: m.receiveCount,
        sentAt: m.sentAt,
        firstReceivedAt: m.firstReceivedAt,
      };
    });
  }

  lookupHandle(receiptHandle: string): HandleLookup {
    const messageId = this.issuedHandles.get(receiptHandle);
    if (messageId === undefined) return { kind: 'unknown' };
    const m = this.messages.get(messageId);
    if (!m || m.currentHandle !== receiptHandle) return { kind: 'stale' };
    return { kind: 'current', inFlight: m.visibleAt > this.clock() };
  }

  /**
   * Deletes by receipt handle. 'invalid' only for a handle this queue never issued; a stale
   * handle succeeds without deleting, as the API reference describes.
   */
  delete(receiptHandle: string): 'ok' | 'invalid' {
    const found = this.lookupHandle(receiptHandle);
    if (found.kind === 'unknown') return 'invalid';
    if (found.kind === 'current') {
      // The latest handle deletes even after the visibility timeout ran out, as long as no one
      // has received the message again (observed SQS behaviour).
      const messageId = this.issuedHandles.get(receiptHandle)!;
      this.messages.delete(messageId);
      this.deletedCount += 1;
    }
    return 'ok';
  }

  changeVisibility(receiptHandle: string, visibilityTimeout: number): ChangeVisibilityResult {
    const found = this.lookupHandle(receiptHandle);
    if (found.kind === 'unknown') return 'invalid-handle';
    if (found.kind === 'stale') return 'stale-handle';
    if (!found.inFlight) return 'not-in-flight';
    const m = this.messages.get(this.issuedHandles.get(receiptHandle)!)!;
    m.visibleAt = this.clock() + visibilityTimeout * 1000;
    return 'ok';
  }

  purge(): void {
    this.messages.clear();
  }

  /** Whether a receive right now would return something. */
  hasVisible(): boolean {
    const now = this.clock();
    for (const m of this.messages.values()) if (m.visibleAt <= now) return true;
    return false;
  }

  /** visible / in flight (received, hidden) / delayed (sent with a delay, never received). */
  counts(): { visible: number; inFlight: number; delayed: number } {
    const now = this.clock();
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const m of this.messages.values()) {
      if (m.visibleAt <= now) visible++;
      else if (m.receiveCount === 0) delayed++;
      else inFlight++;
    }
    return { visible, inFlight, delayed };
  }
}
