import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from './db';

/**
 * Rollups of the fact tables (migration `0009_report_rollups`), so that a report reads a few
 * thousand summed rows rather than every order of its window:
 *
 * - `report_order_rollup`: per 15-minute bucket of UTC, account and currency, the orders
 *   received, shipped (with the sum of purchase → label), cancelled and closed (shipped or
 *   cancelled: what `openAtEnd` subtracts), and the labels confirmed (with the sum of label →
 *   confirmation);
 * - `report_due_rollup`: per bucket of the latest ship date, account, currency and the first
 *   label's carrier and service, the orders by how Amazon will judge them: confirmed on time,
 *   confirmed late (label late, or confirmation late), and not confirmed (not shipped, label
 *   late, label in time): what is due depends on when the report is made, so that is decided
 *   when reading (see ReportQueries);
 * - `report_label_rollup`: per bucket of creation, account, currency, carrier and service, the
 *   live labels, their cost and units;
 * - `report_latency_hist`: per UTC day and account, histograms of purchase → label (1-hour
 *   bins) and label → confirmation (5-minute bins), from which a period's p90 is found to its
 *   bin, then read exactly from that bin's rows through an index on the bin.
 *
 * Every zone's midnight falls on a quarter hour of UTC, so a bucket never straddles two of the
 * seller's days, whatever the zone (reports.timeZone may change; the rollups do not).
 *
 * Triggers keep them, in the same statement as the fact's write, whichever path writes it
 * (the repositories, bulk imports, retention's purge): a fact's old contribution is taken out
 * and its new one added, in one upsert per rollup ordered by key, so that two Postgres
 * transactions never take the same rollup rows in opposite orders within a row's write.
 */

export const BUCKET_MS = 900_000;
export const DAY_MS = 86_400_000;

/** The two latencies whose p90 a report gives, and where their exact values live. */
export const LATENCIES = {
  purchaseToLabel: { measure: 'ptl', table: 'fulfillment_facts', time: 'first_label_at', value: '(first_label_at - purchased_at)', binMs: 3_600_000, index: 'facts_ptl_by_bin' },
  labelToConfirmation: { measure: 'ltc', table: 'label_facts', time: 'confirmed_at', value: '(confirmed_at - created_at)', binMs: 300_000, index: 'label_facts_ltc_by_bin' },
} as const;
export type Latency = (typeof LATENCIES)[keyof typeof LATENCIES];

/** The bin of a latency, as SQL (the same text in its index and in the queries that use it). */
export const binOf = (l: Latency, prefix = ''): string => `${prefix ? l.value.replace(/([a-z_]+_at)/g, `${prefix}.$1`) : l.value} / ${l.binMs}`;

// Loosely typed: a migration runs against the schema as it was at its version, not today's.
type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Rollup {
  table: string;
  keys: Array<[name: string, type: 'bigint' | 'text']>;
  sums: Array<[name: string, type: 'bigint' | 'double precision']>;
}

const ORDER: Rollup = {
  table: 'report_order_rollup',
  keys: [['bucket', 'bigint'], ['account_id', 'text'], ['currency', 'text']],
  sums: [['received', 'bigint'], ['shipped', 'bigint'], ['ptl_ms', 'bigint'], ['ptl_n', 'bigint'], ['cancelled', 'bigint'], ['closed', 'bigint'], ['ltc_ms', 'bigint'], ['ltc_n', 'bigint']],
};
const DUE: Rollup = {
  table: 'report_due_rollup',
  keys: [['bucket', 'bigint'], ['account_id', 'text'], ['currency', 'text'], ['carrier_code', 'text'], ['service_code', 'text']],
  sums: [['on_time', 'bigint'], ['conf_label_late', 'bigint'], ['conf_confirmation_late', 'bigint'], ['open_not_shipped', 'bigint'], ['open_label_late', 'bigint'], ['open_confirmation_late', 'bigint']],
};
const LABEL: Rollup = {
  table: 'report_label_rollup',
  keys: [['bucket', 'bigint'], ['account_id', 'text'], ['currency', 'text'], ['carrier_code', 'text'], ['service_code', 'text']],
  sums: [['shipments', 'bigint'], ['cost_sum', 'double precision'], ['cost_n', 'bigint'], ['units', 'bigint']],
};
const HIST: Rollup = {
  table: 'report_latency_hist',
  keys: [['measure', 'text'], ['day', 'bigint'], ['account_id', 'text'], ['bin', 'bigint']],
  sums: [['n', 'bigint']],
};

