import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { buildStateValues, buttonText, findElement, isObj, missingRequiredInputs, withBlockIds, type InputValue, type Json } from './blocks';
import { isSlackMethod, METHODS, TIER_PER_MINUTE, type SlackMethod } from './method-table';
import { slackRequestHeaders } from './signing';
import { TokenBucket } from './token-bucket';
import { listenOnLoopback } from '../listen';

// ---------------------------------------------------------------- public types

export interface SimUser {
  id: string;
  name: string;
  real_name: string;
  /** Slack's profile title; the page's user switcher shows it, e.g. "Maya Patel (manager)". */
  title?: string;
}
export interface SimUsergroup {
  id: string;
  handle: string;
  users: string[];
}
export interface SimChannel {
  id: string;
  name: string;
  is_private?: boolean;
  /** Whether the bot is a member; posting elsewhere answers `not_in_channel`. Default true. */
  is_member?: boolean;
}

export interface SlackSimulatorOptions {
  host?: string;
  port?: number;
  botToken: string;
  signingSecret: string;
  /** The app's `/slack/events` URL (commands, actions and views all go there, as Bolt expects). */
  appRequestUrl?: string;
  users?: SimUser[];
  usergroups?: SimUsergroup[];
  channels?: SimChannel[];
  /** Milliseconds since the epoch; drives ts values, trigger expiry, rate limits and request timestamps. */
  clock?: () => number;
  /** chat.postMessage per-channel pacing. Slack allows about 1/s per channel "with short bursts". */
  postRate?: { perSecond: number; burst: number };
  /** How long Slack waits for the app's HTTP answer (Slack: 3 s, then "operation_timeout"). */
  ackTimeoutMs?: number;
}

/** A message as the simulator holds it (public: in a channel; ephemeral: seen by `visibleTo` only). */
export interface SimMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: Json[];
  thread_ts?: string;
  /** Author: the bot user, or USLACKBOT for Slack's own notices. */
  user: string;
  bot_id?: string;
  /** How many times chat.update / replace_original changed it. */
  updated: number;
  /** Where it came from: a Web API method or `response_url`. */
  via: 'chat.postMessage' | 'chat.postEphemeral' | 'response_url' | 'command_ack' | 'slack' | 'files.completeUploadExternal';
  visibleTo?: string;
  /** Files shared with the message (files.completeUploadExternal with a channel). */
  files?: Array<{ id: string; name: string; title: string; mimetype: string; size: number }>;
}

/** A file uploaded through files.getUploadURLExternal → upload_url → files.completeUploadExternal. */
export interface SimFile {
  id: string;
  name: string;
  title: string;
  /** The length announced to files.getUploadURLExternal. */
  length: number;
  altText?: string;
  /** What was POSTed to the upload URL; absent until then. */
  bytes?: Buffer;
  completed: boolean;
}

export interface SimView {
  id: string;
  /** The user the modal is open for. */
  user: string;
  /** The view object as views.open returned it (title, blocks, callback_id, private_metadata, hash…). */
  view: Json;
  /** Field errors from the app's last `response_action: 'errors'`, by block_id. */
  errors: Record<string, string>;
}

export interface ResponseUrlPost {
  at: number;
  user: string;
  channel: string;
  body: Json;
}

/** What the app answered to a signed request. `status` 0 means no answer (`error` says why). */
export interface AppReply {
  status: number;
  text: string;
  /** Parsed JSON body, or undefined when the body was empty or not JSON. */
  body: unknown;
  error?: string;
}

export interface SlackSimulatorStats {
  /** Authenticated calls per Web API method (rate-limited ones included). */
  calls: Record<string, number>;
  /** Calls answered 429, per method. */
  rateLimited: Record<string, number>;
}

export interface SlackSimulator {
  /** `http://127.0.0.1:PORT`, no trailing slash; the Web API is under `${url}/api/`. */
  url: string;
  /** The browser page (a Slack-like client for the sandbox workspace). */
  pageUrl: string;
  setAppRequestUrl(url: string): void;
  /** Public messages, oldest first, optionally of one channel (ID). Copies. */
  messages(channel?: string): SimMessage[];
  /** One message as it stands now (a copy): cheaper than `messages` for a caller that polls it. */
  message(channel: string, ts: string): SimMessage | undefined;
  /** Ephemeral messages, optionally only those one user sees. Copies. */
  ephemerals(user?: string): SimMessage[];
  /** Open modals (the top view of each user's stack). Copies. */
  views(user?: string): SimView[];
  /** Every JSON body the app posted to a response_url, in order. */
  responses(): ResponseUrlPost[];
  /** Sends a signed `/dockhand` slash command, exactly as Slack would. */
  sendCommand(input: { user: string; channel: string; text: string; command?: string }): Promise<AppReply>;
  /** Clicks a button in a message (`channel`+`ts`) or in an open modal (`viewId`): a signed block_actions. */
  clickButton(input: { user: string; channel?: string; ts?: string; viewId?: string; actionId: string; blockId?: string; value?: string }): Promise<AppReply>;
  /**
   * Submits a modal: a signed view_submission. `values` is keyed by action_id (or by block_id →
   * {action_id: value}); selects take the option `value`. The view's state follows the app's answer.
   */
  submitView(input: { user: string; viewId: string; values: Record<string, InputValue | Record<string, InputValue>> }): Promise<AppReply>;
  /** Closes a modal with Cancel; sends view_closed when the view asked for `notify_on_close`. */
  closeView(input: { user: string; viewId: string }): Promise<AppReply | null>;
  stats(): SlackSimulatorStats;
  /** Uploaded files, in order. Copies. */
  files(): SimFile[];
  close(): Promise<void>;
}

