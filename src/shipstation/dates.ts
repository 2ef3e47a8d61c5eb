import { DockhandError } from '../domain/errors';
import { wallAt, wallToEpoch, type Wall } from '../domain/wall-clock';

/**
 * ShipStation v1 reads and writes dates as Pacific wall-clock time without an offset
 * ("All dates use ISO 8601 format in PST/PDT", e.g. `2015-06-29T08:46:27.0000000`), and some
 * responses use the .NET US format (`6/28/2015 5:46:27 PM`). Everything inside Dockhand is
 * ISO 8601 UTC, so the conversion lives here and nowhere else.
 */
const ZONE = 'America/Los_Angeles';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * Converts an ISO 8601 instant (any offset) to ShipStation's Pacific wall time,
 * `YYYY-MM-DDTHH:mm:ss.fffffff` with no offset. DST comes from the tz database via Intl.
 * @throws DockhandError `order.malformed` when `iso` is not a date.
 */
export function toShipStationDate(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) {
    throw new DockhandError('order.malformed', `Not an ISO date: ${JSON.stringify(iso)}`, {
      hint: 'The order carries a date Dockhand cannot read; check the Amazon order data.',
    });
  }
  const w = wallAt(ms, ZONE);
  return (
    `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}` +
    `.${pad(w.ms, 3)}0000`
  );
}

const ISO_WALL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?$/;
const US_WALL = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?(?: ?([AP]M))?)?$/i;

function parseWall(s: string): Wall | undefined {
  const iso = ISO_WALL.exec(s);
  if (iso) {
    const frac = (iso[7] ?? '').padEnd(3, '0').slice(0, 3);
    return {
      year: Number(iso[1]),
      month: Number(iso[2]),
      day: Number(iso[3]),
      hour: Number(iso[4] ?? 0),
      minute: Number(iso[5] ?? 0),
      second: Number(iso[6] ?? 0),
      ms: Number(frac),
    };
  }
  const us = US_WALL.exec(s);
  if (us) {
    let hour = Number(us[4] ?? 0);
    const meridiem = us[7]?.toUpperCase();
    if (meridiem === 'PM' && hour < 12) hour += 12;
    if (meridiem === 'AM' && hour === 12) hour = 0;
    return {
      year: Number(us[3]),
      month: Number(us[1]),
      day: Number(us[2]),
      hour,
      minute: Number(us[5] ?? 0),
      second: Number(us[6] ?? 0),
      ms: 0,
    };
  }
  return undefined;
}

/**
 * Converts a ShipStation date (Pacific wall time without offset, ISO-like or `M/D/YYYY h:mm:ss AM`)
 * to an ISO 8601 UTC string. A string that already carries an offset or `Z` is taken as is.
 * In the repeated hour of a fall-back night the earlier (PDT) instant is chosen; a time inside
 * the skipped spring-forward hour is read as PST, i.e. one hour later on the clock.
 * @throws DockhandError `shipstation.unparseable` when `s` is not a date.
 */
export function fromShipStationDate(s: string): string {
  const trimmed = s.trim();
  if (/(?:Z|[+-]\d{2}:?\d{2})$/i.test(trimmed) && trimmed.includes('T')) {
    const ms = Date.parse(trimmed);
    if (Number.isFinite(ms)) return new Date(ms).toISOString();
  }
  const wall = parseWall(trimmed);
  if (!wall || wall.month < 1 || wall.month > 12 || wall.day < 1 || wall.day > 31) {
    throw new DockhandError('shipstation.unparseable', `Not a ShipStation date: ${JSON.stringify(s)}`, {
      hint: 'ShipStation sent a date in an unexpected format; report this with the raw value.',
    });
  }
  // The repeated hour of a fall-back night is read as its first (PDT) pass; a time in the
  // skipped spring-forward hour as PST.
  return new Date(wallToEpoch(wall, ZONE)).toISOString();
}

/**
 * Reads a ShipStation ship date as the calendar day it names, `YYYY-MM-DD`, without any time
 * zone shift: shipments send `2014-10-03`, fulfillments `2016-06-07T00:00:00` or
 * `6/7/2016 12:00:00 AM`, all meaning that Pacific day.
 * @throws DockhandError `shipstation.unparseable` when `s` is not a date.
 */
export function fromShipStationDay(s: string): string {
  const wall = parseWall(s.trim());
  if (!wall || wall.month < 1 || wall.month > 12 || wall.day < 1 || wall.day > new Date(Date.UTC(wall.year, wall.month, 0)).getUTCDate()) {
    throw new DockhandError('shipstation.unparseable', `Not a ShipStation day: ${JSON.stringify(s)}`, {
      hint: 'ShipStation sent a ship date in an unexpected format; report this with the raw value.',
    });
  }
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}`;
}