/** One row's share of a rollup: SQL over the row (`r.` stands for it), counted when `when` holds. */
interface Share {
  rollup: Rollup;
  when: string;
  values: Record<string, string>;
}

const flag = (cond: string) => `case when ${cond} then 1 else 0 end`;

function factShares(dialect: Dialect): Share[] {
  // Closed by `end` (shipped or cancelled, and bought): the later of the purchase and the first of label and cancel.
  const closedAt =
    dialect === 'sqlite'
      ? 'max(r.purchased_at, coalesce(min(r.first_label_at, r.cancelled_at), r.first_label_at, r.cancelled_at))'
      : 'greatest(r.purchased_at, least(r.first_label_at, r.cancelled_at))';
  const cur = "coalesce(r.currency, '')";
  const onTime = 'r.confirmed_at <= r.ship_by';
  const labelLate = 'r.first_label_at is not null and r.first_label_at > r.ship_by';
  const open = 'r.confirmed_at is null and r.cancelled_at is null';
  return [
    { rollup: ORDER, when: 'r.purchased_at is not null', values: { bucket: `r.purchased_at / ${BUCKET_MS}`, account_id: 'r.account_id', currency: cur, received: '1' } },
    {
      rollup: ORDER,
      when: 'r.first_label_at is not null',
      values: { bucket: `r.first_label_at / ${BUCKET_MS}`, account_id: 'r.account_id', currency: cur, shipped: '1', ptl_ms: 'coalesce(r.first_label_at - r.purchased_at, 0)', ptl_n: flag('r.purchased_at is not null') },
    },
    { rollup: ORDER, when: 'r.cancelled_at is not null', values: { bucket: `r.cancelled_at / ${BUCKET_MS}`, account_id: 'r.account_id', currency: cur, cancelled: '1' } },
    {
      rollup: ORDER,
      when: 'r.purchased_at is not null and (r.first_label_at is not null or r.cancelled_at is not null)',
      values: { bucket: `${closedAt} / ${BUCKET_MS}`, account_id: 'r.account_id', currency: cur, closed: '1' },
    },
    {
      rollup: DUE,
      // Cancelled before Amazon had a confirmation: never due (see isDue).
      when: 'r.ship_by is not null and (r.confirmed_at is not null or r.cancelled_at is null)',
      values: {
        bucket: `r.ship_by / ${BUCKET_MS}`,
        account_id: 'r.account_id',
        currency: cur,
        carrier_code: "coalesce(r.carrier_code, '')",
        service_code: "coalesce(r.service_code, '')",
        on_time: flag(`r.confirmed_at is not null and ${onTime}`),
        conf_label_late: flag(`r.confirmed_at is not null and not (${onTime}) and ${labelLate}`),
        conf_confirmation_late: flag(`r.confirmed_at is not null and not (${onTime}) and not (${labelLate})`),
        open_not_shipped: flag(`${open} and r.first_label_at is null`),
        open_label_late: flag(`${open} and ${labelLate}`),
        open_confirmation_late: flag(`${open} and r.first_label_at is not null and r.first_label_at <= r.ship_by`),
      },
    },
    {
      rollup: HIST,
      when: 'r.first_label_at is not null and r.purchased_at is not null',
      values: { measure: `'${LATENCIES.purchaseToLabel.measure}'`, day: `r.first_label_at / ${DAY_MS}`, account_id: 'r.account_id', bin: binOf(LATENCIES.purchaseToLabel, 'r'), n: '1' },
    },
  ];
}

