/**
 * The `/dockhand` slash command: text in, a typed command out. Pure: no Slack, no store.
 *
 * Parsing rules (decided here, tested in test/slack/commands.test.ts):
 * - Words are split on any run of whitespace, Unicode spaces included (Slack clients send
 *   no-break spaces when text is pasted from a web page).
 * - Command words are case-insensitive (`RETRY all`); `retry ALL` means all. Arguments keep
 *   their case (SKUs are case-sensitive in ShipStation), except account IDs, which the config
 *   only allows in lower case.
 * - An argument with spaces is written in double quotes: `sku map "BLUE MUG 12oz" MUG-12`.
 *   Curly quotes count too, because Slack on macOS turns " into “ ” as you type. An unclosed
 *   quote is a usage error. Single quotes are not quotes: SKUs may contain apostrophes.
 * - Slack HTML-escapes `&`, `<` and `>` in command text even with should_escape false
 *   (https://docs.slack.dev/messaging/formatting-message-text#escaping), so they are
 *   unescaped before parsing: `sku map A&amp;B X` maps `A&B`.
 * - An order ID may be wrapped in backticks, as Dockhand's own messages show it.
 */

export type DockhandCommand =
  | { kind: 'help' }
  | { kind: 'status' }
  | { kind: 'order'; amazonOrderId: string }
  | { kind: 'quarantine' }
  /** `all`, or one quarantined order (an AmazonOrderId, or `message-…` for an unreadable notification). */
  | { kind: 'retry'; all: true }
  | { kind: 'retry'; all: false; target: string }
  | { kind: 'sku_map'; amazonSku: string; shipstationSku: string }
  | { kind: 'sku_unmapped' }
  /** Without an account: every account. */
  | { kind: 'pause'; accountId?: string }
  | { kind: 'resume'; accountId?: string }
  | { kind: 'audit'; limit: number }
  /** Orders at risk of missing Amazon's ship-by date. */
  | { kind: 'late' }
  /** Compares Amazon and ShipStation now; without an account: every account. */
  | { kind: 'reconcile'; accountId?: string }
  /** Returns: open (not finished), pending (arrived, refund not done) or all. */
  | { kind: 'returns'; filter: 'open' | 'pending' | 'all' }
  /** Moves an order to another ShipStation warehouse (managers). */
  | { kind: 'route'; amazonOrderId: string; warehouse: string }
  /** The rules in force and how many orders each matched today. */
  | { kind: 'rules' }
  /** KPIs of a period (its words are read by src/reports: today, yesterday, 7d, 30d, <from> <to>, an account). */
  | { kind: 'report'; args: string[] }
  /** One SKU's stock, velocity and forecast. */
  | { kind: 'stock'; sku: string }
  | { kind: 'unknown'; text: string; message: string; suggestion?: string }
  | { kind: 'usage'; command: string; message: string };

export type DockhandCommandKind = DockhandCommand['kind'];

/** Amazon's order ID form, e.g. 111-1234567-1234567. */
export const AMAZON_ORDER_ID = /^\d{3}-\d{7}-\d{7}$/;
/** How Dockhand names a quarantined ORDER_CHANGE notification it could not read (see sync/order-events.job.ts). */
const NOTIFICATION_TARGET = /^message-[A-Za-z0-9-]{1,100}$/;
/** Same rule as `accounts[].id` in the config. */
const ACCOUNT_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;

export const AUDIT_DEFAULT = 20;
export const AUDIT_MAX = 100;