// ---------------------------------------------------------------- defaults

export const DEFAULT_USERS: SimUser[] = [
  { id: 'U0MAYA0001', name: 'maya', real_name: 'Maya Patel', title: 'manager' },
  { id: 'U0SAM00002', name: 'sam', real_name: 'Sam Ortiz', title: 'warehouse' },
];
export const DEFAULT_CHANNELS: SimChannel[] = [
  { id: 'C0OPS00001', name: 'dockhand-ops' },
  { id: 'C0GEN00001', name: 'general' },
];
export const DEFAULT_USERGROUPS: SimUsergroup[] = [{ id: 'S0MGRS0001', handle: 'dockhand-managers', users: ['U0MAYA0001'] }];

const TEAM = { id: 'T0DOCKHAND', domain: 'dockhand-sandbox', name: 'Dockhand Sandbox' };
const BOT = { userId: 'U0DOCKBOT1', botId: 'B0DOCKBOT1', appId: 'A0DOCKHAND', name: 'dockhand' };
const SLACKBOT = 'USLACKBOT';
/** views.open: "trigger_id … expires 3 seconds after being issued". */
const TRIGGER_TTL_MS = 3000;
/** response_url: "you can use it up to five times within 30 minutes". */
const RESPONSE_URL_USES = 5;
const RESPONSE_URL_TTL_MS = 30 * 60_000;
const MAX_BLOCKS_MESSAGE = 50;
const MAX_BLOCKS_MODAL = 100;
const MAX_VIEW_STACK = 3;
const MAX_TITLE = 24;

const PAGE_DIR = new URL('./page/', import.meta.url);
const PAGE_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/_sim/page.js': { file: 'page.js', type: 'text/javascript; charset=utf-8' },
  '/_sim/page.css': { file: 'page.css', type: 'text/css; charset=utf-8' },
};

// ---------------------------------------------------------------- helpers

class SlackError extends Error {
  constructor(readonly error: string, readonly extra: Json = {}, readonly status = 200, readonly headers: Record<string, string> = {}) {
    super(error);
  }
}
const fail = (error: string, messages?: string[]) => new SlackError(error, messages ? { response_metadata: { messages } } : {});
const clone = <T>(v: T): T => structuredClone(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const bool = (v: unknown): boolean => v === true || v === 'true' || v === '1' || v === 1;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Web API args come as query, form or JSON (json_input_supported methods); merged, body wins. */
function parseArgs(url: URL, raw: string, contentType: string | undefined): Json {
  const args: Json = Object.fromEntries(url.searchParams);
  if (!raw) return args;
  if (contentType?.includes('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw fail('invalid_json');
    }
    if (!isObj(parsed)) throw fail('invalid_json');
    return { ...args, ...parsed };
  }
  return { ...args, ...Object.fromEntries(new URLSearchParams(raw)) };
}

/** Form-encoded args carry JSON as strings (blocks, view); JSON bodies carry them as values. */
function jsonArg(v: unknown, error: string): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    throw fail(error);
  }
}

function mimeOf(name: string): string {
  if (/\.png$/i.test(name)) return 'image/png';
  if (/\.csv$/i.test(name)) return 'text/csv';
  return 'application/octet-stream';
}

function plainText(v: unknown): string {
  return isObj(v) && typeof v.text === 'string' ? v.text : '';
}

// ---------------------------------------------------------------- simulator

interface Trigger {
  user: string;
  channel?: string;
  issuedAt: number;
  used: boolean;
}
interface ResponseTarget {
  user: string;
  channel: string;
  /** The message a button was clicked in, for replace_original / delete_original. */
  sourceTs?: string;
  sourceEphemeral?: boolean;
  issuedAt: number;
  uses: number;
}
interface Conversation extends SimChannel {
  created: number;
  /** For a DM with the bot: the human's user ID. */
  imUser?: string;
}

/**
 * Starts a local Slack stand-in: a Web API subset under `/api/`, a response_url endpoint, a
 * Slack-like page at `/`, and helpers that send signed requests to the app's Request URL.
 */