const LABEL_SHARES: Share[] = [
  {
    rollup: LABEL,
    when: 'r.live = 1',
    values: {
      bucket: `r.created_at / ${BUCKET_MS}`,
      account_id: 'r.account_id',
      currency: "coalesce(r.currency, '')",
      carrier_code: 'r.carrier_code',
      service_code: "coalesce(r.service_code, '')",
      shipments: '1',
      cost_sum: 'coalesce(r.cost, 0)',
      cost_n: flag('r.cost is not null'),
      units: 'r.units',
    },
  },
  { rollup: ORDER, when: 'r.confirmed_at is not null', values: { bucket: `r.confirmed_at / ${BUCKET_MS}`, account_id: 'r.account_id', currency: "coalesce(r.currency, '')", ltc_ms: 'r.confirmed_at - r.created_at', ltc_n: '1' } },
  {
    rollup: HIST,
    when: 'r.confirmed_at is not null',
    values: { measure: `'${LATENCIES.labelToConfirmation.measure}'`, day: `r.confirmed_at / ${DAY_MS}`, account_id: 'r.account_id', bin: binOf(LATENCIES.labelToConfirmation, 'r'), n: '1' },
  },
];

/** The columns a fact's shares read: an update that changes none of them changes no rollup. */
const WATCHED = {
  fulfillment_facts: ['account_id', 'currency', 'purchased_at', 'ship_by', 'cancelled_at', 'first_label_at', 'confirmed_at', 'carrier_code', 'service_code'],
  label_facts: ['account_id', 'currency', 'created_at', 'confirmed_at', 'carrier_code', 'service_code', 'cost', 'units', 'live'],
} as const;

/** The rows' shares (each signed) of `rollup`, as one select: `r.` is replaced by each row's name. */
function sharesSelect(rollup: Rollup, shares: Share[], rows: Array<{ name: string; sign: 1 | -1; from?: string }>): string | undefined {
  const arms: string[] = [];
  for (const row of rows) {
    for (const s of shares.filter((x) => x.rollup === rollup)) {
      const at = (e: string) => e.replace(/\br\./g, `${row.name}.`);
      const keys = rollup.keys.map(([k]) => `${at(s.values[k]!)} as ${k}`);
      const sums = rollup.sums.map(([k]) => `${row.sign === 1 ? '' : '-'}(${at(s.values[k] ?? '0')}) as ${k}`);
      arms.push(`select ${[...keys, ...sums].join(', ')}${row.from ? ` from ${row.from}` : ''} where ${at(s.when)}`);
    }
  }
  if (arms.length === 0) return undefined;
  const keys = rollup.keys.map(([k]) => k).join(', ');
  return `select ${keys}, ${rollup.sums.map(([k]) => `sum(${k}) as ${k}`).join(', ')} from (${arms.join(' union all ')}) shares group by ${keys}`;
}

/** Adds the shares to the rollup, in key order (the order locks are taken in on Postgres). */
function upsert(rollup: Rollup, select: string): string {
  const keys = rollup.keys.map(([k]) => k).join(', ');
  const sums = rollup.sums.map(([k]) => k);
  return `insert into ${rollup.table} (${keys}, ${sums.join(', ')}) ${select} order by ${keys}
    on conflict (${keys}) do update set ${sums.map((k) => `${k} = ${rollup.table}.${k} + excluded.${k}`).join(', ')};`;
}

type FactTable = keyof typeof WATCHED;

function statementsFor(shares: Share[], rows: Array<{ name: string; sign: 1 | -1 }>): string[] {
  return [ORDER, DUE, LABEL, HIST].flatMap((rollup) => {
    const select = sharesSelect(rollup, shares, rows);
    return select ? [upsert(rollup, select)] : [];
  });
}