/** One line per command, as `/dockhand help` shows them (mrkdwn). */
export const COMMAND_HELP: readonly string[] = [
  '`/dockhand status` — per account: last sync, orders by state, quarantine; the event path',
  '`/dockhand order <AmazonOrderId>` — what Dockhand did with one order, in time order',
  '`/dockhand quarantine` — orders that could not be sent, with Retry where it can help and what clears the rest',
  '`/dockhand retry <AmazonOrderId|all>` — try quarantined orders again (`all` skips what only Amazon can correct)',
  '`/dockhand sku map <amazon-sku> <shipstation-sku>` — map an Amazon SKU (quote SKUs with spaces: "A B")',
  '`/dockhand sku unmapped` — Amazon SKUs waiting for a ShipStation SKU',
  '`/dockhand pause [account]` — stop syncing (all accounts, or one) until resumed; managers only',
  '`/dockhand resume [account]` — resume a paused sync; managers only',
  '`/dockhand late` — orders at risk of missing their ship-by date, Prime first, with Mark priority and Retry sync',
  '`/dockhand reconcile [account]` — compare Amazon and ShipStation now (orders, labels, tracking) and list what needs fixing',
  '`/dockhand returns [open|pending|all]` — returns on their way and their refunds (default open)',
  '`/dockhand route <AmazonOrderId> <warehouse>` — move an order to another ShipStation warehouse (quote names with spaces); managers only',
  '`/dockhand rules` — the routing rules in force and how many orders each matched today',
  '`/dockhand report [today|yesterday|7d|30d|<from> <to>] [account]` — fulfillment KPIs with the chart: volume, time to ship, on time, carriers, cost',
  `\`/dockhand audit [n]\` — the last n actions (1–${AUDIT_MAX}, default ${AUDIT_DEFAULT}): who, what, when, outcome`,
  "`/dockhand stock <sku>` — a SKU's stock: on hand, available, velocity, days of cover, stock-out date, open orders",
  '`/dockhand help` — this list',
];

const COMMAND_WORDS = ['help', 'status', 'order', 'quarantine', 'retry', 'sku', 'pause', 'resume', 'audit', 'late', 'reconcile', 'route', 'rules', 'returns', 'report', 'stock'] as const;
const SKU_WORDS = ['map', 'unmapped'] as const;

/**
 * Commands that change how Dockhand runs for everyone: only `slack.managers` may use them.
 * `reconcile` is not one of them: it only reads Amazon and ShipStation and posts what differs
 * (the fixes are separate buttons), like `status`.
 */
export function isManagerOnly(cmd: DockhandCommand): boolean {
  return cmd.kind === 'pause' || cmd.kind === 'resume' || cmd.kind === 'route';
}

/**
 * Parses the text after `/dockhand`. Never throws: unknown words give `kind: 'unknown'`
 * (with a suggestion when one command is close), bad arguments `kind: 'usage'`; both carry a
 * message (mrkdwn, not yet escaped for Slack) that names the problem.
 */
