/**
 * ShipStation v1 speaks Pacific wall-clock time with no offset: it answers
 * `2026-11-28T09:15:00.0000000` and accepts `2015-01-01 00:00:00`, `2015-01-08`, or the
 * US form its own examples use (`6/29/2015 8:46:27 AM`). The simulator keeps every date in
 * one canonical form (7 fractional digits, Pacific) so filters can compare strings.
 *
 * Known simplification: during the autumn DST fall-back hour two instants share one wall
 * time; comparisons there are ambiguous, exactly as they are for ShipStation's own clients.
 */

const pacificParts = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/Los_Angeles',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** Formats an instant (epoch ms) as ShipStation's Pacific timestamp, e.g. `2026-11-28T09:15:00.0000000`. */
export function formatPacific(epochMs: number): string {
  const parts: Record<string, string> = {};
  for (const p of pacificParts.formatToParts(new Date(epochMs))) parts[p.type] = p.value;
  const ms = String(Math.floor(((epochMs % 1000) + 1000) % 1000)).padStart(3, '0');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}.${ms}0000`;
}

const LOCAL_ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?$/;
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
const US_FORM = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?)?$/i;

function isRealDate(y: number, m: number, d: number, hh: number, mm: number, ss: number): boolean {
  if (m < 1 || m > 12 || d < 1 || hh > 23 || mm > 59 || ss > 59) return false;
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= daysInMonth;
}

function canonical(y: number, m: number, d: number, hh: number, mm: number, ss: number, frac: string): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${String(y).padStart(4, '0')}-${p2(m)}-${p2(d)}T${p2(hh)}:${p2(mm)}:${p2(ss)}.${frac.padEnd(7, '0')}`;
}

/**
 * Turns any date string ShipStation accepts into the canonical Pacific form, or `null` when
 * it is not a date. Strings with an explicit offset or `Z` are converted to Pacific; strings
 * without one are taken as Pacific already (that is how ShipStation reads them).
 */
export function toPacificKey(input: string): string | null {
  const s = input.trim();
  if (WITH_OFFSET.test(s)) {
    const t = Date.parse(s);
    return Number.isNaN(t) ? null : formatPacific(t);
  }
  const iso = LOCAL_ISO.exec(s);
  if (iso) {
    const [y, m, d, hh, mm, ss] = [1, 2, 3, 4, 5, 6].map((i) => Number(iso[i] ?? 0)) as [
      number, number, number, number, number, number,
    ];
    return isRealDate(y, m, d, hh, mm, ss) ? canonical(y, m, d, hh, mm, ss, iso[7] ?? '') : null;
  }
  const us = US_FORM.exec(s);
  if (us) {
    const [m, d, y, h, mm, ss] = [1, 2, 3, 4, 5, 6].map((i) => Number(us[i] ?? 0)) as [
      number, number, number, number, number, number,
    ];
    const meridiem = us[7]?.toUpperCase();
    if (meridiem && (h < 1 || h > 12)) return null;
    const hh = meridiem === 'PM' ? (h % 12) + 12 : meridiem === 'AM' ? h % 12 : h;
    return isRealDate(y, m, d, hh, mm, ss) ? canonical(y, m, d, hh, mm, ss, '') : null;
  }
  return null;
}