export async function startSlackSimulator(opts: SlackSimulatorOptions): Promise<SlackSimulator> {
  const clock = opts.clock ?? Date.now;
  const ackTimeoutMs = opts.ackTimeoutMs ?? 3000;
  const postRate = opts.postRate ?? { perSecond: 1, burst: 4 };
  let appRequestUrl = opts.appRequestUrl;
  const users = clone(opts.users ?? DEFAULT_USERS);
  const usergroups = clone(opts.usergroups ?? DEFAULT_USERGROUPS);
  const created = Math.floor(clock() / 1000);
  const conversations: Conversation[] = (opts.channels ?? DEFAULT_CHANNELS).map((c) => ({ ...c, is_member: c.is_member ?? true, created }));

  const publicMessages: SimMessage[] = [];
  const uploads = new Map<string, SimFile>();
  const ephemeralMessages: SimMessage[] = [];
  /** Each user's modal window is a stack of views (views.push adds to it). */
  const viewStacks = new Map<string, SimView[]>();
  const triggers = new Map<string, Trigger>();
  const responseTargets = new Map<string, ResponseTarget>();
  const responseLog: ResponseUrlPost[] = [];
  const calls: Record<string, number> = {};
  const rateLimited: Record<string, number> = {};
  const buckets = new Map<string, TokenBucket>();
  /** Bumped on every change, so the page's poll can skip unchanged states. */
  let version = 0;
  let seq = 0;
  let baseUrl = '';
  const touch = () => void version++;

  const newTs = () => `${Math.floor(clock() / 1000)}.${String(++seq % 1_000_000).padStart(6, '0')}`;
  const newBlockId = () => randomBytes(3).toString('base64url').slice(0, 4);
  const nowSec = () => Math.floor(clock() / 1000);

  function bucket(key: string, perSecond: number, burst: number): TokenBucket {
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = new TokenBucket(perSecond, burst, clock)));
    return b;
  }

  function throttle(method: string, key: string, perSecond: number, burst: number): void {
    const wait = bucket(key, perSecond, burst).take();
    if (wait > 0) {
      rateLimited[method] = (rateLimited[method] ?? 0) + 1;
      throw new SlackError('ratelimited', {}, 429, { 'retry-after': String(wait) });
    }
  }

  const findUser = (id: unknown) => users.find((u) => u.id === id);

  function resolveConversation(ref: unknown, forPosting: boolean): Conversation {
    const raw = String(ref ?? '');
    const byId = conversations.find((c) => c.id === raw);
    if (byId) return byId;
    const name = raw.replace(/^#/, '');
    const byName = conversations.find((c) => c.name === name && !c.imUser);
    if (byName) return byName;
    // Posting to a user ID opens (or reuses) the app's DM with that user, as Slack does.
    const user = forPosting ? findUser(raw) : undefined;
    if (user) {
      const existing = conversations.find((c) => c.imUser === user.id);
      if (existing) return existing;
      const dm: Conversation = { id: `D${user.id.slice(1)}`, name: user.name, is_private: true, is_member: true, created: nowSec(), imUser: user.id };
      conversations.push(dm);
      touch();
      return dm;
    }
    throw fail('channel_not_found');
  }

  function conversationObject(c: Conversation): Json {
    if (c.imUser) {
      return { id: c.id, created: c.created, is_im: true, is_org_shared: false, user: c.imUser, is_user_deleted: false, priority: 0 };
    }
    return {
      id: c.id,
      name: c.name,
      is_channel: !c.is_private,
      is_group: Boolean(c.is_private),
      is_im: false,
      is_mpim: false,
      is_private: Boolean(c.is_private),
      created: c.created,
      creator: users[0]?.id ?? '',
      is_archived: false,
      is_general: c.name === 'general',
      unlinked: 0,
      name_normalized: c.name,
      is_shared: false,
      is_ext_shared: false,
      is_org_shared: false,
      pending_shared: [],
      is_pending_ext_shared: false,
      is_member: Boolean(c.is_member),
      topic: { value: '', creator: '', last_set: 0 },
      purpose: { value: '', creator: '', last_set: 0 },
      updated: c.created * 1000,
      previous_names: [],
      num_members: users.length + (c.is_member ? 1 : 0),
    };
  }

  function userObject(u: SimUser): Json {
    return {
      id: u.id,
      team_id: TEAM.id,
      name: u.name,
      deleted: false,
      color: '9f69e7',
      real_name: u.real_name,
      tz: 'America/Los_Angeles',
      tz_label: 'Pacific Standard Time',
      tz_offset: -28800,
      profile: {
        title: u.title ?? '',
        real_name: u.real_name,
        real_name_normalized: u.real_name,
        display_name: u.name,
        display_name_normalized: u.name,
        status_text: '',
        status_emoji: '',
        team: TEAM.id,
      },
      is_admin: false,
      is_owner: false,
      is_primary_owner: false,
      is_restricted: false,
      is_ultra_restricted: false,
      is_bot: false,
      is_app_user: false,
      updated: created,
      has_2fa: false,
    };
  }

  function messageBody(args: Json, required: boolean): { text?: string; blocks?: Json[] } {
    const text = typeof args.text === 'string' ? args.text : undefined;
    let blocks: Json[] | undefined;
    if (args.blocks !== undefined && args.blocks !== null && args.blocks !== '') {
      const parsed = jsonArg(args.blocks, 'invalid_blocks_format');
      if (!Array.isArray(parsed)) throw fail('invalid_blocks_format');
      if (parsed.length > MAX_BLOCKS_MESSAGE) throw fail('invalid_blocks', [`[ERROR] no more than ${MAX_BLOCKS_MESSAGE} items allowed [json-pointer:/blocks]`]);
      parsed.forEach((b, i) => {
        if (!isObj(b) || typeof b.type !== 'string') throw fail('invalid_blocks', [`[ERROR] missing required field: type [json-pointer:/blocks/${i}]`]);
      });
      blocks = withBlockIds(parsed, newBlockId);
    }
    if (required && !text && !blocks?.length) throw fail('no_text');
    return { text, blocks };
  }

  function wireMessage(m: SimMessage): Json {
    return {
      type: 'message',
      user: m.user,
      bot_id: m.bot_id,
      app_id: BOT.appId,
      text: m.text,
      blocks: m.blocks,
      ts: m.ts,
      team: TEAM.id,
      ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
      ...(m.files ? { files: m.files } : {}),
      ...(m.updated > 0 ? { edited: { user: m.user, ts: m.ts } } : {}),
      bot_profile: { id: BOT.botId, app_id: BOT.appId, name: BOT.name, deleted: false, team_id: TEAM.id, updated: created },
    };
  }

  function addMessage(m: Omit<SimMessage, 'ts' | 'updated'>): SimMessage {
    const message: SimMessage = { ...m, ts: newTs(), updated: 0 };
    (m.visibleTo ? ephemeralMessages : publicMessages).push(message);
    touch();
    return message;
  }

  function topView(viewId: string): { stack: SimView[]; index: number } {
    for (const stack of viewStacks.values()) {
      const index = stack.findIndex((v) => v.id === viewId);
      if (index >= 0) return { stack, index };
    }
    throw fail('not_found');
  }

  function buildView(raw: unknown, id: string, rootId: string, previousId: string | null): Json {
    const view = jsonArg(raw, 'invalid_arguments');
    if (!isObj(view)) throw fail('invalid_arguments', ['[ERROR] must provide an object [json-pointer:/view]']);
    if (view.type !== 'modal') throw fail('invalid_arguments', ['[ERROR] must be one of "modal" [json-pointer:/view/type]']);
    const title = plainText(view.title);
    if (!title) throw fail('invalid_arguments', ['[ERROR] missing required field: title [json-pointer:/view]']);
    if (title.length > MAX_TITLE) throw fail('invalid_arguments', [`[ERROR] must be less than ${MAX_TITLE + 1} characters [json-pointer:/view/title/text]`]);
    if (!Array.isArray(view.blocks)) throw fail('invalid_arguments', ['[ERROR] missing required field: blocks [json-pointer:/view]']);
    if (view.blocks.length > MAX_BLOCKS_MODAL) throw fail('invalid_arguments', [`[ERROR] no more than ${MAX_BLOCKS_MODAL} items allowed [json-pointer:/view/blocks]`]);
    const blocks = withBlockIds(view.blocks, newBlockId);
    // Slack: "submit … is required when an input block is within the blocks array".
    if (blocks.some((b) => b.type === 'input') && !plainText(view.submit)) {
      throw fail('invalid_arguments', ['[ERROR] must provide submit if the view contains input blocks [json-pointer:/view]']);
    }
    return {
      id,
      team_id: TEAM.id,
      type: 'modal',
      title: view.title,
      submit: view.submit ?? null,
      close: view.close ?? null,
      blocks,
      private_metadata: typeof view.private_metadata === 'string' ? view.private_metadata : '',
      callback_id: typeof view.callback_id === 'string' ? view.callback_id : '',
      external_id: typeof view.external_id === 'string' ? view.external_id : '',
      state: { values: {} },
      hash: `${nowSec()}.${hex(4)}`,
      clear_on_close: bool(view.clear_on_close),
      notify_on_close: bool(view.notify_on_close),
      root_view_id: rootId,
      previous_view_id: previousId,
      app_id: BOT.appId,
      app_installed_team_id: TEAM.id,
      bot_id: BOT.botId,
    };
  }

  function takeTrigger(args: Json): Trigger {
    const id = str(args.trigger_id) ?? str(args.interactivity_pointer);
    if (!id) throw fail('invalid_arguments', ['[ERROR] missing required field: trigger_id']);
    const t = triggers.get(id);
    if (!t) throw fail('invalid_trigger_id');
    if (t.used) throw fail('exchanged_trigger_id');
    if (clock() - t.issuedAt > TRIGGER_TTL_MS) throw fail('expired_trigger_id');
    t.used = true;
    return t;
  }

  // -------------------------------------------------------------- Web API methods

  const methods: Record<SlackMethod, (args: Json) => Json> = {
    'auth.test': () => ({
      url: `${baseUrl}/`,
      team: TEAM.name,
      user: BOT.name,
      team_id: TEAM.id,
      user_id: BOT.userId,
      bot_id: BOT.botId,
      is_enterprise_install: false,
    }),

    'chat.postMessage': (args) => {
      const c = resolveConversation(args.channel, true);
      if (!c.is_member) throw fail('not_in_channel');
      const { text, blocks } = messageBody(args, true);
      throttle('chat.postMessage', `post:${c.id}`, postRate.perSecond, postRate.burst);
      const m = addMessage({
        channel: c.id,
        text: text ?? '',
        blocks: blocks ?? [],
        thread_ts: str(args.thread_ts),
        user: BOT.userId,
        bot_id: BOT.botId,
        via: 'chat.postMessage',
      });
      return { channel: c.id, ts: m.ts, message: wireMessage(m) };
    },

    // https://docs.slack.dev/messaging/working-with-files#upload: get a URL, POST the bytes there, complete.
    'files.getUploadURLExternal': (args) => {
      const length = Number(args.length);
      if (!Number.isInteger(length) || length < 1) throw fail('missing_argument');
      const altText = str(args.alt_txt) ?? str(args.alt_text);
      if (altText && altText.length > 1000) throw fail('alt_txt_too_large');
      const id = `F${hex(5).toUpperCase()}`;
      uploads.set(id, { id, name: String(args.filename), title: String(args.filename), length, ...(altText ? { altText } : {}), completed: false });
      return { upload_url: `${baseUrl}/_sim/upload/${id}`, file_id: id };
    },

    'files.completeUploadExternal': (args) => {
      const list = jsonArg(args.files, 'invalid_arguments');
      if (!Array.isArray(list) || list.length === 0 || !list.every((f) => isObj(f) && typeof f.id === 'string')) throw fail('invalid_arguments', ['[ERROR] must provide an array of objects with an id [json-pointer:/files]']);
      const files = list.map((f) => {
        const file = uploads.get(String((f as Json).id));
        // Slack answers file_not_found for an id it never issued or whose bytes never arrived.
        if (!file || !file.bytes) throw fail('file_not_found');
        if (file.completed) throw fail('file_not_found');
        return { file, title: str((f as Json).title) };
      });
      const channelId = str(args.channel_id);
      const c = channelId ? resolveConversation(channelId, true) : undefined;
      if (c && !c.is_member) throw fail('not_in_channel');
      for (const { file, title } of files) {
        file.completed = true;
        if (title) file.title = title;
      }
      const wire = files.map(({ file }) => ({ id: file.id, name: file.name, title: file.title, mimetype: mimeOf(file.name), size: file.bytes!.length }));
      if (c) {
        addMessage({ channel: c.id, text: str(args.initial_comment) ?? '', blocks: [], thread_ts: str(args.thread_ts), user: BOT.userId, bot_id: BOT.botId, via: 'files.completeUploadExternal', files: wire });
      }
      touch();
      return { files: wire.map((f) => ({ id: f.id, title: f.title })) };
    },

    'chat.update': (args) => {
      const c = resolveConversation(args.channel, false);
      const m = publicMessages.find((x) => x.channel === c.id && x.ts === args.ts);
      if (!m) throw fail('message_not_found');
      if (m.user !== BOT.userId) throw fail('cant_update_message');
      const { text, blocks } = messageBody(args, false);
      if (text === undefined && blocks === undefined) throw fail('no_text');
      // The reference: blocks left out are kept; `blocks: []` removes them.
      if (text !== undefined) m.text = text;
      if (blocks !== undefined) m.blocks = blocks;
      m.updated++;
      touch();
      return { channel: c.id, ts: m.ts, text: m.text, message: wireMessage(m) };
    },

    'chat.postEphemeral': (args) => {
      const c = resolveConversation(args.channel, false);
      if (!c.is_member) throw fail('not_in_channel');
      const user = findUser(args.user);
      if (!user || (c.imUser && c.imUser !== user.id)) throw fail('user_not_in_channel');
      const { text, blocks } = messageBody(args, true);
      const m = addMessage({
        channel: c.id,
        text: text ?? '',
        blocks: blocks ?? [],
        thread_ts: str(args.thread_ts),
        user: BOT.userId,
        bot_id: BOT.botId,
        via: 'chat.postEphemeral',
        visibleTo: user.id,
      });
      return { message_ts: m.ts };
    },

    'views.open': (args) => {
      const trigger = takeTrigger(args);
      const id = `V${hex(5).toUpperCase()}`;
      const view = buildView(args.view, id, id, null);
      viewStacks.set(trigger.user, [{ id, user: trigger.user, view, errors: {} }]);
      touch();
      return { view: clone(view) };
    },

    'views.push': (args) => {
      const trigger = takeTrigger(args);
      const stack = viewStacks.get(trigger.user);
      const top = stack?.at(-1);
      if (!stack || !top) throw fail('not_found');
      if (stack.length >= MAX_VIEW_STACK) throw fail('push_limit_reached');
      const id = `V${hex(5).toUpperCase()}`;
      const view = buildView(args.view, id, String(top.view.root_view_id), top.id);
      stack.push({ id, user: trigger.user, view, errors: {} });
      touch();
      return { view: clone(view) };
    },

    'views.update': (args) => {
      const viewId = str(args.view_id);
      const externalId = str(args.external_id);
      if (!viewId && !externalId) throw fail('invalid_arguments', ['[ERROR] missing required field: view_id or external_id']);
      let target: SimView | undefined;
      for (const stack of viewStacks.values()) {
        target ??= stack.find((v) => (viewId ? v.id === viewId : v.view.external_id === externalId));
      }
      if (!target) throw fail('not_found');
      if (str(args.hash) && args.hash !== target.view.hash) throw fail('hash_conflict');
      target.view = buildView(args.view, target.id, String(target.view.root_view_id), (target.view.previous_view_id as string | null) ?? null);
      target.errors = {};
      touch();
      return { view: clone(target.view) };
    },

    'users.info': (args) => {
      const u = findUser(args.user);
      if (!u) throw fail('user_not_found');
      return { user: userObject(u) };
    },

    'usergroups.users.list': (args) => {
      const g = usergroups.find((x) => x.id === args.usergroup);
      if (!g) throw fail('no_such_subteam');
      return { users: [...g.users] };
    },

    'conversations.list': (args) => {
      const types = String(args.types ?? 'public_channel').split(',').map((t) => t.trim());
      const limit = args.limit === undefined || args.limit === '' ? 100 : Number(args.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw fail('invalid_limit');
      let offset = 0;
      if (str(args.cursor)) {
        offset = Number(Buffer.from(String(args.cursor), 'base64').toString('utf8').replace(/^offset:/, ''));
        if (!Number.isInteger(offset) || offset < 0) throw fail('invalid_cursor');
      }
      const matching = conversations.filter((c) =>
        c.imUser ? types.includes('im') : c.is_private ? types.includes('private_channel') : types.includes('public_channel'),
      );
      const page = matching.slice(offset, offset + limit);
      const next = offset + limit < matching.length ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '';
      return { channels: page.map(conversationObject), response_metadata: { next_cursor: next } };
    },

    'conversations.info': (args) => ({ channel: conversationObject(resolveConversation(args.channel, false)) }),

    'conversations.join': (args) => {
      const c = resolveConversation(args.channel, false);
      if (c.imUser) throw fail('method_not_supported_for_channel_type');
      const already = Boolean(c.is_member);
      c.is_member = true;
      touch();
      return {
        channel: conversationObject(c),
        ...(already ? { warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } } : {}),
      };
    },
  };

  function callMethod(method: string, args: Json, authorization: string | undefined): Json {
    if (!isSlackMethod(method)) throw new SlackError('unknown_method', { req_method: method });
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim();
    const token = bearer ?? str(args.token);
    if (!token) throw fail('not_authed');
    if (token !== opts.botToken) throw fail('invalid_auth');
    calls[method] = (calls[method] ?? 0) + 1;
    const facts = METHODS[method];
    if (facts.tier !== 't5') {
      const perMinute = TIER_PER_MINUTE[facts.tier];
      throttle(method, `tier:${method}`, perMinute / 60, perMinute);
    }
    const missing = facts.required.filter((a) => a !== 'token' && (args[a] === undefined || args[a] === ''));
    if (missing.length > 0) throw fail('invalid_arguments', missing.map((a) => `[ERROR] missing required field: ${a}`));
    return methods[method](args);
  }

  // -------------------------------------------------------------- requests to the app

  async function postToApp(body: string): Promise<AppReply> {
    if (!appRequestUrl) throw new Error('the Slack simulator has no app Request URL; call setAppRequestUrl first');
    const headers = slackRequestHeaders(opts.signingSecret, nowSec(), body, 'application/x-www-form-urlencoded');
    try {
      const res = await fetch(appRequestUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(ackTimeoutMs) });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, text, body: parsed };
    } catch (e) {
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      return { status: 0, text: '', body: undefined, error: timedOut ? 'operation_timeout' : 'dispatch_failed' };
    }
  }

  function issueTrigger(user: string, channel?: string): string {
    const id = `${Math.floor(clock() / 1000)}.${String(++seq).padStart(6, '0')}.${hex(16)}`;
    triggers.set(id, { user, channel, issuedAt: clock(), used: false });
    return id;
  }

  function issueResponseUrl(target: Omit<ResponseTarget, 'issuedAt' | 'uses'>): string {
    const id = hex(12);
    responseTargets.set(id, { ...target, issuedAt: clock(), uses: 0 });
    return `${baseUrl}/_sim/response/${id}`;
  }

  const wireUser = (u: SimUser) => ({ id: u.id, username: u.name, name: u.name, team_id: TEAM.id });

  function requireUser(id: string): SimUser {
    const u = findUser(id);
    if (!u) throw new Error(`the Slack simulator has no user ${id}`);
    return u;
  }

  function slackNotice(user: string, channel: string, text: string): void {
    addMessage({ channel, text, blocks: [], user: SLACKBOT, via: 'slack', visibleTo: user });
  }

  /** Applies a response_url body (or a slash command's ack body, which Slack treats the same way). */
  function applyResponse(target: Omit<ResponseTarget, 'issuedAt' | 'uses'>, body: Json, via: SimMessage['via']): void {
    const { text, blocks } = messageBody({ text: body.text, blocks: body.blocks }, false);
    const source = target.sourceTs
      ? (target.sourceEphemeral ? ephemeralMessages : publicMessages).find((m) => m.channel === target.channel && m.ts === target.sourceTs)
      : undefined;
    if (source && bool(body.delete_original)) {
      const list = target.sourceEphemeral ? ephemeralMessages : publicMessages;
      list.splice(list.indexOf(source), 1);
      touch();
      return;
    }
    if (source && bool(body.replace_original)) {
      source.text = text ?? '';
      source.blocks = blocks ?? [];
      source.updated++;
      touch();
      return;
    }
    if (!text && !blocks?.length) throw fail('no_text');
    addMessage({
      channel: target.channel,
      text: text ?? '',
      blocks: blocks ?? [],
      thread_ts: str(body.thread_ts),
      user: BOT.userId,
      bot_id: BOT.botId,
      via,
      ...(body.response_type === 'in_channel' ? {} : { visibleTo: target.user }),
    });
  }

  function baseInteraction(user: SimUser, triggerId?: string): Json {
    return {
      user: wireUser(user),
      api_app_id: BOT.appId,
      token: 'sandbox-verification-token',
      ...(triggerId ? { trigger_id: triggerId } : {}),
      team: { id: TEAM.id, domain: TEAM.domain },
      enterprise: null,
      is_enterprise_install: false,
    };
  }

  async function sendCommand(input: { user: string; channel: string; text: string; command?: string }): Promise<AppReply> {
    const user = requireUser(input.user);
    const c = resolveConversation(input.channel, false);
    const target = { user: user.id, channel: c.id };
    const command = input.command ?? '/dockhand';
    const body = new URLSearchParams({
      token: 'sandbox-verification-token',
      team_id: TEAM.id,
      team_domain: TEAM.domain,
      channel_id: c.id,
      channel_name: c.imUser ? 'directmessage' : c.name,
      user_id: user.id,
      user_name: user.name,
      command,
      text: input.text,
      api_app_id: BOT.appId,
      is_enterprise_install: 'false',
      response_url: issueResponseUrl(target),
      trigger_id: issueTrigger(user.id, c.id),
    }).toString();
    const reply = await postToApp(body);
    if (reply.status !== 200) {
      // What Slack shows the user when the app fails to acknowledge a command.
      slackNotice(user.id, c.id, `${command} failed with the error "${reply.error ?? `http_status_${reply.status}`}"`);
    } else if (isObj(reply.body) && (reply.body.text || reply.body.blocks)) {
      applyResponse(target, reply.body, 'command_ack');
    } else if (reply.text.trim() && !isObj(reply.body)) {
      applyResponse(target, { text: reply.text }, 'command_ack');
    }
    return reply;
  }

  async function clickButton(input: { user: string; channel?: string; ts?: string; viewId?: string; actionId: string; blockId?: string; value?: string }): Promise<AppReply> {
    const user = requireUser(input.user);
    const triggerId = issueTrigger(user.id, input.channel);
    const actionTs = `${(clock() / 1000).toFixed(6)}`;
    let payload: Json;
    let found: ReturnType<typeof findElement>;
    if (input.viewId) {
      const { stack, index } = topView(input.viewId);
      const sim = stack[index]!;
      found = findElement(sim.view.blocks, input.actionId, input.blockId);
      if (!found) throw new Error(`view ${input.viewId} has no element ${input.actionId}`);
      payload = {
        type: 'block_actions',
        ...baseInteraction(user, triggerId),
        container: { type: 'view', view_id: sim.id },
        view: clone(sim.view),
      };
    } else {
      const c = resolveConversation(input.channel, false);
      const pub = publicMessages.find((m) => m.channel === c.id && m.ts === input.ts);
      const eph = ephemeralMessages.find((m) => m.channel === c.id && m.ts === input.ts && m.visibleTo === user.id);
      const m = pub ?? eph;
      if (!m) throw new Error(`no message ${String(input.ts)} in ${c.id} visible to ${user.id}`);
      found = findElement(m.blocks, input.actionId, input.blockId);
      if (!found) throw new Error(`message ${m.ts} has no element ${input.actionId}`);
      const responseUrl = issueResponseUrl({ user: user.id, channel: c.id, sourceTs: m.ts, sourceEphemeral: Boolean(eph && !pub) });
      payload = {
        type: 'block_actions',
        ...baseInteraction(user, triggerId),
        container: { type: 'message', message_ts: m.ts, channel_id: c.id, is_ephemeral: !pub },
        channel: { id: c.id, name: c.imUser ? 'directmessage' : c.name },
        // Slack leaves `message` out of block_actions from ephemeral messages.
        ...(pub ? { message: wireMessage(m) } : {}),
        state: { values: {} },
        response_url: responseUrl,
      };
    }
    const element = found.element;
    payload.actions = [
      {
        action_id: input.actionId,
        block_id: found.blockId,
        text: buttonText(element),
        value: input.value ?? (typeof element.value === 'string' ? element.value : undefined),
        ...(typeof element.style === 'string' ? { style: element.style } : {}),
        type: String(element.type ?? 'button'),
        action_ts: actionTs,
      },
    ];
    return postToApp(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  }

  async function submitView(input: { user: string; viewId: string; values: Record<string, InputValue | Record<string, InputValue>> }): Promise<AppReply> {
    const user = requireUser(input.user);
    const { stack, index } = topView(input.viewId);
    const sim = stack[index]!;
    if (sim.user !== user.id) throw new Error(`view ${sim.id} is open for ${sim.user}, not ${user.id}`);
    const values = buildStateValues(sim.view.blocks, input.values);
    const missing = missingRequiredInputs(sim.view.blocks, values);
    if (missing.length > 0) {
      // Slack's client blocks the submit itself; the app never hears about it.
      sim.errors = Object.fromEntries(missing.map((b) => [b, 'Please complete this required field.']));
      touch();
      return { status: 0, text: '', body: undefined, error: 'required_fields_missing' };
    }
    const view = { ...clone(sim.view), state: { values } };
    const payload = { type: 'view_submission', ...baseInteraction(user, issueTrigger(user.id)), view, response_urls: [] };
    const reply = await postToApp(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    if (reply.status !== 200) {
      sim.errors = { '': 'We had some trouble connecting. Try again?' };
      touch();
      return reply;
    }
    const answer = isObj(reply.body) ? reply.body : {};
    switch (answer.response_action) {
      case 'errors':
        sim.errors = isObj(answer.errors) ? Object.fromEntries(Object.entries(answer.errors).map(([k, v]) => [k, String(v)])) : {};
        break;
      case 'update':
        sim.view = buildView(answer.view, sim.id, String(sim.view.root_view_id), (sim.view.previous_view_id as string | null) ?? null);
        sim.errors = {};
        break;
      case 'push': {
        const id = `V${hex(5).toUpperCase()}`;
        stack.push({ id, user: user.id, view: buildView(answer.view, id, String(sim.view.root_view_id), sim.id), errors: {} });
        break;
      }
      case 'clear':
        viewStacks.delete(user.id);
        break;
      default:
        stack.splice(index, 1);
        if (stack.length === 0) viewStacks.delete(user.id);
    }
    touch();
    return reply;
  }

  async function closeView(input: { user: string; viewId: string }): Promise<AppReply | null> {
    const user = requireUser(input.user);
    const { stack, index } = topView(input.viewId);
    const sim = stack[index]!;
    stack.splice(index, 1);
    if (stack.length === 0 || sim.view.clear_on_close) viewStacks.delete(user.id);
    touch();
    if (!sim.view.notify_on_close) return null;
    const payload = { type: 'view_closed', ...baseInteraction(user), view: clone(sim.view), is_cleared: false };
    return postToApp(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  }

  // -------------------------------------------------------------- HTTP

  function pageState(userId: string): Json {
    const visible = conversations.filter((c) => !c.imUser || c.imUser === userId);
    const stack = viewStacks.get(userId);
    return {
      version,
      team: TEAM,
      bot: { id: BOT.userId, name: BOT.name },
      appRequestUrl: appRequestUrl ?? null,
      users: users.map((u) => ({ id: u.id, name: u.name, real_name: u.real_name, title: u.title ?? '' })),
      usergroups: usergroups.map((g) => ({ id: g.id, handle: g.handle })),
      channels: visible.map((c) => ({ id: c.id, name: c.name, is_im: Boolean(c.imUser), is_member: Boolean(c.is_member) })),
      messages: [
        ...publicMessages.filter((m) => visible.some((c) => c.id === m.channel)),
        ...ephemeralMessages.filter((m) => m.visibleTo === userId),
      ],
      view: stack?.at(-1) ?? null,
    };
  }

  async function handlePage(req: IncomingMessage, res: ServerResponse, url: URL, raw: string): Promise<void> {
    const page = PAGE_FILES[url.pathname];
    if (req.method === 'GET' && page) {
      res.writeHead(200, { 'content-type': page.type, 'cache-control': 'no-store' });
      res.end(readFileSync(new URL(page.file, PAGE_DIR)));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/_sim/state') {
      const since = Number(url.searchParams.get('since') ?? -1);
      if (since === version) return sendJson(res, 200, { version, unchanged: true });
      return sendJson(res, 200, pageState(url.searchParams.get('user') ?? users[0]?.id ?? ''));
    }
    const responseId = /^\/_sim\/response\/([0-9a-f]+)$/.exec(url.pathname)?.[1];
    if (req.method === 'POST' && responseId) return handleResponseUrl(res, responseId, raw);
    if (req.method !== 'POST') return sendJson(res, 404, { ok: false, error: 'not_found' });
    let input: Json;
    try {
      const parsed: unknown = JSON.parse(raw || '{}');
      if (!isObj(parsed)) throw new Error('expected a JSON object');
      input = parsed;
    } catch (e) {
      return sendJson(res, 400, { ok: false, error: String(e) });
    }
    try {
      let reply: AppReply | null;
      switch (url.pathname) {
        case '/_sim/command':
          reply = await sendCommand(input as Parameters<typeof sendCommand>[0]);
          break;
        case '/_sim/click':
          reply = await clickButton(input as Parameters<typeof clickButton>[0]);
          break;
        case '/_sim/submit':
          reply = await submitView(input as Parameters<typeof submitView>[0]);
          break;
        case '/_sim/close':
          reply = await closeView(input as Parameters<typeof closeView>[0]);
          break;
        default:
          return sendJson(res, 404, { ok: false, error: 'not_found' });
      }
      sendJson(res, 200, { ok: true, reply });
    } catch (e) {
      sendJson(res, 400, { ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  }

  function handleResponseUrl(res: ServerResponse, id: string, raw: string): void {
    const target = responseTargets.get(id);
    if (!target || clock() - target.issuedAt > RESPONSE_URL_TTL_MS) return sendJson(res, 404, { ok: false, error: 'expired_url' });
    if (target.uses >= RESPONSE_URL_USES) return sendJson(res, 404, { ok: false, error: 'used_url' });
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return sendJson(res, 400, { ok: false, error: 'invalid_payload' });
    }
    if (!isObj(body)) return sendJson(res, 400, { ok: false, error: 'invalid_payload' });
    target.uses++;
    responseLog.push({ at: clock(), user: target.user, channel: target.channel, body: clone(body) });
    try {
      applyResponse(target, body, 'response_url');
    } catch (e) {
      if (e instanceof SlackError) return sendJson(res, 400, { ok: false, error: e.error });
      throw e;
    }
    sendJson(res, 200, { ok: true });
  }

  /** The upload URL takes the file's raw bytes (as Slack's does), and the page reads them back. */
  async function handleFile(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const upload = /^\/_sim\/upload\/(F[0-9A-F]+)$/.exec(url.pathname)?.[1];
    if (upload && req.method === 'POST') {
      const file = uploads.get(upload);
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      if (!file || file.completed) return (res.writeHead(404).end('not found'), true);
      file.bytes = Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${file.bytes.length}`);
      return true;
    }
    const shown = /^\/_sim\/files\/(F[0-9A-F]+)$/.exec(url.pathname)?.[1];
    if (shown && req.method === 'GET') {
      const file = uploads.get(shown);
      if (!file?.bytes || !file.completed) return (res.writeHead(404).end('not found'), true);
      res.writeHead(200, { 'content-type': mimeOf(file.name), 'cache-control': 'no-store' }).end(file.bytes);
      return true;
    }
    return false;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/_sim/upload/') || url.pathname.startsWith('/_sim/files/')) {
      if (await handleFile(req, res, url)) return;
    }
    const raw = await readBody(req);
    if (!url.pathname.startsWith('/api/')) return handlePage(req, res, url, raw);
    const method = url.pathname.slice('/api/'.length);
    try {
      const args = parseArgs(url, raw, req.headers['content-type']);
      const result = callMethod(method, args, req.headers.authorization);
      sendJson(res, 200, { ok: true, ...result });
    } catch (e) {
      if (!(e instanceof SlackError)) throw e;
      sendJson(res, e.status, { ok: false, error: e.error, ...e.extra }, e.headers);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal_error', detail: String(e) });
      else res.destroy();
    });
  });
  baseUrl = await listenOnLoopback(server, opts, 'http');

  return {
    url: baseUrl,
    pageUrl: `${baseUrl}/`,
    setAppRequestUrl(u) {
      appRequestUrl = u;
      touch();
    },
    messages: (channel) => publicMessages.filter((m) => !channel || m.channel === channel).map(clone),
    message: (channel, ts) => {
      const m = publicMessages.find((x) => x.channel === channel && x.ts === ts);
      return m && clone(m);
    },
    ephemerals: (user) => ephemeralMessages.filter((m) => !user || m.visibleTo === user).map(clone),
    views: (user) =>
      [...viewStacks.entries()]
        .filter(([u]) => !user || u === user)
        .flatMap(([, stack]) => (stack.length > 0 ? [clone(stack[stack.length - 1]!)] : [])),
    responses: () => responseLog.map(clone),
    sendCommand,
    clickButton,
    submitView,
    closeView,
    stats: () => ({ calls: { ...calls }, rateLimited: { ...rateLimited } }),
    files: () => [...uploads.values()].map((f) => ({ ...f, ...(f.bytes ? { bytes: Buffer.from(f.bytes) } : {}) })),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