export function parseCommand(rawText: string): DockhandCommand {
  const text = unescapeSlack(rawText).trim();
  const tokens = tokenize(text);
  if ('error' in tokens) return { kind: 'usage', command: firstWord(text), message: `${quoteInput(text)}: ${tokens.error}` };
  const [head, ...args] = tokens.words;
  if (head === undefined) return { kind: 'help' };
  const word = head.toLowerCase();

  switch (word) {
    case 'help':
    case '?':
      return { kind: 'help' };
    case 'status':
    case 'quarantine':
    case 'late':
    case 'rules':
      return args.length === 0 ? { kind: word } : noArgs(text, word);
    case 'route': {
      if (args.length !== 2) return usage(text, 'route', 'give an Amazon order ID and a warehouse, e.g. `/dockhand route 111-1234567-1234567 Atlanta` (quote a name with spaces)');
      const id = stripTicks(args[0]!);
      if (!AMAZON_ORDER_ID.test(id)) return usage(text, 'route', notAnOrderId(id));
      return { kind: 'route', amazonOrderId: id, warehouse: args[1]!.trim() };
    }
    case 'order': {
      if (args.length !== 1) return usage(text, 'order', 'give one Amazon order ID, e.g. `/dockhand order 111-1234567-1234567`');
      const id = stripTicks(args[0]!);
      return AMAZON_ORDER_ID.test(id) ? { kind: 'order', amazonOrderId: id } : usage(text, 'order', notAnOrderId(id));
    }
    case 'retry': {
      if (args.length !== 1) return usage(text, 'retry', 'give one Amazon order ID or `all`, e.g. `/dockhand retry 111-1234567-1234567`');
      const target = stripTicks(args[0]!);
      if (target.toLowerCase() === 'all') return { kind: 'retry', all: true };
      if (AMAZON_ORDER_ID.test(target) || NOTIFICATION_TARGET.test(target)) return { kind: 'retry', all: false, target };
      return usage(text, 'retry', `${notAnOrderId(target)}, or \`all\``);
    }
    case 'sku':
      return parseSku(text, args);
    case 'pause':
    case 'resume':
    case 'reconcile': {
      if (args.length === 0) return { kind: word };
      if (args.length > 1) return usage(text, word, `give at most one account ID, e.g. \`/dockhand ${word} default\``);
      const accountId = args[0]!.toLowerCase();
      return ACCOUNT_ID.test(accountId)
        ? { kind: word, accountId }
        : usage(text, word, `\`${clip(args[0]!)}\` is not an account ID (lower-case letters, digits and dashes)`);
    }
    case 'audit': {
      if (args.length === 0) return { kind: 'audit', limit: AUDIT_DEFAULT };
      const n = args.length === 1 && /^\d{1,4}$/.test(args[0]!) ? Number(args[0]) : NaN;
      return n >= 1 && n <= AUDIT_MAX
        ? { kind: 'audit', limit: n }
        : usage(text, 'audit', `give a number of entries from 1 to ${AUDIT_MAX}, e.g. \`/dockhand audit 50\``);
    }
    case 'returns': {
      const filter = (args[0] ?? 'open').toLowerCase();
      if (args.length > 1 || (filter !== 'open' && filter !== 'pending' && filter !== 'all')) return usage(text, 'returns', 'say `open`, `pending` or `all`, e.g. `/dockhand returns pending`');
      return { kind: 'returns', filter };
    }
    case 'report':
      return { kind: 'report', args };
    case 'stock': {
      const sku = args.length === 1 ? stripTicks(args[0]!) : '';
      return sku && !hasControl(sku) ? { kind: 'stock', sku } : usage(text, 'stock', 'give one ShipStation SKU, e.g. `/dockhand stock WH-1000` (quote a SKU with spaces)');
    }
    default:
      return unknown(text, head, args);
  }
}

function parseSku(text: string, args: string[]): DockhandCommand {
  const sub = args[0]?.toLowerCase();
  if (sub === 'unmapped') return args.length === 1 ? { kind: 'sku_unmapped' } : noArgs(text, 'sku unmapped');
  if (sub === 'map') {
    if (args.length !== 3) {
      return usage(text, 'sku map', 'give the Amazon SKU and the ShipStation SKU, e.g. `/dockhand sku map BLUE-MUG MUG-01` (quote a SKU with spaces: "BLUE MUG")');
    }
    const [amazonSku, shipstationSku] = [args[1]!, args[2]!];
    const bad = [amazonSku, shipstationSku].find((s) => s.trim() === '' || s !== s.trim() || hasControl(s));
    if (bad !== undefined) return usage(text, 'sku map', 'a SKU must not be empty or start or end with a space');
    return { kind: 'sku_map', amazonSku, shipstationSku };
  }
  if (sub === undefined) return usage(text, 'sku', 'say `map <amazon-sku> <shipstation-sku>` or `unmapped`');
  const guess = closest(sub, SKU_WORDS);
  return usage(text, 'sku', `unknown \`sku\` subcommand \`${clip(args[0]!)}\`${guess ? ` — did you mean \`sku ${guess}\`?` : ' — say `map` or `unmapped`'}`);
}

function unknown(text: string, head: string, args: string[]): DockhandCommand {
  const id = stripTicks(head);
  if (AMAZON_ORDER_ID.test(id) && args.length === 0) {
    return { kind: 'unknown', text, suggestion: 'order', message: `${quoteInput(text)}: unknown command — to look up an order, say \`/dockhand order ${id}\`` };
  }
  const suggestion = closest(head.toLowerCase(), COMMAND_WORDS);
  const message = `${quoteInput(text)}: unknown command \`${clip(head)}\`${suggestion ? ` — did you mean \`${suggestion}\`?` : ' — `/dockhand help` lists the commands'}`;
  return suggestion ? { kind: 'unknown', text, message, suggestion } : { kind: 'unknown', text, message };
}

function usage(text: string, command: string, problem: string): DockhandCommand {
  return { kind: 'usage', command, message: `${quoteInput(text)}: ${problem}` };
}

function noArgs(text: string, command: string): DockhandCommand {
  return usage(text, command, `\`${command}\` takes no arguments`);
}