function triggers(dialect: Dialect, table: FactTable, shares: Share[]): string[] {
  const changed = WATCHED[table].map((c) => `old.${c} is ${dialect === 'sqlite' ? 'not' : 'distinct from'} new.${c}`).join(' or ');
  const oldRow = { name: 'old', sign: -1 as const };
  const newRow = { name: 'new', sign: 1 as const };
  const name = `${table}_rollups`;
  if (dialect === 'sqlite') {
    return [
      `create trigger ${name}_on_insert after insert on ${table} begin ${statementsFor(shares, [newRow]).join(' ')} end`,
      `create trigger ${name}_on_delete after delete on ${table} begin ${statementsFor(shares, [oldRow]).join(' ')} end`,
      `create trigger ${name}_on_update after update of ${WATCHED[table].join(', ')} on ${table} when ${changed} begin ${statementsFor(shares, [oldRow, newRow]).join(' ')} end`,
    ];
  }
  return [
    `create function ${name}_keep() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then ${statementsFor(shares, [newRow]).join(' ')}
  elsif tg_op = 'DELETE' then ${statementsFor(shares, [oldRow]).join(' ')}
  else ${statementsFor(shares, [oldRow, newRow]).join(' ')}
  end if;
  return null;
end $$`,
    `create trigger ${name}_on_write after insert or delete on ${table} for each row execute function ${name}_keep()`,
    `create trigger ${name}_on_update after update of ${WATCHED[table].join(', ')} on ${table} for each row when (${changed}) execute function ${name}_keep()`,
  ];
}

export function reportRollups(dialect: Dialect): Migration {
  return {
    async up(db: AnyDb) {
      for (const r of [ORDER, DUE, LABEL, HIST]) {
        let t = db.schema.createTable(r.table);
        for (const [k, type] of r.keys) t = t.addColumn(k, type, (c) => c.notNull());
        for (const [k, type] of r.sums) t = t.addColumn(k, type, (c) => c.notNull());
        t = t.addPrimaryKeyConstraint(`${r.table}_pk`, r.keys.map(([k]) => k) as never);
        // Clustered by key on SQLite: a range of buckets is read in order, not row by row through an index.
        await (dialect === 'sqlite' ? t.modifyEnd(sql`without rowid`) : t).execute();
      }
      // A period's p90: the rows of one bin in the period, found without reading the others.
      for (const l of Object.values(LATENCIES)) {
        await sql.raw(`create index ${l.index} on ${l.table} ((${binOf(l)}), ${l.time}, account_id)`).execute(db);
      }
      // What is there already (an upgraded data dir) is counted once, then the triggers keep it.
      const facts = factShares(dialect);
      for (const rollup of [ORDER, DUE, LABEL, HIST]) {
        const arms = [
          sharesSelect(rollup, facts, [{ name: 'fulfillment_facts', sign: 1, from: 'fulfillment_facts' }]),
          sharesSelect(rollup, LABEL_SHARES, [{ name: 'label_facts', sign: 1, from: 'label_facts' }]),
        ].filter((s): s is string => s !== undefined);
        const keys = rollup.keys.map(([k]) => k).join(', ');
        const all = `select ${keys}, ${rollup.sums.map(([k]) => `sum(${k}) as ${k}`).join(', ')} from (${arms.join(' union all ')}) every_share group by ${keys}`;
        await sql.raw(`insert into ${rollup.table} (${keys}, ${rollup.sums.map(([k]) => k).join(', ')}) ${all}`).execute(db);
      }
      // Not a rollup, but the reports' too: Amazon's last account-health report, read once a day whatever restarts.
      await db.schema
        .createTable('account_health')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('fetched_at', 'bigint', (c) => c.notNull())
        .addColumn('doc', 'text', (c) => c.notNull())
        .execute();
      for (const s of [...triggers(dialect, 'fulfillment_facts', facts), ...triggers(dialect, 'label_facts', LABEL_SHARES)]) await sql.raw(s).execute(db);
    },
  };
}