function notAnOrderId(s: string): string {
  return `\`${clip(s)}\` is not an Amazon order ID (three digits, seven digits, seven digits: 111-1234567-1234567)`;
}

const OPEN_QUOTES: Record<string, string> = { '"': '"', '\u201C': '\u201D', '\u201E': '\u201D' };
const CLOSE_QUOTES = new Set(['"', '\u201D', '\u201C']);

/** Splits on whitespace, keeping double-quoted runs (straight or curly) as one word. */
export function tokenize(text: string): { words: string[] } | { error: string } {
  const words: string[] = [];
  let i = 0;
  const chars = Array.from(text);
  while (i < chars.length) {
    while (i < chars.length && /\s/u.test(chars[i]!)) i++;
    if (i >= chars.length) break;
    let word = '';
    let quoted = false;
    while (i < chars.length && !/\s/u.test(chars[i]!)) {
      const c = chars[i]!;
      if (OPEN_QUOTES[c] !== undefined) {
        const start = i;
        i++;
        while (i < chars.length && !CLOSE_QUOTES.has(chars[i]!)) word += chars[i++]!;
        if (i >= chars.length) return { error: `the quote opened at \`${clip(chars.slice(start).join(''))}\` is not closed` };
        i++;
        quoted = true;
      } else {
        word += c;
        i++;
      }
    }
    if (word !== '' || quoted) words.push(word);
  }
  return { words };
}

function unescapeSlack(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function stripTicks(s: string): string {
  return s.replace(/^`+|`+$/g, '');
}

function hasControl(s: string): boolean {
  return /\p{Cc}/u.test(s);
}

function firstWord(text: string): string {
  return (text.split(/\s+/u)[0] ?? '').toLowerCase();
}

/** Echoes the input in a code span; backticks would end the span, so they become quotes. */
function quoteInput(text: string): string {
  const shown = clip(text.replace(/\s+/gu, ' '), 80);
  return `\`/dockhand${shown ? ` ${shown}` : ''}\``;
}

function clip(s: string, max = 40): string {
  const flat = s.replace(/`/g, "'");
  const chars = Array.from(flat);
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}

/** The closest known word by edit distance, if it is close enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  // A prefix of three or more letters (`quar`, `unmap`) is an abbreviation: it beats a near miss.
  const prefixed = word.length >= 3 ? candidates.filter((w) => w.startsWith(word)) : [];
  if (prefixed.length === 1) return prefixed[0];
  let best: { w: string; d: number } | undefined;
  for (const w of candidates) {
    const d = editDistance(word, w);
    if (!best || d < best.d) best = { w, d };
  }
  // One edit for short words, two for longer ones: `stat` → status is a typo, `x` → sku is not.
  const allowed = word.length <= 4 ? 1 : 2;
  return best && best.d <= allowed ? best.w : undefined;
}

/** Damerau–Levenshtein (optimal string alignment): a swap of neighbours (`retyr`) costs one edit. */
export function editDistance(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[x.length]![y.length]!;
}
